"""Fuzz tests (hypothesis) of the two readers of files a user gives: the CSV reader and the
run-file loader. Any bytes give a valid result or one line of the reader's own error, never
another exception and never a hang (an alarm fails an example that blocks).

They complement the seeded fuzz of ``tests/test_run_file_hostile.py`` (truncations, bit
flips, arrays rewritten by numpy, forged shapes of known dtypes, values from a fixed list):
here hypothesis writes raw bytes, byte-level edits anywhere in a small run file, ``.npy``
headers as text, member names and arbitrary JSON in the ``config``; and CSV files, both valid
ones generated with the points they must read as (the oracle) and edited ones. Every test is
derandomized with no example database, and bounded in examples, so it takes the same few
seconds on every run.
"""

from __future__ import annotations

import hashlib
import io
import json
import string
import struct
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nnviz.config import MAX_NAME_CHARS, RunConfig
from nnviz.csv_data import MAX_FEATURE_MAGNITUDE, MIN_ROWS, CSVData, CSVDataError, read_csv_data
from nnviz.run import Run, RunFileError
from nnviz.run_file import load_run, save_run
from tests.timeouts import no_hang


def fuzz(examples: int) -> settings:
    """At most ``examples`` examples, the same on every run (derandomized, none remembered
    between runs: no example database), no deadline (the machine is shared): a run of this
    file costs the same few seconds each time."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def _one_line(message: str) -> None:
    """A message is one line a terminal shows as it is: printable characters only (no line
    break, no tab, no escape sequence)."""
    assert message and message.isprintable(), repr(message)


# --- the CSV reader ---------------------------------------------------------------------------


def _read_csv(path: Path, content: bytes) -> CSVData | None:
    """Write ``content`` and read it: the data, or ``None`` after a one-line refusal."""
    path.write_bytes(content)
    with no_hang():
        try:
            data = read_csv_data(path)
        except CSVDataError as error:
            message = str(error)
            _one_line(message)
            assert message.startswith(f"{path}: "), message
            return None
    _valid_csv(data, content)
    return data


def _valid_csv(data: CSVData, content: bytes) -> None:
    """What any data the reader returns must satisfy, checked without the reader's code."""
    rows = len(data.y)
    assert data.X.shape == (rows, 2) and data.X.dtype == np.float64
    assert data.y.dtype == np.int64 and rows >= MIN_ROWS
    assert np.all(np.isfinite(data.X)) and np.all(np.abs(data.X) <= MAX_FEATURE_MAGNITUDE)
    assert len(data.class_names) >= 2 and len(set(data.class_names)) == len(data.class_names)
    assert set(np.unique(data.y).tolist()) == set(range(len(data.class_names)))
    for name in (*data.class_names, *(data.feature_names or ())):
        assert name and name == name.strip() and name.isprintable()
        assert len(name) <= MAX_NAME_CHARS
    assert data.delimiter in (",", ";", "\t")
    assert data.sha256 == hashlib.sha256(content).hexdigest()


# Regressions the fuzzing found or that issue 19 named, each kept as an example.
@example(b",,\n,,\n")  # every row of empty cells: was an IndexError
@example(b"x" * 200_000 + b",y,c\n")  # a first cell past the csv module's limit: was _csv.Error
@example(b"\xef\xbb\xbf")  # a byte-order mark alone
@example(b'1,2,"a\n3,4,b\n')  # a quote left open to the end
@example(b"\r\r\n\n\r")
@given(content=st.binary(max_size=600))
@fuzz(200)
def test_any_bytes_are_data_or_one_line(tmp_path: Path, content: bytes) -> None:
    _read_csv(tmp_path / "fuzz.csv", content)


#: Text that a CSV file is made of, to write files that reach the rules beyond decoding.
_CSV_PIECES = st.sampled_from(
    [",", ";", "\t", "\n", "\r\n", "\r", '"', '""', " ", "1", "-2.5", "3e4", "1e400", "+.5",
     "nan", "-inf", "1_000", "3,5", "x", "y", "a", "b", "Adelie", "é", "😀", "\x00", "\ufeff",
     "\x0b", "\u2028", "\x1b[2J", "0", "10", "2"]
)  # fmt: skip


