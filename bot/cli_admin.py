"""Administration commands: the schema's revision, and backup/move of all state.

    oncall db upgrade            bring the database to this version's schema
    oncall db current            the database's schema revision
    oncall export [-o FILE]      all state as JSON (standard output by default)
    oncall import FILE [--replace]

Like every command they read DATABASE_URL (default sqlite:///oncall.db). Moving
between SQLite and PostgreSQL is an export from one URL and an import into the
other. bot.cli registers these commands; this module does not import bot.cli.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from bot.cli_errors import UsageError
from bot.clock import Clock
from bot.settings import DEFAULT_DATABASE_URL
from bot.storage.engine import MissingDatabase
from bot.storage.store import StorageError, Store, safe_url


def open_store(env: dict[str, str], *, create: bool = True) -> Store:
    """The store on DATABASE_URL (default sqlite:///oncall.db), for every CLI command.

    A command that only reads the database passes `create=False`: a missing SQLite file
    is then an error (MissingDatabase), not a new empty file left behind."""
    return Store(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL, create=create)


def _failed(what: str, store: Store, e: Exception) -> StorageError:
    """An unexpected database error as one line: its kind and first line, no password."""
    orig = getattr(e, "orig", None)
    detail = str(orig if orig is not None else e).strip().splitlines()
    reason = f"{e.__class__.__name__}: {detail[0][:200]}" if detail else e.__class__.__name__
    return StorageError(f"cannot {what} {safe_url(store.url)}: {reason}")


def cmd_db_upgrade(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    from bot.storage.schema import upgrade

    store = open_store(env)
    try:
        before, after = upgrade(store)
    except StorageError:
        raise
    except Exception as e:
        raise _failed("upgrade", store, e) from None
    if before == after:
        print(f"The database is already at revision {after}; nothing to do.")
    else:
        print(f"Upgraded the database from revision {before or '(empty)'} to {after}.")
    return 0


def cmd_db_current(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    from bot.storage import schema

    try:
        store = open_store(env, create=False)
    except MissingDatabase as e:
        print(f"none: there is no database at {e.path}; oncall db upgrade creates it")
        return 0
    try:
        current, tables = schema.state(store)
    except Exception as e:
        raise _failed("read", store, e) from None
    if current == schema.HEAD:
        print(f"{current} (head: up to date)")
    elif current is None and not tables:
        print(f"none: the database is empty; oncall db upgrade creates revision {schema.HEAD}")
    elif current is None:
        print("none: tables made before migrations; oncall db upgrade records their revision")
    elif schema.known(current):
        print(f"{current} (behind: this version needs {schema.HEAD}; run: oncall db upgrade)")
    else:
        print(f"{current} (newer than this version, which needs {schema.HEAD}: upgrade the bot)")
    return 0


def _summary(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    return f"{total} rows (" + ", ".join(f"{k} {n}" for k, n in counts.items()) + ")"


def _write_private(path: Path, text: str) -> None:
    """Created readable by its owner only, like the SQLite file: it holds the schedule."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise UsageError(f"--output: cannot write {path}: {e.strerror}") from None


def cmd_export(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    from bot.storage.transfer import TABLES, export_state

    store = open_store(env, create=False)  # nothing to export: never create a file for it
    store.create_all()
    try:
        doc = export_state(store, clock.now())
    except Exception as e:
        raise _failed("export", store, e) from None
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if args.output and args.output != "-":
        _write_private(Path(args.output), text)
        counts = {name: len(doc["tables"][name]) for name in TABLES}
        print(f"wrote {args.output}: {_summary(counts)}")
    else:
        sys.stdout.write(text)
    return 0


def _read_document(name: str) -> Any:
    try:
        if name == "-":
            text = sys.stdin.read()
        else:
            text = Path(name).read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot read {name}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(
            f"{name} is not UTF-8 text: give a file written by oncall export"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(
            f"{name} is not valid JSON ({e.msg} at line {e.lineno} column {e.colno}): "
            "give a file written by oncall export"
        ) from None


def cmd_import(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    from bot.storage.transfer import TransferError, import_state, validate_state

    data = _read_document(args.file)
    try:
        validate_state(data)  # before the database is opened (or created)
    except TransferError as e:
        raise UsageError(f"{args.file}: {e}") from None
    store = open_store(env)
    store.create_all()
    try:
        counts = import_state(store, data, replace=args.replace)
    except TransferError as e:
        raise UsageError(str(e)) from None
    except Exception as e:
        raise _failed("import into", store, e) from None
    print(f"imported {_summary(counts)} into {safe_url(store.url)}")
    return 0


def register(sub: Any) -> None:
    """Add `db`, `export` and `import` to the `oncall` sub-command parser."""
    p = sub.add_parser("db", help="the database schema: upgrade, current revision")
    db = p.add_subparsers(
        dest="db_command", required=True, metavar="{upgrade,current}", parser_class=type(p)
    )
    q = db.add_parser("upgrade", help="migrate the database to this version's schema")
    q.set_defaults(handler=cmd_db_upgrade)
    q = db.add_parser("current", help="print the database's schema revision")
    q.set_defaults(handler=cmd_db_current)

    p = sub.add_parser("export", help="all state as JSON, for backups and moving databases")
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("import", help="load a JSON export into an empty database")
    p.add_argument("file", help="a file written by oncall export ('-' for standard input)")
    p.add_argument(
        "--replace", action="store_true", help="delete the database's current state first"
    )
    p.set_defaults(handler=cmd_import)
