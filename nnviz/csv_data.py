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
  (the training limit); the file at most :data:`MAX_CSV_BYTES`, checked before it is read.

Every refusal is a :class:`CSVDataError`, one line naming the file, the line and the problem.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.config import MAX_NAME_CHARS, MAX_SAMPLES, ConfigError
from nnviz.files import FileRefusedError, open_regular_file

__all__ = [
    "DELIMITERS",
    "MAX_CSV_BYTES",
    "MAX_FEATURE_MAGNITUDE",
    "MIN_ROWS",
    "CSVData",
    "CSVDataError",
    "check_test_split",
    "read_csv_data",
]

#: Largest CSV file read, in bytes (checked before reading): ample for
#: :data:`nnviz.config.MAX_SAMPLES` rows of full-precision numbers.
MAX_CSV_BYTES = 16 * 2**20
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

    Parameters
    ----------
    path
        The file; messages name it as given.
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
    content = _read_bytes(path)
    where = str(path)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CSVDataError(
            f"{where}: not UTF-8 text (byte {error.start + 1} cannot be decoded)"
        ) from None
    rows = _rows(text, where)
    if not rows:
        raise CSVDataError(f"{where}: no data (the file is empty)")
    delimiter = _delimiter(*rows[0], where)
    parsed = _split(rows, delimiter, where)
    first_line, first = parsed[0]
    feature_names: tuple[str, str] | None = None
    if _is_header(first, first_line, where):
        feature_names = _names(first, first_line, where)
        parsed = parsed[1:]
    if len(parsed) > max_rows:
        raise CSVDataError(
            f"{where}: more than {max_rows} rows of data; nnviz trains on at most {max_rows} "
            "points (nnviz.config.MAX_SAMPLES)"
        )
    if len(parsed) < MIN_ROWS:
        raise CSVDataError(
            f"{where}: {len(parsed)} row{'' if len(parsed) == 1 else 's'} of data; at least "
            f"{MIN_ROWS} are needed"
        )
    X = np.empty((len(parsed), 2), dtype=np.float64)
    labels: list[str] = []
    seen: set[str] = set()
    for index, (line, cells) in enumerate(parsed):
        X[index, 0] = _feature(cells[0], line, 1, where)
        X[index, 1] = _feature(cells[1], line, 2, where)
        label = cells[2]
        if label not in seen:
            _check_label(label, line, where)
            seen.add(label)
        labels.append(label)
    class_names = _sorted_labels(set(labels))
    if len(class_names) < 2:
        raise CSVDataError(
            f"{where}: every row has the label {class_names[0]!r}; two classes are needed"
        )
    index_of = {name: k for k, name in enumerate(class_names)}
    y = np.array([index_of[label] for label in labels], dtype=np.int64)
    digest = hashlib.sha256(content).hexdigest()
    return CSVData(X, y, feature_names, class_names, digest, delimiter)


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


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The file's bytes, after checking that it is a regular file of at most the limit (a
    folder, FIFO or device is refused before it is opened: opening a FIFO blocks)."""
    where = str(path)
    try:
        handle, status = open_regular_file(path)
    except FileRefusedError as error:
        if error.missing:
            raise CSVDataError(f"{where}: no such CSV file") from None
        raise CSVDataError(f"{where}: {error}") from None
    with handle:
        if status.st_size > MAX_CSV_BYTES:
            raise CSVDataError(_too_large(where, status.st_size))
        try:
            content = handle.read(MAX_CSV_BYTES + 1)  # a file that grew meanwhile
        except OSError as error:
            raise CSVDataError(f"{where}: cannot read ({error.strerror or error})") from None
    if len(content) > MAX_CSV_BYTES:
        raise CSVDataError(_too_large(where, len(content)))
    return content


def _too_large(where: str, size: int) -> str:
    return (
        f"{where}: {size} bytes, more than the limit of {MAX_CSV_BYTES} bytes "
        f"({MAX_CSV_BYTES // 2**20} MiB) for a CSV data file"
    )


def _rows(text: str, where: str) -> list[tuple[int, str]]:
    """The lines of ``text`` as (line number, text), blank ones dropped; quoted line breaks
    are the csv module's concern, so lines are kept whole here (see :func:`_split`)."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise CSVDataError(f"{where}: line {line}: a NUL character; this is not a text file")
    lines = re.split(r"\r\n|\r|\n", text)
    return [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]


def _delimiter(line: int, first_line: str, where: str) -> str:
    """The delimiter that splits ``first_line`` into three cells: a comma if it does."""
    counts: dict[str, int] = {}
    for delimiter in DELIMITERS:
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error as error:  # e.g. a cell longer than the csv module's field limit
            raise CSVDataError(f"{where}: line {line}: not valid CSV ({error})") from None
        counts[delimiter] = len(cells)
        if len(cells) == 3:
            return delimiter
    found = max(counts.values())
    raise CSVDataError(
        f"{where}: line {line} has {found} column{'' if found == 1 else 's'}; expected 3 (two "
        "features, then the label), separated by commas (or semicolons, or tabs)"
    )


def _split(rows: list[tuple[int, str]], delimiter: str, where: str) -> list[tuple[int, list[str]]]:
    """Every non-empty row as (line number, three stripped cells)."""
    numbers = [number for number, _ in rows]
    source = io.StringIO("\n".join(line for _, line in rows) + "\n", newline="")
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    result: list[tuple[int, list[str]]] = []
    name = _DELIMITER_NAMES[delimiter]
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            line = numbers[min(reader.line_num, len(numbers)) - 1]
            raise CSVDataError(f"{where}: line {line}: not valid CSV ({error})") from None
        line = numbers[reader.line_num - 1]
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if len(cells) != 3:
            raise CSVDataError(
                f"{where}: line {line}: {len(cells)} column{'' if len(cells) == 1 else 's'} "
                f"separated by {name}; expected 3 (two features, then the label)"
            )
        result.append((line, cells))
    return result


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
