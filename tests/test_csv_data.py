"""CSV data: parsing against hand-written files and numpy's own parser, every refusal through
the CLI (one line, non-zero exit, nothing trained), the hash in the cache key, the sample's run
through the run file, and load_points refusing a changed file."""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnviz.csv_data as csv_data
from nnviz.config import MAX_SAMPLES, ConfigError, RunConfig
from nnviz.csv_data import (
    MAX_CSV_BYTES,
    MAX_ROW_CHARS,
    CSVDataError,
    check_test_split,
    read_csv_data,
)
from nnviz.mobjects.context import BlockContext, PanelContext
from nnviz.run_file import load_run
from nnviz.train import load_points
from tests.cli_invoke import invoke

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "penguins.csv"


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


# --- parsing ---------------------------------------------------------------------------------


def test_a_header_names_the_features_and_labels_are_sorted_text(tmp_path: Path) -> None:
    path = write(
        tmp_path / "fish.csv",
        "length (cm),weight (g),species\n30,400,pike\n25.5,310,perch\n-1e1,.5,pike\n4,+2,perch\n",
    )
    data = read_csv_data(path)
    assert data.feature_names == ("length (cm)", "weight (g)")
    assert data.class_names == ("perch", "pike")  # sorted: perch is class 0
    np.testing.assert_array_equal(data.X, [[30, 400], [25.5, 310], [-10, 0.5], [4, 2]])
    np.testing.assert_array_equal(data.y, [1, 0, 1, 0])
    assert data.X.dtype == np.float64 and data.y.dtype == np.int64
    assert data.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_without_a_header_every_row_is_data_and_0_1_labels_keep_their_values(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "a.csv", "1,2,1\n3,4,0\n5,6,1\n7,8,0\n")
    data = read_csv_data(path)
    assert data.feature_names is None and data.class_names == ("0", "1")
    np.testing.assert_array_equal(data.y, [1, 0, 1, 0])
    np.testing.assert_array_equal(data.X[:, 0], [1, 3, 5, 7])


def test_numeric_labels_sort_by_value(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "1,2,10\n3,4,2\n5,6,10\n7,8,2\n")
    data = read_csv_data(path)
    assert data.class_names == ("2", "10")
    np.testing.assert_array_equal(data.y, [1, 0, 1, 0])


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("x;y;c\n1;2;a\n3;4;b\n5;6;a\n7;8;b\n", ";"),
        ("x\ty\tc\n1\t2\ta\n3\t4\tb\n5\t6\ta\n7\t8\tb\n", "\t"),
        ('"x, first","y ""2""",c\r\n1,2,a\r\n\r\n3,4,"b"\r\n 5 , 6 ,a\r\n,,\r\n7,8,b\r\n', ","),
    ],
    ids=["semicolon", "tab", "quotes-crlf-blank-lines"],
)
def test_delimiters_quoting_and_blank_lines(tmp_path: Path, text: str, delimiter: str) -> None:
    data = read_csv_data(write(tmp_path / "a.csv", "\ufeff" + text))  # with a byte-order mark
    assert data.delimiter == delimiter
    assert data.class_names == ("a", "b")
    np.testing.assert_array_equal(data.X, [[1, 2], [3, 4], [5, 6], [7, 8]])
    if delimiter == ",":
        assert data.feature_names == ("x, first", 'y "2"')


def test_the_sample_reads_as_numpy_reads_it() -> None:
    """numpy's own parser is the oracle for the numbers; the labels are the species."""
    data = read_csv_data(SAMPLE)
    X = np.loadtxt(SAMPLE, delimiter=",", skiprows=1, usecols=(0, 1))
    species = np.loadtxt(SAMPLE, delimiter=",", skiprows=1, usecols=2, dtype=str)
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.y, (species == "Gentoo").astype(np.int64))
    assert data.feature_names == ("bill length (mm)", "bill depth (mm)")
    assert data.class_names == ("Adelie", "Gentoo")
    assert 150 <= data.rows <= 300 and (data.y == 0).sum() > 0 and (data.y == 1).sum() > 0


