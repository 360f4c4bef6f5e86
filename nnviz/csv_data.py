"""Two-feature, labelled data from a CSV file: read, validate, hash (numpy and the stdlib).

The rules (the README's "Your own data" repeats them):

- **Columns**: exactly three in every row: the two features (numbers), then the label (the
  **last** column; any text, e.g. ``0``/``1`` or ``Adelie``/``Gentoo``).
- **Header**: optional. The first row is a header when neither of its feature cells is a
  number; its feature names become the input plane's axis labels. A first row with one number
  and one name is refused (it is neither a header nor data).
- **Delimiter**: a comma; a semicolon or a tab when the first row splits into three columns
  by it and not by a comma. Decimal points only (``3.5``, not ``3,5``).
- **Quoting**: the csv module's (Excel's) rules: ``"…"`` around a cell, ``""`` for a quote.
- **Text**: UTF-8, with or without a byte-order mark. Cells are stripped of surrounding
  spaces. Lines that are blank, or hold only empty cells (``,,``), are skipped.
- **Numbers**: decimal or scientific notation (``-1.5``, ``2e-3``); NaN, infinity, empty
  cells, digit separators (``1_000``) and magnitudes above :data:`MAX_FEATURE_MAGNITUDE` are
  refused.
- **Labels**: the distinct label texts, sorted (by value when every label is a number, so
  ``0``/``1`` stay 0 and 1, ``2`` comes before ``10``; else as text), are the classes 0, 1, …
  This module does not limit their number beyond two at least: how many classes a network
  can learn is :data:`nnviz.config.OUTPUT_CLASSES`' business.
- **Size**: at least :data:`MIN_ROWS` rows of data, at most :data:`nnviz.config.MAX_SAMPLES`
  (the training limit); the file at most :data:`MAX_CSV_BYTES`, checked before it is read; a
  row at most :data:`MAX_ROW_CHARS` characters (a blank line of any length is skipped).
- **File**: a regular file, or a symbolic link to one; a folder, FIFO or device is refused
  before it is opened (:mod:`nnviz.files`). The file is read as a stream and every row is
  checked as it comes, so a refusal names the first bad line and memory stays small for any
  file within the limits; the hash is of the whole file, computed as it is read.

Every refusal is a :class:`CSVDataError`, one line naming the file, the line and the problem.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
import math
import os
import re
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from nnviz.config import MAX_NAME_CHARS, MAX_SAMPLES, ConfigError
from nnviz.files import FileRefusedError, open_regular_file
from nnviz.terminal import printable

__all__ = [
    "DELIMITERS",
    "MAX_CSV_BYTES",
    "MAX_FEATURE_MAGNITUDE",
    "MAX_ROW_CHARS",
    "MIN_ROWS",
    "CSVData",
    "CSVDataError",
    "check_test_split",
    "read_csv_data",
]

#: Largest CSV file read, in bytes (checked before reading): ample for
#: :data:`nnviz.config.MAX_SAMPLES` rows of full-precision numbers.
MAX_CSV_BYTES = 16 * 2**20
#: Longest row, in characters (its line, or its lines when a quoted cell spans several): far
#: beyond any row of two numbers and a label (the csv module refuses a cell of more than
#: 131072 characters anyway), and what keeps one huge line from becoming millions of cells in
#: memory. A longer blank line is skipped as any blank line is.
MAX_ROW_CHARS = 2**20
#: Fewest rows of data (a stratified test split needs two of each class).
MIN_ROWS = 4
#: Largest magnitude of a feature: beyond it the network's first layer overflows long before
#: anything could be drawn.
MAX_FEATURE_MAGNITUDE = 1e9
#: The delimiters tried, in order of preference.
DELIMITERS: tuple[str, ...] = (",", ";", "\t")

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}
#: Bytes read at a time.
_CHUNK_BYTES = 2**18


class CSVDataError(ConfigError):
    """A CSV data file cannot be used; the message is one line naming the file (and line)."""


@dataclass(frozen=True)
class CSVData:
    """The points of a CSV file.

    Attributes
    ----------
    X
        Features, float64, shape ``(N, 2)``, in the file's order.
    y
        Class indices, int64, shape ``(N,)``: the index of each row's label in
        :attr:`class_names`.
    feature_names
        The header's names of the two feature columns, or ``None`` without a header.
    class_names
        The distinct labels, sorted (see the module's rules); two or more.
    sha256
        SHA-256 of the file's bytes, hexadecimal.
    delimiter
        The delimiter found.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, str] | None
    class_names: tuple[str, ...]
    sha256: str
    delimiter: str = ","

    @property
    def rows(self) -> int:
        """Number of rows of data."""
        return len(self.y)


