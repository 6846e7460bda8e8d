"""Alembic environment: the engine comes from ``gpact.store.migrate`` (no alembic.ini).

On SQLite, foreign keys are switched off while migrating: batch migrations rebuild a table by
copy-and-drop, and with foreign keys on, dropping the old table would cascade into the rows
that point at it. ``PRAGMA foreign_key_check`` afterwards makes sure nothing was left dangling.
"""

from __future__ import annotations

from alembic import context

from gpact.store.models import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # outside any transaction: the pragma is ignored inside one
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=sqlite)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    if sqlite:
        raw = connection.connection.driver_connection
        dangling = raw.execute("PRAGMA foreign_key_check").fetchall()
        raw.execute("PRAGMA foreign_keys=ON")
        if dangling:
            raise RuntimeError(f"migration left rows with broken foreign keys: {dangling[:5]}")
