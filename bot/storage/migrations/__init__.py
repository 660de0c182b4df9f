"""Alembic migrations of the oncall-bot schema, shipped inside the package.

`bot.storage.schema` runs them (and so does `oncall db upgrade`) with a Config
built in code: no alembic.ini is needed. To draft the next revision, upgrade a
scratch database to head, change `bot/storage/tables.py`, then:

    from alembic import command
    from bot.storage.schema import alembic_config
    command.revision(alembic_config("sqlite:///scratch.db"), "what changed",
                     autogenerate=True, rev_id="0003")

and edit the result into plain, portable operations (SQLite and PostgreSQL).
"""
