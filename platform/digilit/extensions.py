"""Flask extensions, created unbound and initialised in ``create_app``."""
from flask_babel import Babel
from flask_login import LoginManager
from .csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
