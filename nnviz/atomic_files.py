"""Files written whole or not at all: a temporary file in the target's folder, renamed into
place; the checks before such a write; the clean-up of what killed writes leave.

Run files (:func:`nnviz.run_file.save_run`), videos and stills placed at ``--out``
(:mod:`nnviz.rendering`) are written this way.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from nnviz.errors import RunFileError

__all__ = [
    "STALE_TEMPORARY_SECONDS",
    "check_writable_target",
    "new_file_mode",
    "remove_stale_temporaries",
    "write_atomically",
]

#: Temporary files of writes that were killed are removed once they are this old (seconds).
STALE_TEMPORARY_SECONDS = 600.0


def check_writable_target(path: Path, what: str = "a run file") -> None:
    """Refuse ``path`` as a file to write (``what``: a run file, a video, ...) unless it is a
    regular file or a new path in a folder that exists (or can be made) and is writable; call
    it before expensive work.

    Raises
    ------
    RunFileError
        With a one-line message naming ``path``.
    """
    try:
        status = path.lstat()
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise RunFileError(f"{path}: cannot write ({error.strerror or error})") from None
    if status is not None and not stat.S_ISREG(status.st_mode):
        kind = (
            "a symbolic link" if stat.S_ISLNK(status.st_mode)
            else "a folder" if stat.S_ISDIR(status.st_mode)
            else "a FIFO" if stat.S_ISFIFO(status.st_mode)
            else "a device" if stat.S_ISCHR(status.st_mode) or stat.S_ISBLK(status.st_mode)
            else "not a regular file"
        )  # fmt: skip
        raise RunFileError(f"{path}: is {kind}; {what} is written only to a regular file "
                           "or a new path")  # fmt: skip
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise RunFileError(f"{path}: cannot write ({folder} is not a folder)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RunFileError(f"{path}: cannot write (folder {folder} is not writable)")


def remove_stale_temporaries(
    folder: str | os.PathLike[str], name: str | None = None, age: float | None = None
) -> list[Path]:
    """Remove the temporary files that killed writes of run files left in ``folder``.

    Only files named ``.<name>.*.tmp`` (any ``name`` ending in ``.npz`` when ``name`` is
    ``None``) and older than ``age`` seconds (default :data:`STALE_TEMPORARY_SECONDS`) are
    removed: younger ones may belong to a write in progress. Returns the removed paths.
    """
    limit = STALE_TEMPORARY_SECONDS if age is None else age
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        stem = entry.name
        if not (stem.startswith(".") and stem.endswith(".tmp")):
            continue
        base = stem[1:].rsplit(".", 2)[0] if stem.count(".") >= 3 else ""
        if (name is not None and base != name) or (name is None and not base.endswith(".npz")):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or now - entry.stat().st_mtime < limit:
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def new_file_mode() -> int:
    """Return the permissions the umask gives a new file (``0o666 & ~umask``): a file written
    to a temporary name and renamed into place gets these, as any file the user creates."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(target: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write a file at ``target`` with ``write(handle)``: into a temporary file in the same
    folder (made if needed, with the permissions of :func:`new_file_mode`), flushed to disk,
    then renamed over ``target``. An interrupted write leaves any earlier file at ``target``
    untouched and no temporary file behind.

    Raises
    ------
    OSError
        When the file cannot be written; its ``filename`` is ``target``, not the temporary
        file.
    """
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), new_file_mode())
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror or str(error), str(target)) from error
    except BaseException:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise
