"""Persistence for the gpact server: tables, migrations, the audit chain and backups.

Only ``gpact.services`` uses this package; the domain engines never touch a database.
"""

from gpact.store import access as _access  # noqa: F401  (its table is part of Base.metadata)
from gpact.store.db import Database, resolve_url
from gpact.store.migrate import upgrade

__all__ = ["Database", "resolve_url", "upgrade"]
