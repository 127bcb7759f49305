"""The stack's limit: a bare Flask app on the same database, served the same way.

    gunicorn --config gunicorn.conf.py --workers 4 bench.bare_app:app   (BARE_DATABASE_URL=...)

``GET /items/<id>`` reads one row by its key through SQLAlchemy Core and answers a few
hundred bytes of HTML; ``POST /items`` inserts one row and commits the same way. The engine is
the product's own (``digilit.db.make_engine``: WAL, busy timeout and ``BEGIN IMMEDIATE`` for
writes on SQLite; a pool on PostgreSQL): Flask and the database layer the product is built on,
with nothing of the product's. ``GET /raw/items/<id>`` and ``POST /raw/items`` do the same
with the bare driver (sqlite3, psycopg), for reference. ``bench/pages.py`` starts it beside
the product and divides the product's figures by its.
"""
import os
import sqlite3
import threading

from flask import Flask, abort, request
from sqlalchemy import Column, Integer, MetaData, String, Table, select, text

ITEMS = 10_000
_local = threading.local()


def _url():
    return os.environ["BARE_DATABASE_URL"]


def _connect():
    url = _url()
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url[len("sqlite:///"):], timeout=30,
                                     isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=30000")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection, "?"
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                           autocommit=True), "%s"


def connection():
    """One connection per worker process, kept (as a pool of one would)."""
    if getattr(_local, "connection", None) is None:
        _local.connection = _connect()
    return _local.connection


def create_schema():
    """The table of items, filled with ``ITEMS`` rows (run once before serving)."""
    db, mark = _connect()
    db.execute("DROP TABLE IF EXISTS bare_item")
    db.execute("CREATE TABLE bare_item (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL, "
               "note VARCHAR(200) NOT NULL)")
    if mark == "?":
        db.execute("BEGIN")
        db.executemany("INSERT INTO bare_item (id, name, note) VALUES (?, ?, ?)",
                       [(i, f"item {i}", "x" * 100) for i in range(1, ITEMS + 1)])
        db.execute("COMMIT")
    else:
        with db.cursor() as cursor:
            cursor.executemany("INSERT INTO bare_item (id, name, note) VALUES (%s, %s, %s)",
                               [(i, f"item {i}", "x" * 100) for i in range(1, ITEMS + 1)])
        db.execute("CREATE SEQUENCE IF NOT EXISTS bare_item_seq START 100000")
    db.close()


app = Flask(__name__)
_tables = MetaData()
items = Table("bare_item", _tables, Column("id", Integer, primary_key=True),
              Column("name", String(80), nullable=False), Column("note", String(200)))
_engine = None


def engine():
    """The product's engine for the bare app's database, made once per worker."""
    global _engine
    if _engine is None:
        from digilit.db import make_engine

        _engine = make_engine(_url().replace("postgresql://", "postgresql+psycopg://"))
    return _engine


@app.get("/items/<int:item_id>")
def read_item(item_id):
    with engine().connect() as db:
        row = db.execute(select(items.c.name, items.c.note)
                         .where(items.c.id == item_id)).first()
    if row is None:
        abort(404)
    return f"<!doctype html><title>{row[0]}</title><p>{row[1]}</p>"


@app.post("/items")
def add_item():
    name = request.form.get("name", "item")[:80]
    with engine().begin() as db:
        if db.dialect.name == "postgresql":
            db.execute(items.insert().values(id=text("nextval('bare_item_seq')"), name=name,
                                             note="posted"))
        else:
            db.execute(items.insert().values(name=name, note="posted"))
    return "", 303, {"Location": "/items/1"}


@app.get("/raw/items/<int:item_id>")
def read_item_raw(item_id):
    db, mark = connection()
    row = db.execute(f"SELECT name, note FROM bare_item WHERE id = {mark}",
                     (item_id,)).fetchone()
    if row is None:
        abort(404)
    return f"<!doctype html><title>{row[0]}</title><p>{row[1]}</p>"


@app.post("/raw/items")
def add_item_raw():
    db, mark = connection()
    name = request.form.get("name", "item")[:80]
    if mark == "?":
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO bare_item (name, note) VALUES (?, ?)", (name, "posted"))
        db.execute("COMMIT")
    else:
        with db.transaction():
            db.execute("INSERT INTO bare_item (id, name, note) VALUES "
                       "(nextval('bare_item_seq'), %s, %s)", (name, "posted"))
    return "", 303, {"Location": "/items/1"}