def test_the_reader_takes_up_to_six_classes_and_the_configuration_counts_them(
    tmp_path: Path,
) -> None:
    data = read_csv_data(write(tmp_path / "a.csv", "1,2,a\n3,4,b\n5,6,c\n7,8,a\n"))
    assert data.class_names == ("a", "b", "c")
    named = {"dataset": "csv", "data_file": "a.csv", "data_hash": data.sha256}
    assert RunConfig(**named, class_names=data.class_names, classes=3).output == "softmax"
    with pytest.raises(ConfigError, match=r"class_names holds 3 names \(a, b, c\) for 2 classes"):
        RunConfig(class_names=data.class_names)
    with pytest.raises(ConfigError, match=r"^7 classes \(a, b, c, d, e, f, g\); nnviz learns 2 "):
        RunConfig(class_names=tuple("abcdefg"), classes=7)


def test_a_test_split_needs_two_points_of_every_class(tmp_path: Path) -> None:
    data = read_csv_data(write(tmp_path / "a.csv", "1,2,a\n3,4,a\n5,6,a\n7,8,b\n"))
    check_test_split(data, 0.0, "a.csv")  # no split: a class of one point trains
    with pytest.raises(CSVDataError, match=r"class 'b' has 1 point"):
        check_test_split(data, 0.25, "a.csv")


# --- every bad CSV, through the CLI ------------------------------------------------------------

#: The csv module's limit of a cell's characters (the oracle of the messages about it).
FIELD_LIMIT = csv.field_size_limit()

TOO_MANY_CLASSES = "x,y,label\n" + "".join(f"{k},{k},{name}\n" for k, name in enumerate("gfedcba"))

#: (file name, content, what the one line says); content None: the file does not exist.
BAD_FILES: list[tuple[str, str | bytes | None, str]] = [
    ("missing.csv", None, r"missing\.csv: no such CSV file$"),
    ("latin1.csv", "x,y,c\n1,2,caf\xe9\n".encode("latin-1"), r"not UTF-8 text \(byte 14 cannot be"),
    ("empty.csv", "\n\n", r"empty\.csv: no data \(the file is empty\)$"),
    ("two.csv", "1,2\n3,4\n", r"two\.csv: line 1 has 2 columns; expected 3 \(two features"),
    ("four.csv", "1,2,a\n3,4,b,9\n5,6,a\n7,8,b\n", r"four\.csv: line 2: 4 columns separated"),
    ("word.csv", "x,y,c\n1,2,a\n3,four,b\n5,6,a\n7,8,b\n", r"line 3: column 2: 'four' is not a"),
    ("comma.csv", "x;y;c\n1;2,5;a\n3;4;b\n5;6;a\n7;8;b\n", r"'2,5' is not a number \(use a deci"),
    ("nan.csv", "1,2,a\n3,4,b\nNaN,6,a\n7,8,b\n", r"line 3: column 1: 'NaN' is not a finite"),
    ("inf.csv", "1,2,a\n3,-inf,b\n5,6,a\n7,8,b\n", r"line 2: column 2: '-inf' is not a finite"),
    ("huge.csv", "1,2,a\n3,1e400,b\n5,6,a\n7,8,b\n", r"line 2: column 2: 1e400 is beyond ±1e\+09"),
    ("gap.csv", "1,2,a\n3,,b\n5,6,a\n7,8,b\n", r"line 2: column 2 is empty"),
    ("nolabel.csv", "1,2,a\n3,4,\n5,6,a\n7,8,b\n", r"line 2: the label \(column 3\) is empty"),
    ("mixed.csv", "x,2,c\n1,2,a\n3,4,b\n5,6,a\n7,8,b\n", r"line 1: 'x' is not a number, but"),
    ("quote.csv", '1,2,a\n3,4,"b"x\n5,6,a\n7,8,b\n', r"line 2: not valid CSV \(',' expected after"),
    ("nul.csv", "1,2,a\n3,4\x00,b\n", r"line 2: a NUL character"),
    # Found by tests/test_fuzz_files.py: the csv module's message quoted a tab as it was.
    ("tabs.csv", 'x\ty\tc\n1\t2\t"a"b\n', r"line 2: not valid CSV \('\\t' expected after '\"'\)$"),
    # Issue 19: a first line beyond the csv module's field limit was a _csv.Error traceback.
    (
        "wide.csv",
        "x" * (FIELD_LIMIT + 1) + ",y,c\n1,2,a\n",
        rf"line 1: not valid CSV \(field larger than field limit \({FIELD_LIMIT}\)\)$",
    ),
    (
        "wide2.csv",
        "1,2,a\n3,4," + "b" * (FIELD_LIMIT + 1) + "\n",
        rf"line 2: not valid CSV \(field larger than field limit \({FIELD_LIMIT}\)\)$",
    ),
    ("cells.csv", ",,\n , ,\n\n", r"cells\.csv: no data \(every row holds only empty cells\)$"),
    (
        "long.csv",
        "1," + " " * MAX_ROW_CHARS + "2,a\n3,4,b\n",
        rf"long\.csv: line 1: a row of more than {MAX_ROW_CHARS} characters; a row holds two",
    ),
    ("one.csv", "x,y,c\n1,2,a\n3,4,a\n5,6,a\n7,8,a\n", r"every row has the label 'a'; two classes"),
    (
        "seven.csv",
        TOO_MANY_CLASSES,
        r"seven\.csv: 7 classes \(a, b, c, d, e, f, g\); nnviz learns 2 to 6 classes$",
    ),
    ("short.csv", "x,y,c\n1,2,a\n3,4,b\n5,6,a\n", r"short\.csv: 3 rows of data; at least 4 are"),
    ("folder.csv", "", r"folder\.csv: not a regular file"),
    ("big.csv", "", rf"big\.csv: {MAX_CSV_BYTES + 1} bytes, more than the limit of {2**24} "),
    ("rows.csv", "", rf"rows\.csv: more than {MAX_SAMPLES} rows of data; nnviz trains on at most"),
]