def read_csv_data(path: str | os.PathLike[str], max_rows: int = MAX_SAMPLES) -> CSVData:
    """Read and validate the CSV file at ``path``.

    The file is read as a stream, a chunk at a time: each row is checked as it comes and the
    row limit applies while reading, so no input up to :data:`MAX_CSV_BYTES` holds more than
    a few megabytes beside the points kept (a row at most :data:`MAX_ROW_CHARS` characters).

    Parameters
    ----------
    path
        The file; messages name it as given. It must be a regular file (or a symbolic link to
        one): a folder, FIFO or device is refused before it is opened.
    max_rows
        Most rows of data accepted.

    Returns
    -------
    CSVData
        The points, labels, names and the file's hash.

    Raises
    ------
    CSVDataError
        When the file is missing, unreadable, too large or breaks a rule of the module.
    """
    where = str(path)
    handle = _open(path, where)
    with handle:
        digest = hashlib.sha256()
        lines = _lines(_decoded(_chunks(handle, digest.update, where), where), where)
        first = next(lines, None)
        if first is None:
            raise CSVDataError(f"{where}: no data (the file is empty)")
        delimiter = _delimiter(*first, where)
        rows = _split(itertools.chain([first], lines), delimiter, where)
        top = next(rows, None)
        if top is None:
            raise CSVDataError(f"{where}: no data (every row holds only empty cells)")
        feature_names: tuple[str, str] | None = None
        if _is_header(top[1], top[0], where):
            feature_names = _names(top[1], top[0], where)
        else:
            rows = itertools.chain([top], rows)
        features = array("d")  # x1, x2 of every row, in turn
        label_ids = array("q")  # every row's label, as its index in ``labels``
        labels: dict[str, int] = {}
        for line, cells in rows:
            if len(label_ids) == max_rows:
                raise CSVDataError(
                    f"{where}: more than {max_rows} rows of data; nnviz trains on at most "
                    f"{max_rows} points (nnviz.config.MAX_SAMPLES)"
                )
            features.append(_feature(cells[0], line, 1, where))
            features.append(_feature(cells[1], line, 2, where))
            label = cells[2]
            if label not in labels:
                _check_label(label, line, where)
                labels[label] = len(labels)
            label_ids.append(labels[label])
    count = len(label_ids)
    if count < MIN_ROWS:
        raise CSVDataError(
            f"{where}: {count} row{'' if count == 1 else 's'} of data; at least "
            f"{MIN_ROWS} are needed"
        )
    class_names = _sorted_labels(set(labels))
    if len(class_names) < 2:
        raise CSVDataError(
            f"{where}: every row has the label {class_names[0]!r}; two classes are needed"
        )
    index_of = {name: k for k, name in enumerate(class_names)}
    classes = np.array([index_of[label] for label in labels], dtype=np.int64)
    X = np.frombuffer(features, dtype=np.float64).reshape(count, 2).copy()
    y = classes[np.frombuffer(label_ids, dtype=np.int64)]
    return CSVData(X, y, feature_names, class_names, digest.hexdigest(), delimiter)


