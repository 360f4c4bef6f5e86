"""Read the plain arrays of an ``.npz`` archive, never unpickling anything and never reading
more than its caller allows.

:func:`numpy.load` trusts an archive's headers: it allocates what a header declares and
inflates what a member holds. :func:`read_npz` reads every chosen member's ``.npy`` header
first (format 1 or 2, numeric or text dtypes only, no objects, the declared sizes within the
caller's limit), and only then exactly the declared bytes of each, refusing trailing data. The
central directory's entry count is checked before :mod:`zipfile` builds an object per entry.
"""

from __future__ import annotations

import io
import math
import os
import struct
import zipfile
from collections.abc import Callable, Collection, Sequence
from typing import IO, BinaryIO

import numpy as np

from nnviz.terminal import brief

__all__ = ["MAX_HEADER_BYTES", "NpzError", "read_npz"]

#: numpy's own limit for a safe ``.npy`` header.
MAX_HEADER_BYTES = 10_000


class NpzError(ValueError):
    """The archive is not what its reader allows; the message is one line, without the path
    (the caller names the file)."""


def read_npz(
    handle: BinaryIO,
    choose: Callable[[list[str]], Sequence[str]],
    *,
    max_members: int,
    max_data_bytes: int,
    text_keys: Collection[str] = (),
    max_text_chars: int = 0,
    what: str = "archive",
) -> dict[str, np.ndarray]:
    """Return the chosen arrays of the ``.npz`` archive open as ``handle``.

    Parameters
    ----------
    choose
        Given the archive's member names (without ``.npy``), returns the ones to read; it may
        raise its own error (a member a caller needs is missing).
    max_members
        Archives listing more entries are refused before they are opened.
    max_data_bytes
        The chosen numeric arrays may declare at most this many bytes in all (each of them
        too).
    text_keys
        Members that hold one string (a 0-d unicode array) of at most ``max_text_chars``
        characters; every other member must be numeric.
    what
        What the archive is, in messages (``run file``).

    Raises
    ------
    NpzError
        For an archive the limits refuse. Damaged archives raise whatever :mod:`zipfile`,
        :mod:`zlib` or numpy raise.
    """
    _check_central_directory(handle, max_members, what)
    with zipfile.ZipFile(handle) as archive:
        members: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            key = info.filename.removesuffix(".npy")
            if key in members:
                raise NpzError(f"archive holds {key!r} twice")
            members[key] = info
        headers = {}
        for key in choose(list(members)):
            info = members[key]
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise NpzError(f"{key!r} uses an unsupported compression")
            with archive.open(info) as stream:
                headers[key] = _read_header(key, stream, key in text_keys, max_text_chars,
                                            max_data_bytes, what)  # fmt: skip
        declared = sum(nbytes for key, (*_, nbytes) in headers.items() if key not in text_keys)
        if declared > max_data_bytes:
            raise NpzError(
                f"arrays declare {declared} bytes, more than the limit of {max_data_bytes} bytes"
            )
        arrays = {}
        for key, (shape, fortran, dtype, nbytes) in headers.items():
            with archive.open(members[key]) as stream:
                _read_header(key, stream, key in text_keys, max_text_chars, max_data_bytes, what)
                arrays[key] = _read_data(key, stream, shape, fortran, dtype, nbytes, what)
    return arrays


def _check_central_directory(handle: BinaryIO, max_members: int, what: str) -> None:
    """Refuse archives whose central directory lists more than ``max_members`` entries,
    before :mod:`zipfile` builds an object for each of them."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail_size = min(size, 22 + 65535)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    handle.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        raise NpzError(f"damaged or not an .npz {what} (no zip directory)")
    (entries,) = struct.unpack("<H", tail[end + 10 : end + 12])
    if entries > max_members:
        raise NpzError(f"archive lists {entries} entries; a {what} has {max_members - 1}")


def _read_exactly(stream: IO[bytes], size: int, what: str) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise NpzError(f"damaged {what} (an array is truncated)")
    return data


def _read_header(
    key: str,
    stream: IO[bytes],
    text: bool,
    max_text_chars: int,
    max_data_bytes: int,
    what: str,
) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """Read and check one ``.npy`` header; return shape, Fortran order, dtype and data bytes."""
    magic = _read_exactly(stream, 8, what)
    if magic[:6] != b"\x93NUMPY" or magic[6:] not in (b"\x01\x00", b"\x02\x00"):
        raise NpzError(f"{key!r} is not a .npy array of format 1 or 2")
    length_format = "<H" if magic[6] == 1 else "<I"
    raw_length = _read_exactly(stream, struct.calcsize(length_format), what)
    (length,) = struct.unpack(length_format, raw_length)
    if length > MAX_HEADER_BYTES:
        raise NpzError(
            f"the .npy header of {key!r} is {length} bytes long (limit {MAX_HEADER_BYTES})"
        )
    header = io.BytesIO(magic + raw_length + _read_exactly(stream, length, what))
    header.seek(8)
    if magic[6] == 1:
        read = np.lib.format.read_array_header_1_0
    else:
        read = np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read(header, max_header_size=MAX_HEADER_BYTES)
    if dtype.hasobject:
        raise NpzError(f"{key!r} holds pickled objects, refused")
    if dtype.kind not in ("U" if text else "fiu") or dtype.itemsize == 0 or dtype.fields:
        kind = "a string" if text else "numeric"
        raise NpzError(f"array {key!r} must be {kind}, got dtype {brief(dtype)}")
    if any(not isinstance(n, int) or n < 0 for n in shape):
        raise NpzError(f"array {key!r} has an invalid shape")
    nbytes = math.prod(shape) * dtype.itemsize
    if text and (shape != () or nbytes > max_text_chars * 4):
        raise NpzError(f"{key!r} must be one string of at most {max_text_chars} characters")
    if nbytes > max_data_bytes:
        raise NpzError(
            f"array {key!r} declares {nbytes} bytes, more than the limit of {max_data_bytes} bytes"
        )
    return tuple(shape), bool(fortran), dtype, nbytes


def _read_data(
    key: str,
    stream: IO[bytes],
    shape: tuple[int, ...],
    fortran: bool,
    dtype: np.dtype,
    nbytes: int,
    what: str,
) -> np.ndarray:
    """Read exactly the ``nbytes`` of data a header declared, and check that nothing follows."""
    buffer = bytearray(nbytes)
    view = memoryview(buffer)
    done = 0
    while done < nbytes:
        chunk = stream.read(min(nbytes - done, 1 << 20))
        if not chunk:
            raise NpzError(f"damaged {what} (array {key!r} is truncated)")
        view[done : done + len(chunk)] = chunk
        done += len(chunk)
    if stream.read(1):
        raise NpzError(f"damaged {what} (array {key!r} has trailing data)")
    count = math.prod(shape)
    array = np.frombuffer(buffer, dtype=dtype, count=count)
    return array.reshape(shape, order="F" if fortran else "C")