def make_bad_file(folder: Path, name: str, content: str | bytes | None) -> Path:
    path = folder / name
    if name == "folder.csv":
        path.mkdir()
    elif name == "big.csv":  # sparse: the size is refused before anything is read
        with open(path, "wb") as handle:
            handle.truncate(MAX_CSV_BYTES + 1)
    elif name == "rows.csv":
        rows = MAX_SAMPLES + 1
        path.write_text("".join(f"{k % 7},{k % 5},{'ab'[k % 2]}\n" for k in range(rows)))
    elif content is not None:
        write(path, content)
    return path


#: Every bad file through ``train``; a few through ``sweep`` and ``render`` (one reader serves all).
BAD_CASES = [("train", *bad) for bad in BAD_FILES] + [
    (command, *bad)
    for command in ("sweep", "render")
    for bad in BAD_FILES
    if bad[0] in ("missing.csv", "nan.csv", "seven.csv")
]


@pytest.mark.parametrize(
    ("command", "name", "content", "message"),
    BAD_CASES,
    ids=[f"{case[0]}-{case[1]}" for case in BAD_CASES],
)
def test_a_bad_csv_is_one_line_and_nothing_is_trained(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    name: str,
    content: str | bytes | None,
    message: str,
) -> None:
    monkeypatch.setenv("NNVIZ_RUNS_DIR", str(tmp_path / "cache"))
    path = make_bad_file(tmp_path, name, content)
    out = tmp_path / "run.npz"
    args = [command, "--data", str(path)]
    args += ["--out", str(out) if command == "train" else str(tmp_path / "runs")]
    if command == "render":
        args = args[:-2]
    code, stdout, stderr = invoke(*args)
    assert code == 1, stderr
    assert stderr.count("\n") == 1 and stderr.startswith("nnviz: "), stderr
    assert "Traceback" not in stderr and stdout == ""
    assert _matches(message, stderr.strip()), stderr
    assert not out.exists() and not (tmp_path / "runs").exists()
    assert not (tmp_path / "cache").exists() and not list(tmp_path.rglob("*.npz"))


def _matches(pattern: str, text: str) -> bool:
    import re

    return re.search(pattern, text) is not None


def test_a_class_too_small_to_split_is_refused_before_training(tmp_path: Path) -> None:
    path = write(tmp_path / "small.csv", "1,2,a\n3,4,a\n5,6,a\n7,8,b\n")
    out = tmp_path / "run.npz"
    code, _, stderr = invoke("train", "--data", str(path), "--test-fraction", "0.25",
                             "--out", str(out))  # fmt: skip
    assert code == 1 and stderr.count("\n") == 1
    assert f"nnviz: {path}: class 'b' has 1 point; a test set needs at least 2" in stderr
    assert not out.exists()


@pytest.mark.parametrize("flag", [["--dataset", "moons"], ["--samples", "10"], ["--noise", "1"]])
def test_data_and_a_built_in_data_option_exclude_each_other(flag: list[str]) -> None:
    code, _, stderr = invoke("train", "--data", str(SAMPLE), *flag, "--out", "r.npz")
    assert code == 2 and stderr.count("\n") == 1
    assert f"--data and {flag[0]} exclude each other" in stderr
    assert not Path("r.npz").exists()


