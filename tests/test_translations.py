"""The translation template must match the code: a new string without `flask translate
update` fails here, as does an empty or fuzzy entry in a catalogue."""
from babel.messages.pofile import read_po

from digilit import paths
from digilit.translate import extract

LANGS = ("vi", "en", "de", "ro")


def test_messages_pot_is_current(tmp_path):
    fresh = tmp_path / "messages.pot"
    extract(output=fresh)
    committed = (paths.TRANSLATIONS_DIR / "messages.pot").read_text(encoding="utf-8")
    assert fresh.read_text(encoding="utf-8") == committed, (
        "translations/messages.pot is stale: run `flask --app wsgi translate update`")


def test_every_catalogue_is_complete():
    with open(paths.TRANSLATIONS_DIR / "messages.pot", "rb") as handle:
        expected = {m.id for m in read_po(handle) if m.id}
    for lang in LANGS:
        with open(paths.TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
            catalog = read_po(handle)
        messages = [m for m in catalog if m.id]
        assert {m.id for m in messages} == expected, f"{lang}: catalogue out of date"
        empty = [m.id for m in messages if not m.string or
                 (isinstance(m.string, tuple) and not all(m.string))]
        fuzzy = [m.id for m in messages if m.fuzzy]
        assert not empty, f"{lang}: untranslated: {empty[:5]}"
        assert not fuzzy, f"{lang}: fuzzy: {fuzzy[:5]}"
