#!/usr/bin/env python3
"""Builds an SQLite database from migrations/sqlite/*/up.sql, in order, as the app
would, for schema_check.sh's cross-check. The FTS5 statements are left out:
the system sqlite3 may be older than the bundled one (no contentless_delete)
and no trigger touches the index."""
import pathlib
import sqlite3
import sys

root = pathlib.Path(__file__).resolve().parents[2]
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA foreign_keys = ON")
for up in sorted(root.glob("migrations/sqlite/*/up.sql")):
    sql = up.read_text()
    if up.parent.name.endswith("_search"):
        statements = [s for s in sql.split(";") if "articles_fts" not in s]
        sql = ";".join(statements)
    db.executescript(sql)
db.commit()
