"""``flask db backup PATH`` while the site serves, and ``flask db restore PATH``: consistent,
never overwriting, with clear messages for a missing or damaged file."""
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from conftest import wrong_answers
from digilit import create_app
from digilit.db import dispose


def make_app(url):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                       "SQLALCHEMY_DATABASE_URI": url})


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["db", *args])


def attempt_ids(url):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [row[0] for row in connection.execute(
                text("SELECT id FROM quizattempt ORDER BY id"))]
    finally:
        engine.dispose()


def usernames(url):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {row[0] for row in connection.execute(text('SELECT username FROM "user"'))}
    finally:
        engine.dispose()


class Writer(threading.Thread):
    """Submits quiz attempts through the site, one after another, noting each acknowledged
    (answered with its result page) in order."""

    def __init__(self, learn):
        super().__init__(daemon=True)
        self.learn, self.acknowledged, self.stop, self.error = learn, [], threading.Event(), None

    def run(self):
        answers = wrong_answers(self.learn.course("e-id"))
        try:
            while not self.stop.is_set() and len(self.acknowledged) < 500:
                response = self.learn.submit("e-id", answers)
                assert response.status_code == 302, response.status_code
                self.acknowledged.append(int(response.headers["Location"].rsplit("/", 1)[1]))
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.error = error

    def wait_for(self, n, seconds=60):
        deadline = time.monotonic() + seconds
        while len(self.acknowledged) < n and time.monotonic() < deadline and self.is_alive():
            time.sleep(0.05)
        assert len(self.acknowledged) >= n, self.error


def test_a_backup_taken_during_writes_restores_every_acknowledged_attempt(
        app, learner, learn, tmp_path, fresh_database_url):
    app.config["QUIZ_RETRY_PAUSE"] = 0  # failed attempts one after another, without a pause
    learn.complete_all("e-id")
    writer = Writer(learn)
    writer.start()
    try:
        writer.wait_for(5)
        before = list(writer.acknowledged)
        result = invoke(app, "backup", str(tmp_path / "site.backup"))
        during = len(writer.acknowledged)
        writer.wait_for(during + 2)  # the site kept serving
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output

    fresh = make_app(fresh_database_url)
    try:
        restored = invoke(fresh, "restore", str(tmp_path / "site.backup"))
        assert restored.exit_code == 0, restored.output
    finally:
        dispose(fresh.extensions["digilit.engine"])
    found = attempt_ids(fresh_database_url)
    assert set(before) <= set(found)  # every attempt acknowledged before the backup
    # A consistent snapshot: the first attempts in the order they were acknowledged.
    assert found == writer.acknowledged[:len(found)]
    assert "lan2025" in usernames(fresh_database_url)


def test_restore_brings_back_the_data_of_the_backup(app, auth, database_url, tmp_path):
    auth.register(username="truoc2025")
    assert invoke(app, "backup", str(tmp_path / "b")).exit_code == 0
    auth.register(username="sau2025")
    result = invoke(app, "restore", str(tmp_path / "b"))
    assert result.exit_code == 0, result.output
    assert usernames(database_url) == {"truoc2025"}
    assert app.test_client().get("/healthz").status_code == 200


def test_a_backup_never_overwrites_a_file(app, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "existing.backup"
    target.write_text("keep me")
    result = invoke(app, "backup", str(target))
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert target.read_text() == "keep me"
    assert [p.name for p in folder.iterdir()] == ["existing.backup"]  # no partial file left


def test_a_backup_into_a_missing_folder_is_refused_clearly(app, tmp_path):
    result = invoke(app, "backup", str(tmp_path / "no-such-folder" / "b"))
    assert result.exit_code != 0 and "does not exist" in result.output


def test_restoring_a_missing_file_says_so(app, tmp_path):
    result = invoke(app, "restore", str(tmp_path / "nothing-here"))
    assert result.exit_code != 0
    assert "No backup file" in result.output


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_restoring_a_damaged_file_says_so_and_changes_nothing(app, auth, database_url,
                                                              tmp_path, damage):
    auth.register(username="truoc2025")
    good = tmp_path / "good.backup"
    assert invoke(app, "backup", str(good)).exit_code == 0
    auth.register(username="sau2025")
    bad = tmp_path / "bad.backup"
    content = good.read_bytes()
    bad.write_bytes(b"\x00not a backup at all\xff" * 500 if damage == "garbage"
                    else content[:len(content) // 2])
    result = invoke(app, "restore", str(bad))
    assert result.exit_code != 0
    assert "damaged" in result.output, result.output
    assert "Traceback" not in result.output
    assert usernames(database_url) == {"truoc2025", "sau2025"}
