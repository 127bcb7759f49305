"""Forms of the CSV import: the upload and the confirmation (both carry a CSRF token)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from ..services.csv_import import MAX_BYTES, MAX_ROWS, number


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))],
                     description=_l("UTF-8, separated by commas or semicolons, at most %(mb)d MB "
                                    "and %(rows)s people.", mb=MAX_BYTES // (1024 * 1024),
                                    rows=number(MAX_ROWS)))
    submit = SubmitField(_l("Check the file"))


class ConfirmImportForm(FlaskForm):
    submit = SubmitField(_l("Create the accounts and print the login cards"))