@example(pieces=["\t", "\t", '""', ","])  # the csv module's message quoted a tab as it was
@given(pieces=st.lists(_CSV_PIECES, max_size=80))
@fuzz(200)
def test_csv_like_text_is_data_or_one_line(tmp_path: Path, pieces: list[str]) -> None:
    _read_csv(tmp_path / "fuzz.csv", "".join(pieces).encode("utf-8"))


def _not_a_number(text: str) -> bool:
    """Whether Python reads no number in ``text`` (not even NaN or infinity), so that a row
    of such names is a header."""
    try:
        float(text)
    except ValueError:
        return True
    return False


#: Letters (a name or a text label starts with one) and what may follow them; explicit
#: alphabets, which hypothesis draws from quickly.
_LETTERS = string.ascii_letters + "éßÅ漢字"
_NAME = st.builds(
    lambda first, rest: (first + rest).strip(),
    st.sampled_from(_LETTERS),
    st.text(alphabet=_LETTERS + string.digits + " ()_.;,-", max_size=30),
).filter(_not_a_number)
_TEXT_LABEL = st.builds(
    lambda first, rest: (first + rest).strip(),
    st.sampled_from(_LETTERS),
    st.text(alphabet=_LETTERS + string.digits + string.punctuation + " 😀€·", max_size=39),
)
_NUMBER_LABEL = st.integers(-1000, 1000).map(str)


def _without(text: str, characters: str) -> str:
    """``text`` with each of ``characters`` replaced by a dot."""
    return text.translate({ord(c): "." for c in characters})


