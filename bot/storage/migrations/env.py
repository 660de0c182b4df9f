"""The Alembic environment, configured in code by `bot.storage.schema`.

`config.attributes["connection"]` is the connection to migrate (given by
`bot.storage.schema`); without one, `sqlalchemy.url` is opened. Everything runs in
one transaction that holds the database's write lock (BEGIN IMMEDIATE on SQLite,
the store's advisory lock on PostgreSQL), so two replicas starting together
cannot both migrate. SQLite alters run in batch mode (copy and move).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import bot.storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.storage.engine import LOCK_KEY, make_engine

config = context.config
target_metadata = SQLModel.metadata


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    # Tables that are not oncall-bot's (a shared schema) are none of its business.
    return type_ != "table" or name in target_metadata.tables


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        include_name=_include_name,
        compare_type=True,
        **kwargs,  # type: ignore[arg-type]
    )


def _run(connection: Connection) -> None:
    _configure(
        connection=connection,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        context.run_migrations()


def run_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    _configure(url=url, literal_binds=True, render_as_batch=str(url).startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url: see bot.storage.schema")
    engine = make_engine(url, immediate=True)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