def check_test_split(data: CSVData, test_fraction: float, where: str) -> None:
    """Refuse a test split of ``data`` that would leave a class without a training or a test
    point: with ``test_fraction`` above 0, every class needs at least 2 points.

    Raises
    ------
    CSVDataError
        Naming the smallest class.
    """
    if test_fraction <= 0:
        return
    counts = np.bincount(data.y, minlength=len(data.class_names))
    smallest = int(np.argmin(counts))
    if counts[smallest] < 2:
        raise CSVDataError(
            f"{where}: class {data.class_names[smallest]!r} has {counts[smallest]} point; a "
            "test set needs at least 2 points of each class (one to train on, one to test)"
        )


def _open(path: str | os.PathLike[str], where: str) -> BinaryIO:
    """The file, open, once it is known to be a regular file of at most the limit."""
    try:
        handle, status = open_regular_file(path)
    except FileRefusedError as error:
        if error.missing:
            raise CSVDataError(f"{where}: no such CSV file") from None
        raise CSVDataError(f"{where}: {error}") from None
    if status.st_size > MAX_CSV_BYTES:
        handle.close()
        raise CSVDataError(_too_large(where, status.st_size))
    return handle


def _too_large(where: str, size: int) -> str:
    return (
        f"{where}: {size} bytes, more than the limit of {MAX_CSV_BYTES} bytes "
        f"({MAX_CSV_BYTES // 2**20} MiB) for a CSV data file"
    )


def _too_long(where: str, line: int) -> str:
    return (
        f"{where}: line {line}: a row of more than {MAX_ROW_CHARS} characters; a row holds two "
        "numbers and a label"
    )


def _chunks(handle: BinaryIO, digest: Callable[[bytes], object], where: str) -> Iterator[bytes]:
    """The file's bytes in chunks, each given to ``digest`` (a hash's ``update``); a file that
    grows past the limit while it is read is refused."""
    size = 0
    while True:
        try:
            chunk = handle.read(_CHUNK_BYTES)
        except OSError as error:
            raise CSVDataError(f"{where}: cannot read ({error.strerror or error})") from None
        if not chunk:
            return
        size += len(chunk)
        if size > MAX_CSV_BYTES:
            raise CSVDataError(_too_large(where, size))
        digest(chunk)
        yield chunk


def _decoded(chunks: Iterator[bytes], where: str) -> Iterator[str]:
    """The text of UTF-8 ``chunks``, without a byte-order mark at its start; a byte that
    cannot be decoded is refused, named by its position in the file."""
    start = 0  # the position in the file of ``pending``'s first byte
    pending = b""  # the start of a character that the next chunk completes
    first = True  # whether no character came yet
    for chunk in chunks:
        data = pending + chunk if pending else chunk
        try:
            text, used = codecs.utf_8_decode(data, "strict", False)
        except UnicodeDecodeError as error:
            raise CSVDataError(_not_utf8(where, start + error.start)) from None
        pending, start = data[used:], start + used
        if first and text:
            first = False
            text = text.removeprefix("\ufeff")
        yield text
    if pending:  # a character cut off by the end of the file
        try:
            codecs.utf_8_decode(pending, "strict", True)
        except UnicodeDecodeError as error:
            raise CSVDataError(_not_utf8(where, start + error.start)) from None


def _not_csv(where: str, line: int, error: csv.Error) -> str:
    """The csv module's complaint, printable (it quotes the delimiter, which can be a tab)."""
    return f"{where}: line {line}: not valid CSV ({printable(str(error))})"


def _not_utf8(where: str, position: int) -> str:
    return f"{where}: not UTF-8 text (byte {position + 1} cannot be decoded)"


