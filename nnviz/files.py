"""Opening a file the user names for reading: regular files only, anything else refused unopened.

Opening a FIFO blocks until a writer comes (forever, for a FIFO nobody writes), and opening a
device can have effects of its own (a tape rewinds, a terminal becomes the controlling one).
So a path is checked with :func:`os.stat` (which follows symbolic links: a link to a regular
file is fine, a link to a FIFO is not) before it is opened, then opened without blocking and
without becoming the controlling terminal, and the opened file is checked again with
:func:`os.fstat`, so a regular file swapped for a FIFO between the two steps is refused too
instead of read. The whole module is the standard library's.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

__all__ = ["FileRefusedError", "check_regular_file", "file_kind", "open_regular_file"]


class FileRefusedError(Exception):
    """A path that cannot be read as a regular file.

    The message is the reason, without the path (``not a regular file (a FIFO)``, ``cannot
    read (Permission denied)``); callers put their own path and error class in front of it.

    Attributes
    ----------
    missing
        Whether nothing is at the path (callers say "no such ... file").
    """

    def __init__(self, reason: str, missing: bool = False) -> None:
        super().__init__(reason)
        self.missing = missing


def file_kind(mode: int) -> str:
    """Return what a file of ``mode`` (``st_mode``) is, in words: ``a regular file``,
    ``a folder``, ``a FIFO``, ``a device``, ``a socket``, ``a symbolic link`` or
    ``a special file``."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a special file"


def check_regular_file(path: str | os.PathLike[str], follow_links: bool = True) -> os.stat_result:
    """Return the status of the regular file at ``path`` (following symbolic links unless
    ``follow_links`` is false, when a link is refused), without opening it.

    Raises
    ------
    FileRefusedError
        When nothing is at ``path`` (``missing`` set), it is not a regular file, or it cannot
        be examined.
    """
    try:
        status = os.stat(path) if follow_links else os.lstat(path)
    except FileNotFoundError:
        raise FileRefusedError("no such file", missing=True) from None
    except OSError as error:
        raise FileRefusedError(f"cannot read ({error.strerror or error})") from None
    _check_mode(status.st_mode)
    return status


def open_regular_file(
    path: str | os.PathLike[str], follow_links: bool = True
) -> tuple[BinaryIO, os.stat_result]:
    """Open the regular file at ``path`` for reading in binary; refuse anything else before
    opening it. Without ``follow_links`` a symbolic link is refused too (a file of a cache
    folder, which nnviz only ever fills with files of its own).

    Returns
    -------
    tuple[BinaryIO, os.stat_result]
        The open file (buffered, blocking reads) and the status of the file opened
        (:func:`os.fstat`), for its size.

    Raises
    ------
    FileRefusedError
        When nothing is at ``path`` (``missing`` set), it is not a regular file (a folder, a
        FIFO, a device, a socket, or a symbolic link to one), or it cannot be opened.
    """
    check_regular_file(path, follow_links)
    nonblocking = getattr(os, "O_NONBLOCK", 0)  # POSIX; the flags below are too
    flags = os.O_RDONLY | nonblocking | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)  # a link swapped in since it was examined
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:  # removed since it was examined
        raise FileRefusedError("no such file", missing=True) from None
    except OSError as error:
        raise FileRefusedError(f"cannot read ({error.strerror or error})") from None
    try:
        status = os.fstat(fd)
        _check_mode(status.st_mode)  # swapped for something else since it was examined
        if nonblocking:
            os.set_blocking(fd, True)  # reads wait for the disk as usual
        return os.fdopen(fd, "rb"), status
    except OSError as error:
        os.close(fd)
        raise FileRefusedError(f"cannot read ({error.strerror or error})") from None
    except BaseException:
        os.close(fd)
        raise


def _check_mode(mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise FileRefusedError(f"not a regular file ({file_kind(mode)})")
