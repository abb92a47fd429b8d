#!/usr/bin/env python3
"""Checks that every table and column of src/db/schema.rs exists in the
PostgreSQL schema with the type and nullability Diesel expects, and that
PostgreSQL has no column schema.rs lacks (outside the tables that only
one backend has).

Usage: columns_check.py SCHEMA_RS COLUMNS, COLUMNS being lines of
table|column|data_type|is_nullable from information_schema.columns."""
import re
import sys

# Diesel's SQL type -> information_schema.data_type on PostgreSQL.
PG_TYPE = {
    "Integer": "integer",
    "BigInt": "bigint",
    "Text": "text",
    "Bool": "boolean",
    "Timestamp": "timestamp without time zone",
    "Binary": "bytea",
    "Double": "double precision",
}
# The FTS5 index is SQLite's; PostgreSQL's search table has no Diesel
# table (yet) and is checked by assert_search.sql.
SQLITE_ONLY = {"articles_fts"}
POSTGRES_ONLY = {"article_search"}


def diesel_columns(path):
    text = open(path, encoding="utf-8").read()
    columns = {}
    for table, body in re.findall(r"diesel::table!\s*\{(?:\s*///[^\n]*)*\s*(\w+)\s*\([^)]*\)\s*\{(.*?)\n    \}", text, re.S):
        sql_name = None
        for line in body.splitlines():
            line = line.strip()
            rename = re.match(r'#\[sql_name = "(\w+)"\]', line)
            if rename:
                sql_name = rename.group(1)
                continue
            column = re.match(r"(\w+)\s*->\s*(Nullable<(\w+)>|(\w+)),", line)
            if column:
                name = sql_name or column.group(1)
                sql_name = None
                nullable = column.group(3) is not None
                columns[(table, name)] = (column.group(3) or column.group(4), nullable)
    return columns


diesel = diesel_columns(sys.argv[1])
pg = {}
for line in open(sys.argv[2], encoding="utf-8"):
    table, column, data_type, is_nullable = line.rstrip("\n").split("|")
    pg[(table, column)] = (data_type, is_nullable == "YES")

failed = []
for (table, column), (diesel_type, nullable) in sorted(diesel.items()):
    if table in SQLITE_ONLY:
        continue
    if (table, column) not in pg:
        failed.append(f"{table}.{column}: missing in PostgreSQL")
        continue
    data_type, pg_nullable = pg[(table, column)]
    if PG_TYPE.get(diesel_type) != data_type:
        failed.append(f"{table}.{column}: schema.rs {diesel_type}, PostgreSQL {data_type}")
    if nullable != pg_nullable:
        failed.append(f"{table}.{column}: schema.rs nullable={nullable}, PostgreSQL nullable={pg_nullable}")
for (table, column) in sorted(pg):
    if table not in POSTGRES_ONLY and (table, column) not in diesel:
        failed.append(f"{table}.{column}: in PostgreSQL, not in schema.rs")

tables = {table for table, _ in diesel if table not in SQLITE_ONLY}
for failure in failed:
    print(f"FAIL {failure}")
print(f"columns: {len(diesel)} in schema.rs over {len(tables)} tables, {len(failed)} mismatches")
sys.exit(1 if failed else 0)