def _lines(texts: Iterator[str], where: str) -> Iterator[tuple[int, str]]:
    """(line number, text without its line break) of every line of ``texts`` that is not
    blank; a line ends at ``\r\n``, ``\r`` or ``\n``. Quoted line breaks are the csv
    module's concern (see :func:`_split`). No line longer than :data:`MAX_ROW_CHARS` is ever
    held: one is refused, unless it is blank (then skipped as it goes)."""
    number = 1  # the line that ``head`` begins
    head = ""  # the text of the line not yet ended
    long_blank = False  # whether that line is blank and longer than the limit (head dropped)
    carry = ""  # a ``\r`` at the end of a chunk: a line break, or the start of ``\r\n``
    for chunk in itertools.chain(texts, [None]):
        final = chunk is None
        text = carry + chunk if chunk is not None else carry
        carry = ""
        if not final and text.endswith("\r"):
            text, carry = text[:-1], "\r"
        # Nothing but whitespace, and the line it continues blank too: only blank lines end.
        blank = text.isspace() and (long_blank or not head or head.isspace())
        if "\r" in text:  # a \r\n is never cut in two: a chunk's last \r waits in ``carry``
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        pieces = text.split("\n")
        if long_blank:
            if pieces[0] and not pieces[0].isspace():
                raise CSVDataError(_too_long(where, number))
            pieces[0] = ""
        elif head:
            pieces[0] = head + pieces[0]
        if final:
            pieces.append("")  # the last line ends with the file
        continued = len(pieces) == 1  # no line ends in this chunk
        rest = pieces.pop()
        # The lines that are not blank, found by string methods and one comprehension: a file
        # of millions of blank lines passes quickly.
        found = [] if blank else [k for k, line in enumerate(pieces) if line and not line.isspace()]
        for index in found:
            piece = pieces[index]
            if len(piece) > MAX_ROW_CHARS:
                raise CSVDataError(_too_long(where, number + index))
            if "\x00" in piece:
                raise CSVDataError(
                    f"{where}: line {number + index}: a NUL character; this is not a text file"
                )
            yield number + index, piece
        number += len(pieces)
        if long_blank and continued:
            continue
        head, long_blank = rest, False
        if len(head) > MAX_ROW_CHARS:
            if not head.isspace():
                raise CSVDataError(_too_long(where, number))
            head, long_blank = "", True


def _delimiter(line: int, first_line: str, where: str) -> str:
    """The delimiter that splits ``first_line`` into three cells: a comma if it does."""
    counts: dict[str, int] = {}
    for delimiter in DELIMITERS:
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error as error:  # e.g. a cell longer than the csv module's field limit
            raise CSVDataError(_not_csv(where, line, error)) from None
        counts[delimiter] = len(cells)
        if len(cells) == 3:
            return delimiter
    found = max(counts.values())
    raise CSVDataError(
        f"{where}: line {line} has {found} column{'' if found == 1 else 's'}; expected 3 (two "
        "features, then the label), separated by commas (or semicolons, or tabs)"
    )


class _Feed:
    """The lines of the csv module's reader, each with a line break; it remembers the number
    of the last line given and refuses a row (its lines since :meth:`row_done`) longer than
    :data:`MAX_ROW_CHARS`, which a quoted cell left open would make of the rest of the file.

    A line of nothing but delimiters and spaces that starts a row is a row of empty cells,
    which :func:`_split` skips: it is skipped here, without the csv module's work (a file of
    millions of ``,,`` lines passes quickly). Inside a row (a quoted cell open) every line goes
    to the reader."""

    def __init__(self, lines: Iterator[tuple[int, str]], delimiter: str, where: str) -> None:
        self._lines = lines
        self._delimiter = delimiter
        self._where = where
        self._size = 0
        self.line = 0

    def __iter__(self) -> Iterator[str]:
        delimiter = self._delimiter
        for number, text in self._lines:
            if not self._size and not text.replace(delimiter, "").strip():
                continue
            self.line = number
            self._size += len(text) + 1
            if self._size > MAX_ROW_CHARS:
                raise CSVDataError(_too_long(self._where, number))
            yield text + "\n"

    def row_done(self) -> None:
        """Start counting the characters of the next row."""
        self._size = 0


