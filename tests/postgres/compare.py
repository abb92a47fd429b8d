#!/usr/bin/env python3
"""Compares what SQLite's and PostgreSQL's triggers kept after the same
scenario (dump.sql output of each), and both against the truth recounted
from the data. PostgreSQL must equal the truth; it must equal SQLite
everywhere, except where SQLite is the one that strays from the truth
(printed as a warning: a flaw of the SQLite triggers, not of these).

With --strict, any difference fails (for SQLite with a proposed fix).
With --truth, one dump is only checked against its recount (a bulk load
rebuilt by newsdesk_rebuild_kept()).

Usage: compare.py [--strict] SQLITE_DUMP POSTGRES_DUMP
       compare.py --truth POSTGRES_DUMP"""
import sys


def load(path):
    kept, truth = {}, {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line:
            continue
        if line.startswith("truth|"):
            rest = line[len("truth|"):]
            if rest.startswith("closure|"):
                truth[rest] = ""
            else:
                key, n = rest.rsplit("|", 1)
                truth[key] = n
        elif line.startswith("closure|"):
            kept[line] = ""
        else:
            key, n = line.rsplit("|", 1)
            kept[key] = n
    return kept, truth


def truth_errors(kept, truth):
    """Kept rows that the recount contradicts: a wrong count, a missing or
    extra closure row (a kept count with no articles must be 0)."""
    errors = []
    for key, n in truth.items():
        if kept.get(key) != n:
            errors.append(f"{key}: kept {kept.get(key)!r}, recounted {n!r}")
    for key, n in kept.items():
        if key.startswith(("published|", "status|", "closure|")) and key not in truth:
            if key.startswith("closure|") or n != "0":
                errors.append(f"{key}: kept {n!r}, recounted nothing")
    return errors


args = sys.argv[1:]
if args[0] == "--truth":
    kept, truth = load(args[1])
    errors = truth_errors(kept, truth)
    for error in errors:
        print(f"FAIL: {error}")
    print(f"checked {len(kept)} kept rows against {len(truth)} recounted ones")
    sys.exit(1 if errors else 0)
strict = args[0] == "--strict"
if strict:
    args = args[1:]
sqlite, sqlite_truth = load(args[0])
pg, pg_truth = load(args[1])
failed = False

for error in truth_errors(pg, pg_truth):
    print(f"FAIL postgres: {error}")
    failed = True
for error in truth_errors(sqlite, sqlite_truth):
    print(f"{'FAIL' if strict else 'WARN'} sqlite (its triggers' flaw): {error}")
    failed = failed or strict

for key in sorted(set(sqlite) | set(pg)):
    if sqlite.get(key) == pg.get(key):
        continue
    if not strict and key in sqlite_truth and pg.get(key) == pg_truth.get(key) and sqlite.get(key) != sqlite_truth[key]:
        print(f"note: {key}: postgres {pg.get(key)!r} (right), sqlite {sqlite.get(key)!r} (stale)")
        continue
    print(f"FAIL differs: {key}: sqlite {sqlite.get(key)!r}, postgres {pg.get(key)!r}")
    failed = True

print(f"compared {len(set(sqlite) | set(pg))} kept rows and {len(pg_truth)} recounted ones")
sys.exit(1 if failed else 0)