@st.composite
def _valid_csv_files(draw: st.DrawFn) -> tuple[bytes, dict[str, Any]]:
    """A valid CSV file in one of the many ways the rules allow, and what it must read as."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    numeric_labels = draw(st.booleans())
    pool = draw(st.lists(_NUMBER_LABEL if numeric_labels else _TEXT_LABEL, min_size=2,
                         max_size=4, unique=True))  # fmt: skip
    value = st.floats(-MAX_FEATURE_MAGNITUDE, MAX_FEATURE_MAGNITUDE, allow_nan=False)
    style = st.sampled_from(["repr", "plus", "padded", "quoted"])
    # Each row: two numbers, a label of the pool, how the numbers are written, whether the
    # label is quoted (a few draws of lists: drawing cell by cell is slow).
    rows = draw(st.lists(st.tuples(value, value, st.integers(0, len(pool) - 1), style, style,
                                   st.booleans()), min_size=MIN_ROWS, max_size=12))  # fmt: skip
    rows[0], rows[1] = (*rows[0][:2], 0, *rows[0][3:]), (*rows[1][:2], 1, *rows[1][3:])
    rows = draw(st.permutations(rows))  # two labels at least, anywhere
    picks = [row[2] for row in rows]
    X = [row[:2] for row in rows]
    # A header's names are never quoted; no cell of the first row may hold a delimiter that
    # comes before the file's own in the order they are tried (the first row would split by it).
    earlier = {",": "", ";": ",", "\t": ",;"}[delimiter] + delimiter
    header = draw(st.none() | st.tuples(_NAME, _NAME, _NAME))
    if header is not None:
        header = tuple(_without(name, earlier).strip() or "n" for name in header)
    pool = [_without(label, earlier[:-1]) for label in pool]
    if len(set(pool)) < len(pool):
        pool = [f"{label}{k}" for k, label in enumerate(pool)]

    def number(x: float, style: str) -> str:
        text = str(int(x)) if x.is_integer() else repr(x)  # repr: the float, exactly
        if style == "plus" and not text.startswith("-"):
            return "+" + text
        if style == "padded":  # spaces around a cell are stripped
            return f" {text}  "
        return f'"{text}"' if style == "quoted" else text

    def label(text: str, quoted: bool) -> str:
        if quoted or '"' in text or delimiter in text:
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [] if header is None else [delimiter.join(header)]
    for x1, x2, pick, style1, style2, quoted in rows:
        lines.append(delimiter.join([number(x1, style1), number(x2, style2),
                                     label(pool[pick], quoted)]))  # fmt: skip
    blanks = draw(st.lists(st.tuples(st.integers(1, len(lines)),
                                     st.sampled_from(["", "  ", "\t", delimiter * 2,
                                                      f" {delimiter} {delimiter} "])),
                           max_size=4))  # fmt: skip
    for position, blank in sorted(blanks, reverse=True):  # never before the first line
        lines.insert(position, blank)
    breaks = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = breaks.join(lines) + draw(st.sampled_from(["", breaks]))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    used = sorted({pool[pick] for pick in picks}, key=int if numeric_labels else None)
    expected = {
        "X": X,
        "y": [used.index(pool[pick]) for pick in picks],
        "class_names": tuple(used),
        "feature_names": None if header is None else header[:2],
        "delimiter": delimiter,
    }
    return bom + text.encode("utf-8"), expected


@given(case=_valid_csv_files())
@fuzz(80)
def test_a_valid_file_reads_as_the_points_it_was_written_from(
    tmp_path: Path, case: tuple[bytes, dict[str, Any]]
) -> None:
    """The oracle is the generator: the numbers written (repr round-trips a float), the
    labels sorted by the README's rule, the header's names, the delimiter."""
    content, expected = case
    data = _read_csv(tmp_path / "valid.csv", content)
    assert data is not None
    np.testing.assert_array_equal(data.X, np.array(expected["X"]))
    np.testing.assert_array_equal(data.y, expected["y"])
    assert data.class_names == expected["class_names"]
    assert data.feature_names == expected["feature_names"]
    assert data.delimiter == expected["delimiter"]


_EDIT_BYTES = st.sampled_from(
    [b'"', b",", b";", b"\t", b"\n", b"\r", b"\x00", b"\xff", b"\xc3", b"\xe2\x80", b" ",
     b"e", b"-", b".", b"9" * 12, b"nan", b"\xef\xbb\xbf", b'""', b"x" * 70]
)  # fmt: skip
_EDITS = st.lists(
    st.tuples(st.sampled_from(["insert", "delete", "replace", "cut"]), st.integers(0, 10**6),
              _EDIT_BYTES),
    min_size=1, max_size=4,
)  # fmt: skip


def _edit(content: bytes, edits: list[tuple[str, int, bytes]]) -> bytes:
    """``content`` with each edit applied at its position (modulo the length)."""
    data = bytearray(content)
    for kind, where, piece in edits:
        at = where % (len(data) + 1)
        if kind == "insert":
            data[at:at] = piece
        elif kind == "delete":
            del data[at : at + 1 + where % 5]
        elif kind == "replace":
            data[at : at + len(piece)] = piece
        else:
            del data[at:]
    return bytes(data)


@given(case=_valid_csv_files(), edits=_EDITS)
@fuzz(100)
def test_an_edited_valid_file_is_data_or_one_line(
    tmp_path: Path, case: tuple[bytes, dict[str, Any]], edits: list[tuple[str, int, bytes]]
) -> None:
    _read_csv(tmp_path / "edited.csv", _edit(case[0], edits))


# --- the run-file loader ----------------------------------------------------------------------


def _small_run(test: bool = False) -> Run:
    """A valid run of 8 points and 2 epochs, made without training (only its form matters)."""
    rng = np.random.default_rng(0)
    states, points = 3, 8
    config = RunConfig(samples=points, max_epochs=2, test_fraction=0.25 if test else 0.0)
    y = np.array([0, 1] * 4)
    extra: dict[str, Any] = {}
    if test:
        extra = {
            "test": np.array([True, True] + [False] * 6),
            "test_loss": np.full(states, 0.5),
            "test_accuracy": np.full(states, 0.5),
        }
    return Run(config=config, W=(rng.normal(size=(states, 2, 2)), rng.normal(size=(states, 1, 2))),
               b=(rng.normal(size=(states, 2)), rng.normal(size=(states, 1))),
               loss=np.array([0.7, 0.6, 0.5]), accuracy=np.array([0.5, 0.625, 0.75]),
               X=rng.normal(size=(points, 2)), y=y, stop_reason="max_epochs", **extra)  # fmt: skip


@pytest.fixture(scope="module")
def run_files(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """The bytes of small valid run files: with and without a test set, stored and deflated."""
    folder = tmp_path_factory.mktemp("runs")
    files = []
    for test in (False, True):
        path = save_run(_small_run(test), folder / f"run{int(test)}.npz")
        files.append(path.read_bytes())
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
        deflated = folder / f"deflated{int(test)}.npz"
        np.savez_compressed(deflated, **arrays)
        files.append(deflated.read_bytes())
    for content in files:
        (folder / "check.npz").write_bytes(content)
        load_run(folder / "check.npz")  # each is valid to begin with
    return files


def _load(path: Path, content: bytes) -> Run | None:
    """Write ``content`` and load it: the run, or ``None`` after a one-line refusal."""
    path.write_bytes(content)
    with no_hang():
        try:
            run = load_run(path)
        except RunFileError as error:
            message = str(error)
            _one_line(message)
            assert message.startswith(f"{path}: "), message
            return None
    _valid_run(run)
    return run


def _valid_run(run: Run) -> None:
    """What every run load_run returns must satisfy."""
    states = len(run.loss)
    widths = (2, *run.config.hidden, 1)
    assert len(run.W) == len(run.b) == len(widths) - 1
    for k, (W, b) in enumerate(zip(run.W, run.b, strict=True)):
        assert W.shape == (states, widths[k + 1], widths[k]) and b.shape == (states, widths[k + 1])
    assert run.accuracy.shape == (states,) and run.X.ndim == 2 and run.X.shape[1] == 2
    assert run.y.shape == (len(run.X),) and set(np.unique(run.y).tolist()) <= {0, 1}
    for array in (*run.W, *run.b, run.loss, run.accuracy, run.X):
        assert np.all(np.isfinite(array))
    assert np.all(run.loss >= 0) and np.all((run.accuracy >= 0) & (run.accuracy <= 1))
    assert run.epochs <= run.config.max_epochs


@example(content=b"")
@example(content=b"PK\x05\x06" + bytes(18))  # an empty zip
@example(content=b"PK\x05\x06" + b"\xff" * 18)  # a zip directory that claims 65535 entries
@given(content=st.binary(max_size=2000) | st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b))
@fuzz(100)
def test_any_bytes_are_a_run_or_one_line(tmp_path: Path, content: bytes) -> None:
    _load(tmp_path / "fuzz.npz", content)


_BYTE_EDITS = st.lists(
    st.tuples(st.sampled_from(["flip", "set", "delete", "insert", "cut", "repeat"]),
              st.integers(0, 10**6), st.integers(0, 255)),
    min_size=1, max_size=6,
)  # fmt: skip


def _edit_bytes(content: bytes, edits: list[tuple[str, int, int]]) -> bytes:
    data = bytearray(content)
    for kind, where, value in edits:
        at = where % max(len(data), 1)
        if kind == "flip" and data:
            data[at] ^= 1 << (value % 8)
        elif kind == "set" and data:
            data[at] = value
        elif kind == "delete":
            del data[at : at + 1 + value % 16]
        elif kind == "insert":
            data[at:at] = bytes([value]) * (1 + where % 7)
        elif kind == "cut":
            del data[at:]
        else:
            data[at:at] = data[at : at + 1 + value]
    return bytes(data)


@given(base=st.integers(0, 3), edits=_BYTE_EDITS)
@fuzz(200)
def test_a_valid_run_file_edited_anywhere_is_a_run_or_one_line(
    tmp_path: Path, run_files: list[bytes], base: int, edits: list[tuple[str, int, int]]
) -> None:
    _load(tmp_path / "edited.npz", _edit_bytes(run_files[base], edits))


def _members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": meant
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


#: Text as a hostile file would hold it: any, or one of a few that break lines and terminals.
_TEXT = st.text(max_size=12) | st.sampled_from(
    ["", "a\nb", "\r", "\t", "\x1b[2J", "\u2028", "\x00", "\x85", "é" * 50, "relu"]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_TEXT, children, max_size=4),
    max_leaves=12,
)
_DESCR = st.sampled_from(
    ["<f8", ">f8", "<f4", "<f2", "<i8", "|u1", "|b1", "<c16", "|O", "<U5", "|S0", "|V8", "<m8",
     "<M8[s]", "[('a', '<f8')]", "'<f8'", "None", "'xyz'", "'<f8', '<i8'"]
)  # fmt: skip
_SHAPE = st.sampled_from(
    ["()", "(3,)", "(3, 2)", "(3, 2, 2)", "(8, 2)", "(8,)", "(-1,)", "(2**62, 2)", "(3.0,)",
     "('3',)", "(3, 2, 2, 2)", "(0, 2)", "((3,),)", "[3]", "3", "(10**10,)"]
)  # fmt: skip


def _npy_header(descr: str, fortran: str, shape: str, version: int) -> bytes:
    text = f"{{'descr': {descr}, 'fortran_order': {fortran}, 'shape': {shape}, }}"
    text = text.encode("latin-1", "replace")
    text += b" " * ((-len(text) - 11) % 64) + b"\n"
    if version == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text
    return b"\x93NUMPY\x02\x00" + struct.pack("<I", len(text)) + text


@st.composite
def _member_edits(draw: st.DrawFn, files: list[bytes]) -> bytes:
    """A run file whose zip is sound and whose members are not: a header written as text, a
    member's bytes replaced, a member renamed, dropped or doubled, or the JSON changed."""
    members = list(_members(files[draw(st.integers(0, len(files) - 1))]).items())
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(members) - 1))
        name, data = members[index]
        kind = draw(st.sampled_from(["header", "bytes", "rename", "drop", "double", "json"]))
        if kind == "header":
            header = _npy_header(
                draw(_DESCR) if draw(st.booleans()) else repr(draw(st.text(max_size=12))),
                draw(st.sampled_from(["False", "True", "0", "'x'", "None"])),
                draw(_SHAPE),
                draw(st.sampled_from([1, 2])),
            )
            members[index] = (name, header + draw(st.binary(max_size=200)))
        elif kind == "bytes":
            members[index] = (
                name,
                data[: draw(st.integers(0, 16))] + draw(st.binary(max_size=200)),
            )
        elif kind == "rename":
            new = draw(st.sampled_from(["W3.npy", "b3.npy", "W1", "x.npy", "test.npy",
                                        "../W1.npy", "W1.npy", "config.npy"])
                       | st.text(min_size=1, max_size=12))  # fmt: skip
            members[index] = (new, data)
        elif kind == "drop" and len(members) > 1:
            del members[index]
        elif kind == "double":
            members.append((name, data))
        else:
            members = _with_json(draw, members)
    return _zip(members)