# --- reading as a stream ----------------------------------------------------------------------

#: A file whose every kind of boundary a small chunk size cuts: a byte-order mark, CRLF, CR
#: and LF line breaks, blank lines, two- to four-byte characters in the header, a quoted cell
#: over two lines (the label, refused later in the file, is not the point here).
STREAMED_LINES = ["x é,y 漢字 😀,c", "", "1,2,a", "  ", "3.5,-4,b", "5,6e1,a", "", '7,8,"b"']
STREAMED = (
    "\ufeff" + "\r\n".join(STREAMED_LINES[:4]) + "\r" + "\n".join(STREAMED_LINES[4:]) + "\r\n"
)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64, 2**18])
def test_every_chunk_size_reads_the_same_points_and_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """The reader takes the file a chunk at a time; cutting it anywhere (inside a character,
    between \\r and \\n, inside the byte-order mark) changes nothing."""
    path = write(tmp_path / "a.csv", STREAMED)
    monkeypatch.setattr(csv_data, "_CHUNK_BYTES", chunk)
    data = read_csv_data(path)
    assert data.feature_names == ("x é", "y 漢字 😀") and data.class_names == ("a", "b")
    np.testing.assert_array_equal(data.X, [[1, 2], [3.5, -4], [5, 60], [7, 8]])
    np.testing.assert_array_equal(data.y, [0, 1, 0, 1])
    assert data.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 2**18])
def test_lines_are_counted_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Line numbers count CRLF, CR and LF breaks once each, wherever a chunk ends."""
    text = "x é,y 漢字 😀,c\r\n\r\n1,2,a\r\n  \r\n3.5,-4,b\r5,6e1,a\n\n\r\r\n9,ten,a\n"
    # Counted by hand: 1 header, 2 blank, 3 "1,2,a", 4 blank, 5 "3.5,-4,b" (ends with CR),
    # 6 "5,6e1,a", 7 blank (LF), 8 blank (CR), 9 blank (CRLF), 10 "9,ten,a".
    bad_line = 10
    monkeypatch.setattr(csv_data, "_CHUNK_BYTES", chunk)
    with pytest.raises(CSVDataError, match=rf"a\.csv: line {bad_line}: column 2: 'ten' is not"):
        read_csv_data(write(tmp_path / "a.csv", text))


@pytest.mark.parametrize("chunk", [1, 2, 3, 64, 2**18])
@pytest.mark.parametrize("mark", [b"", b"\xef\xbb\xbf"])
def test_a_byte_that_is_not_utf8_is_named_by_its_place_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, mark: bytes
) -> None:
    content = mark + "x,y,c\n1,2,é\n3,4,b\n".encode() + b"5,6,\xe9t\xc3\xa9\n7,8,b\n"
    expected = content.index(b"\xe9t") + 1  # the oracle: where the lone 0xE9 stands
    monkeypatch.setattr(csv_data, "_CHUNK_BYTES", chunk)
    with pytest.raises(CSVDataError, match=rf"not UTF-8 text \(byte {expected} cannot be"):
        read_csv_data(write(tmp_path / "a.csv", content))
    cut = mark + b"x,y,c\n1,2,a\n" + "3,4,é".encode()[:-1]  # a character cut off
    with pytest.raises(CSVDataError, match=rf"byte {len(cut)} cannot be decoded"):
        read_csv_data(write(tmp_path / "b.csv", cut))


def test_a_blank_line_longer_than_a_row_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blank lines are skipped whatever their length (the rule before streaming), also when
    they span many chunks; a row as long is refused, and so is one a quoted cell makes of many
    lines."""
    monkeypatch.setattr(csv_data, "_CHUNK_BYTES", 100)
    monkeypatch.setattr(csv_data, "MAX_ROW_CHARS", 50)
    rows = ["1,2,a", " \t" * 60, "3,4,b", "\t" * 200, "5,6,a", " " * 51 + "\r", "7,8,b"]
    data = read_csv_data(write(tmp_path / "a.csv", "\n".join(rows)))
    np.testing.assert_array_equal(data.X, [[1, 2], [3, 4], [5, 6], [7, 8]])
    rows[3] = "\t" * 200 + "x"
    with pytest.raises(CSVDataError, match=r"a\.csv: line 4: a row of more than 50 characters"):
        read_csv_data(write(tmp_path / "a.csv", "\n".join(rows)))
    rows[3] = " " * 48 + "5,6,a"  # 53 characters: too long, though its cells are short
    with pytest.raises(CSVDataError, match=r"line 4: a row of more than 50 characters"):
        read_csv_data(write(tmp_path / "a.csv", "\n".join(rows)))
    spanning = ["1,2,a", '3,4,"b', *["x" * 20] * 3, '",', "5,6,a"]  # lines 2-5: 7+3*21 > 50
    with pytest.raises(CSVDataError, match=r"line 5: a row of more than 50 characters"):
        read_csv_data(write(tmp_path / "a.csv", "\n".join(spanning)))