def _split(
    lines: Iterator[tuple[int, str]], delimiter: str, where: str
) -> Iterator[tuple[int, list[str]]]:
    """Every non-empty row as (its last line's number, three stripped cells)."""
    feed = _Feed(lines, delimiter, where)
    reader = csv.reader(feed, delimiter=delimiter, strict=True)
    name = _DELIMITER_NAMES[delimiter]
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CSVDataError(_not_csv(where, feed.line, error)) from None
        feed.row_done()
        line = feed.line
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if len(cells) != 3:
            raise CSVDataError(
                f"{where}: line {line}: {len(cells)} column{'' if len(cells) == 1 else 's'} "
                f"separated by {name}; expected 3 (two features, then the label)"
            )
        yield line, cells


def _is_header(cells: Sequence[str], line: int, where: str) -> bool:
    """Whether the first row is a header: neither feature cell is a number."""
    numeric = [_is_number(cell) for cell in cells[:2]]
    if any(numeric) and not all(numeric):
        name = cells[numeric.index(False)]
        raise CSVDataError(
            f"{where}: line {line}: {name!r} is not a number, but the row's other feature is "
            "(a header row names both feature columns)"
        )
    return not any(numeric)


def _names(cells: Sequence[str], line: int, where: str) -> tuple[str, str]:
    """The two feature names of a header row."""
    for column, name in enumerate(cells[:2], start=1):
        if not name:
            raise CSVDataError(f"{where}: line {line}: column {column} of the header has no name")
        if len(name) > MAX_NAME_CHARS or not name.isprintable():
            raise CSVDataError(
                f"{where}: line {line}: column {column} of the header is not a name of at most "
                f"{MAX_NAME_CHARS} printable characters"
            )
    return cells[0], cells[1]


def _check_label(label: str, line: int, where: str) -> None:
    """Refuse a label the legend cannot show: empty, too long or not printable."""
    if not label:
        raise CSVDataError(f"{where}: line {line}: the label (column 3) is empty")
    if len(label) > MAX_NAME_CHARS or not label.isprintable():
        shown = label if len(label) <= 20 else f"{label[:17]}..."
        raise CSVDataError(
            f"{where}: line {line}: the label {shown!r} is not a name of at most "
            f"{MAX_NAME_CHARS} printable characters"
        )


def _is_number(cell: str) -> bool:
    return _NUMBER.fullmatch(cell) is not None or _NOT_FINITE.fullmatch(cell) is not None


def _feature(cell: str, line: int, column: int, where: str) -> float:
    """The number in ``cell``, or a one-line refusal."""
    at = f"{where}: line {line}: column {column}"
    if not cell:
        raise CSVDataError(f"{at} is empty; every feature must be a number")
    if _NOT_FINITE.fullmatch(cell):
        raise CSVDataError(f"{at}: {cell!r} is not a finite number (NaN and infinity are refused)")
    if _NUMBER.fullmatch(cell) is None:
        hint = " (use a decimal point)" if re.fullmatch(r"[+-]?\d*,\d+", cell) else ""
        shown = cell if len(cell) <= 20 else f"{cell[:17]}..."
        raise CSVDataError(f"{at}: {shown!r} is not a number{hint}")
    value = float(cell)
    if not math.isfinite(value) or abs(value) > MAX_FEATURE_MAGNITUDE:
        raise CSVDataError(f"{at}: {cell} is beyond ±{MAX_FEATURE_MAGNITUDE:g}")
    return value


def _sorted_labels(labels: set[str]) -> tuple[str, ...]:
    """The labels by value when all are finite numbers (ties by text), else as text."""
    try:
        values = {label: float(label) for label in labels if _NUMBER.fullmatch(label)}
    except ValueError:  # pragma: no cover - the pattern admits only what float reads
        values = {}
    if len(values) == len(labels):
        return tuple(sorted(labels, key=lambda label: (values[label], label)))
    return tuple(sorted(labels))
