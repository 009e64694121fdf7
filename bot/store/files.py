"""Files and folders the bot creates (database, keys): readable by their owner only."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """``path``, created owner-only (0700) when missing; a warning when others can read it."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.chmod(0o700)  # mkdir's mode goes through the umask
    elif stat.S_IMODE(path.stat().st_mode) & 0o077:
        log.warning("%s can be listed by other users: chmod 700 it", path)
    return path


def private_file(path: Path) -> None:
    """Create ``path`` empty and owner-only (0600) when missing, else make it owner-only."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)


def private_sqlite(database: Path) -> None:
    """The SQLite file and the files beside it owner-only (SQLite gives its -wal and
    -shm the mode of the database file)."""
    private_dir(database.parent)
    private_file(database)
    for suffix in SQLITE_SIDE_FILES:
        side = database.with_name(database.name + suffix)
        if side.exists() and stat.S_IMODE(side.stat().st_mode) & 0o077:
            side.chmod(0o600)


def read_or_create(path: Path, make: Callable[[], str]) -> str:
    """The text of ``path``; when missing, ``make()`` written there first, owner-only.

    Written to a temporary file then linked into place, so that two processes starting
    together read the same value and never a half-written file.
    """
    if not path.exists():
        private_dir(path.parent)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(descriptor, make().encode("utf-8"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(draft, path)
            log.warning("generated %s; set it in the environment in production", path)
        except FileExistsError:
            pass  # another process wrote it first: use theirs
        finally:
            draft.unlink()
    return path.read_text(encoding="utf-8").strip()