def test_a_row_of_many_lines_is_refused_at_the_row_limit(tmp_path: Path) -> None:
    """A quoted cell left open over the rest of the file: each quoted piece short (under the
    csv module's field limit), the row as a whole past the limit."""
    piece = 'x",' + "ab," * 100_000 + '"'  # closes the quote, 100001 cells, opens a new one
    lines = ["1,2,a", '3,4,"', *[piece] * 6]
    sizes = np.cumsum([len(line) + 1 for line in lines[1:]])
    expected = 2 + int(np.argmax(sizes > MAX_ROW_CHARS))  # the line where the row passes it
    with pytest.raises(CSVDataError, match=rf"line {expected}: a row of more than"):
        read_csv_data(write(tmp_path / "a.csv", "\n".join(lines)))


#: 16 MiB files (the size limit) that used to peak at about 1 GB, or hold millions of cells.
_WORST = {
    "one line": b"a" * MAX_CSV_BYTES,
    "one line, one astral character": "😀".encode() + b"a" * (MAX_CSV_BYTES - 4),
    "one line of cells": b"ab," * (MAX_CSV_BYTES // 3),
    "tiny rows": b"1,2,a\n" * (MAX_CSV_BYTES // 6),
    "blank lines": b"\n" * MAX_CSV_BYTES,
    "a quote left open": b'x,y,c\n"' + b"1,2,a\n" * ((MAX_CSV_BYTES - 7) // 6),
    "a cell on every line": b'"a\n' * (MAX_CSV_BYTES // 3),
}


def test_reading_the_worst_16_mib_files_stays_under_200_mb(tmp_path: Path) -> None:
    """Issue 19: a 16 MiB CSV peaked at about 1.1 GB before its row limit refused it. Every
    file here is refused in one line, and the reading process's peak resident memory (its
    ru_maxrss, after numpy and nnviz are imported) grows by less than 200 MB."""
    paths = []
    for k, content in enumerate(_WORST.values()):
        assert len(content) <= MAX_CSV_BYTES
        paths.append(str(write(tmp_path / f"worst{k}.csv", content)))
    measure = (
        "import resource, sys\n"
        "import numpy\n"
        "from nnviz.csv_data import CSVDataError, read_csv_data\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        read_csv_data(path)\n"
        "    except CSVDataError as error:\n"
        "        print(error)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", measure, *paths], capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)}, check=True,
    )  # fmt: skip
    *messages, grown_kb = result.stdout.splitlines()
    assert len(messages) == len(paths), result.stdout  # each refused in one line
    assert all(m.startswith(p + ": ") for m, p in zip(messages, paths, strict=True)), messages
    assert int(grown_kb) < 200 * 1024, f"grew by {int(grown_kb) / 1024:.0f} MB"


# --- the run ----------------------------------------------------------------------------------


def test_the_files_hash_is_in_the_cache_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NNVIZ_RUNS_DIR", str(tmp_path / "cache"))
    path = write(tmp_path / "a.csv", "1,2,a\n3,4,b\n5,6,a\n7,8,b\n")
    code, first, _ = invoke("train", "--data", str(path), "--epochs", "2")
    assert code == 0
    again = invoke("train", "--data", str(path), "--epochs", "2")[1]
    write(path, "1,2,a\n3,4,b\n5,6,a\n7,9,b\n")  # one byte changed
    code, changed, _ = invoke("train", "--data", str(path), "--epochs", "2")
    assert code == 0
    cached = sorted((tmp_path / "cache").glob("csv-*.npz"))
    assert len(cached) == 2
    paths = [output.rsplit(" -> ", 1)[1].strip() for output in (first, again, changed)]
    assert paths[0] == paths[1] != paths[2]
    assert {Path(p) for p in paths} == set(cached)
    assert load_run(Path(paths[2])).X[3, 1] == 9


def test_a_run_of_the_sample_goes_through_the_run_file(tmp_path: Path) -> None:
    out = tmp_path / "r.npz"
    options = ["--test-fraction", "0.25", "--optimizer", "adam", "--lr", "0.05"]
    code, _, stderr = invoke("train", "--data", str(SAMPLE), *options, "--out", str(out))
    assert code == 0, stderr
    run = load_run(out)
    config = run.config
    assert config.dataset == "csv" and config.data_file == str(SAMPLE)
    assert config.data_hash == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert config.feature_names == ("bill length (mm)", "bill depth (mm)")
    assert config.class_names == ("Adelie", "Gentoo")
    X = np.loadtxt(SAMPLE, delimiter=",", skiprows=1, usecols=(0, 1))
    np.testing.assert_array_equal(run.X, X)
    assert config.samples == len(X) == len(run.y)
    assert run.test is not None and 0.2 < run.test.mean() < 0.3
    assert run.accuracy[-1] > 0.95  # the two species are almost separable by the bill
    code, shown, _ = invoke("inspect", str(out))
    assert code == 0 and "bill length (mm),bill depth (mm)" in shown and "Adelie,Gentoo" in shown


def test_load_points_reads_the_file_again_and_refuses_a_changed_one(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "x,y,c\n1,2,a\n3,4,b\n5,6,a\n7,8,b\n")
    data = read_csv_data(path)
    config = RunConfig(dataset="csv", data_file=str(path), data_hash=data.sha256, samples=4,
                       feature_names=data.feature_names, class_names=data.class_names)  # fmt: skip
    X, y = load_points(config)
    np.testing.assert_array_equal(X, data.X)
    np.testing.assert_array_equal(y, [0, 1, 0, 1])
    write(path, "x,y,c\n1,2,a\n3,4,b\n5,6,a\n7,8,a\n")
    with pytest.raises(CSVDataError, match=r"a\.csv: the file has changed since the run was"):
        load_points(config)
    path.unlink()
    with pytest.raises(CSVDataError, match=r"a\.csv: no such CSV file"):
        load_points(config)


# --- the pictures name the data ---------------------------------------------------------------


def test_the_input_plane_and_the_legend_show_the_files_names(tmp_path: Path) -> None:
    from manim import MathTex, Text, ValueTracker

    from nnviz.mobjects.hud import ProbabilityLegend
    from nnviz.mobjects.layout import TrainingLayout
    from nnviz.mobjects.panels import InputPlanePanel
    from nnviz.theme import THEMES
    from nnviz.trajectory import Trajectory
    from nnviz.view import Viewport

    out = tmp_path / "r.npz"
    assert invoke("train", "--data", str(SAMPLE), "--epochs", "3", "--out", str(out))[0] == 0
    trajectory = Trajectory(load_run(out))
    theme = THEMES["dark"]
    panel = InputPlanePanel(
        PanelContext(trajectory, ValueTracker(1.0), theme, Viewport((0, 0), 4, 4)),
        mesh_resolution=20,
    )
    names = list(panel.axis_names)
    assert all(isinstance(name, Text) for name in names)
    assert [name.text for name in names] == ["billlength(mm)", "billdepth(mm)"]  # Text drops spaces
    assert names[1].height > names[1].width  # the vertical axis's name runs upright
    legend = TrainingLayout(
        BlockContext(trajectory, ValueTracker(1.0), theme), mesh_resolution=20
    ).legend
    texts = [m.text for m in legend.get_family() if isinstance(m, Text)]
    assert "P(Gentoo)" in texts and "Adelie" in texts and "Gentoo" in texts
    # Built-in data keeps its LaTeX axis names and "class 0", "class 1".
    plain = [m.text for m in ProbabilityLegend(theme).get_family() if isinstance(m, Text)]
    assert "P(class1)" in plain and "class0" in plain
    built_in = InputPlanePanel(
        PanelContext(
            Trajectory(load_run(_built_in_run(tmp_path))),
            ValueTracker(0.0),
            theme,
            Viewport((0, 0), 4, 4),
        ),
        mesh_resolution=20,
    )
    assert all(isinstance(name, MathTex) for name in built_in.axis_names)


def _built_in_run(folder: Path) -> Path:
    out = folder / "seed.npz"
    assert invoke("train", "--epochs", "1", "--out", str(out))[0] == 0
    return out