def _with_json(draw: st.DrawFn, members: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The members with the ``config`` JSON changed: a key of the run's configuration (or a
    new one, any text) set to any JSON value, deleted, or the whole document replaced."""
    found = [k for k, (name, _) in enumerate(members) if name == "config.npy"]
    if not found:  # an earlier edit dropped or renamed it
        return members
    try:
        raw = np.lib.format.read_array(io.BytesIO(members[found[0]][1]), allow_pickle=False)
        meta = json.loads(str(raw))
    except Exception:  # an earlier edit damaged it
        return members
    if not isinstance(meta, dict):
        meta = {}
    inner = meta.get("config")
    target = inner if isinstance(inner, dict) and draw(st.booleans()) else meta
    keys = _TEXT
    key = draw(st.sampled_from(sorted(target)) | keys if target else keys)
    choice = draw(st.sampled_from(["set", "delete", "replace"]))
    if choice == "set":
        target[key] = draw(_JSON)
    elif choice == "delete":
        target.pop(key, None)
    else:
        meta = draw(_JSON)
    member = io.BytesIO()
    np.lib.format.write_array(member, np.array(json.dumps(meta)))
    members[found[0]] = ("config.npy", member.getvalue())
    return members


@given(data=st.data())
@fuzz(200)
def test_a_run_file_with_damaged_members_is_a_run_or_one_line(
    tmp_path: Path, run_files: list[bytes], data: st.DataObject
) -> None:
    _load(tmp_path / "members.npz", data.draw(_member_edits(run_files)))


def test_the_fuzzed_bases_are_valid_and_json_edits_can_stay_valid(
    tmp_path: Path, run_files: list[bytes]
) -> None:
    """The edits start from valid files (stored and deflated, with and without a test set),
    and an edit of the JSON that keeps it valid loads: not everything is refused at once."""
    for k, content in enumerate(run_files):
        assert _load(tmp_path / f"{k}.npz", content) is not None
    members = _members(run_files[0])
    meta = json.loads(str(np.lib.format.read_array(io.BytesIO(members["config.npy"]))))
    meta["nnviz_version"] = "any text"
    member = io.BytesIO()
    np.lib.format.write_array(member, np.array(json.dumps(meta)))
    members["config.npy"] = member.getvalue()
    run = _load(tmp_path / "edited.npz", _zip(list(members.items())))
    assert run is not None and run.epochs == 2
