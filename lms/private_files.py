"""Files only the app's user may read: the database, backups, keys (mode 0600).

They hold password hashes, reset-token hashes and signing keys; a umask of 022 (the
usual default) would leave them readable by every account on the server.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

PRIVATE = 0o600


def create_private(path: str | os.PathLike) -> None:
    """Create the file empty with mode 0600 if missing; tighten an existing one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE)
    os.close(fd)
    os.chmod(path, PRIVATE)


def private_sqlite_file(uri: str) -> None:
    """Before SQLite first opens the database: make the file 0600.

    SQLite creates its -wal and -shm files with the database file's mode, so they follow.
    """
    url = make_url(uri)
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return
    create_private(database)
