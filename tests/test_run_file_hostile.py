"""Hostile run files: what ``load_run`` refuses, how much it reads, and a seeded fuzz test."""

from __future__ import annotations

import io
import json
import os
import random
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

import nnviz.run_file as run_module
from nnviz.atomic_files import remove_stale_temporaries
from nnviz.config import RunConfig
from nnviz.run import Run, RunFileError
from nnviz.run_file import MAX_RUN_DATA_BYTES, REQUIRED_CONFIG_KEYS, load_run, save_run

REPO = Path(__file__).resolve().parents[1]


def arrays_of(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def rewrite(path: Path, **changes: np.ndarray) -> None:
    arrays = arrays_of(path)
    arrays.update(changes)
    np.savez(path, **arrays)


def rewrite_meta(path: Path, change: dict) -> None:
    meta = json.loads(str(arrays_of(path)["config"]))
    for key, value in change.items():
        if key.startswith("config."):
            if value is _DELETE:
                del meta["config"][key[7:]]
            else:
                meta["config"][key[7:]] = value
        else:
            meta[key] = value
    rewrite(path, config=np.array(json.dumps(meta)))


_DELETE = object()


@pytest.fixture
def run_file(short_run: Run, tmp_path: Path) -> Path:
    return save_run(short_run, tmp_path / "run.npz")


# --- values a run cannot have -------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("loss", lambda a: np.where(np.arange(len(a)) == 3, np.nan, a), "loss"),
        ("loss", lambda a: -a, "loss"),
        ("accuracy", lambda a: np.where(np.arange(len(a)) == 0, np.inf, a), "accuracy"),
        ("accuracy", lambda a: a + 1.5, "accuracy"),
        ("y", lambda a: a * 2, "labels 'y' must be 0 or 1"),
        ("y", lambda a: a - 1, "labels 'y' must be 0 or 1"),
    ],
)
def test_impossible_values_are_refused(run_file: Path, key: str, value, message: str) -> None:
    rewrite(run_file, **{key: value(arrays_of(run_file)[key])})
    with pytest.raises(RunFileError, match=message):
        load_run(run_file)


def test_config_whose_width_disagrees_with_the_arrays(run_file: Path) -> None:
    rewrite_meta(run_file, {"config.hidden": 3})
    with pytest.raises(RunFileError, match="3 hidden units, arrays hold 2"):
        load_run(run_file)


# --- every count the configuration states, against the arrays (issue 19) ------------------


def test_more_points_than_the_configuration_says_are_refused(run_file: Path) -> None:
    """A file whose configuration said 400 samples while it held 2500 points passed the
    2000-point drawing limit, which read the configuration: each frame drew every point."""
    arrays = arrays_of(run_file)
    assert len(arrays["X"]) == 400  # RunConfig's default samples
    rewrite(run_file, X=np.tile(arrays["X"], (7, 1))[:2500], y=np.tile(arrays["y"], 7)[:2500])
    with pytest.raises(RunFileError) as caught:
        load_run(run_file)
    message = str(caught.value)
    assert message.startswith(str(run_file)) and "\n" not in message
    assert message.endswith("configuration says 400 samples, arrays hold 2500 points")


@pytest.mark.parametrize("samples", [2, 399, 401, 100_000])
def test_a_sample_count_other_than_the_points_is_refused(run_file: Path, samples: int) -> None:
    rewrite_meta(run_file, {"config.samples": samples})
    with pytest.raises(RunFileError, match=f"says {samples} samples, arrays hold 400 points$"):
        load_run(run_file)


@pytest.fixture(scope="module")
def held_out_run() -> Run:
    """40 points, 20 of each class, a quarter of each held out: 5 and 5."""
    from nnviz.train import train

    return train(RunConfig(samples=40, max_epochs=2, target_loss=0.0, test_fraction=0.25))


def test_a_test_set_of_another_size_than_the_configuration_says_is_refused(
    held_out_run: Run, tmp_path: Path
) -> None:
    path = save_run(held_out_run, tmp_path / "held_out.npz")
    test, y = arrays_of(path)["test"], arrays_of(path)["y"]
    assert [int(np.sum(test[y == label])) for label in (0, 1)] == [5, 5]
    fewer = test.copy()
    fewer[np.flatnonzero((test == 1) & (y == 0))[0]] = 0  # one test point of class 0 trains
    rewrite(path, test=fewer)
    with pytest.raises(RunFileError, match=r"holds out 5 of the 20 points of class 0 .* marks 4$"):
        load_run(path)
    rewrite(path, test=test)
    load_run(path)
    rewrite_meta(path, {"config.test_fraction": 0.35})  # 7 of 20
    with pytest.raises(RunFileError, match="holds out 7 of the 20 points of class 0"):
        load_run(path)


def _external(run: Run, test: np.ndarray, fraction: float, max_epochs: int) -> Run:
    """``run``'s states as a run of one's own loop holding out ``test``."""
    config = RunConfig(dataset="external", optimizer="external", samples=len(run.y),
                       max_epochs=max_epochs, target_loss=0.0, test_fraction=fraction)  # fmt: skip
    return Run(config=config, W=run.W, b=run.b, loss=run.loss, accuracy=run.accuracy, X=run.X,
               y=run.y, stop_reason="external", test=test, test_loss=run.loss,
               test_accuracy=run.accuracy)  # fmt: skip


def test_a_recorded_runs_test_set_is_the_share_its_configuration_says(short_run: Run) -> None:
    test = np.zeros(400, dtype=bool)
    test[::4] = True  # 100 of 400 points, of both classes
    assert set(short_run.y[test]) == {0, 1}
    _external(short_run, test, 0.25, 12)
    with pytest.raises(RunFileError, match=r"holds out 0.2 of 400 points \(80\), .* marks 100$"):
        _external(short_run, test, 0.2, 12)


def test_a_limit_the_run_did_not_reach_is_refused(run_file: Path, short_run: Run) -> None:
    """A run stopped by its limit ran all of its epochs; a recorded run's limit is its epochs."""
    assert short_run.stop_reason == "max_epochs" and short_run.epochs == 12
    rewrite_meta(run_file, {"config.max_epochs": 20})
    with pytest.raises(RunFileError, match="stopped at its limit of 20 epochs, but 12 epochs"):
        load_run(run_file)
    test = np.zeros(400, dtype=bool)
    test[::4] = True
    recorded = save_run(_external(short_run, test, 0.25, 12), run_file.with_name("own.npz"))
    load_run(recorded)
    rewrite_meta(recorded, {"config.max_epochs": 10_000})
    with pytest.raises(RunFileError, match="configuration says 10000 epochs, arrays hold 12"):
        load_run(recorded)


@pytest.mark.parametrize("key", REQUIRED_CONFIG_KEYS)
def test_every_core_config_key_is_required(run_file: Path, key: str) -> None:
    rewrite_meta(run_file, {f"config.{key}": _DELETE})
    with pytest.raises(RunFileError, match=f"lacks {key}"):
        load_run(run_file)


def test_required_keys_are_config_fields() -> None:
    assert set(REQUIRED_CONFIG_KEYS) <= set(RunConfig().to_dict())


@pytest.mark.parametrize(
    "change",
    [
        {"config.lr": json.loads("[" * 900 + "]" * 900)},
        {"config.seed": 2**64},
        {"config.hidden": 10**11},
        {"stop_reason": ["max_epochs"]},
        {"epochs": 12.0},
    ],
)
def test_hostile_metadata_is_one_line(run_file: Path, change: dict) -> None:
    rewrite_meta(run_file, change)
    with pytest.raises(RunFileError) as caught:
        load_run(run_file)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


def test_an_unknown_configuration_key_is_shown_escaped(run_file: Path) -> None:
    """Found by tests/test_fuzz_files.py: a key holding a line break or a terminal's escape
    went into the message as it was (two lines; a cleared screen)."""
    rewrite_meta(run_file, {"config.a\nb\x1b[2J": 1})
    with pytest.raises(RunFileError) as caught:
        load_run(run_file)
    assert str(caught.value) == (
        f"{run_file}: invalid run configuration (unknown run configuration keys: a\\nb\\x1b[2J)"
    )


def test_deeply_nested_config_json(run_file: Path) -> None:
    rewrite(run_file, config=np.array("[" * 60000 + "]" * 60000))
    with pytest.raises(RunFileError, match=r"nested too deeply|at most"):
        load_run(run_file)


def test_huge_integer_in_config_json(run_file: Path) -> None:
    meta = json.dumps(json.loads(str(arrays_of(run_file)["config"])))
    rewrite(run_file, config=np.array(meta.replace('"epochs": 12', '"epochs": ' + "9" * 5000)))
    with pytest.raises(RunFileError, match="not valid JSON"):
        load_run(run_file)


# --- what the file is -----------------------------------------------------------------------


def test_a_folder_is_not_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(RunFileError, match="not a regular file"):
        load_run(tmp_path)


def test_a_fifo_is_not_a_regular_file_and_is_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    with pytest.raises(RunFileError, match="not a regular file"):
        load_run(fifo)  # opening a FIFO would block this test forever


def test_a_large_npy_header_is_not_called_pickled(run_file: Path) -> None:
    arrays = arrays_of(run_file)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for key, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array)
            data = member.getvalue()
            if key == "W1":
                header_len = struct.unpack("<H", data[8:10])[0]
                body = data[10 + header_len :]
                header = data[10 : 10 + header_len].rstrip(b"\n").ljust(20000) + b"\n"
                data = b"\x93NUMPY\x02\x00" + struct.pack("<I", len(header)) + header + body
            archive.writestr(f"{key}.npy", data)
    run_file.write_bytes(buffer.getvalue())
    with pytest.raises(RunFileError, match="header of 'W1' is 20001 bytes") as caught:
        load_run(run_file)
    assert "pickled" not in str(caught.value)


def _npy_header(shape: tuple[int, ...], dtype: str = "<f8") -> bytes:
    header = repr({"descr": dtype, "fortran_order": False, "shape": shape}).encode()
    header = header.ljust(118) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def test_a_damaged_header_is_quoted_in_one_printable_line(run_file: Path) -> None:
    """Found by tests/test_fuzz_files.py: numpy's message about a dtype it cannot read quotes
    the header's text, which went into the refusal as it was (here a terminal's escape)."""
    arrays = arrays_of(run_file)
    with zipfile.ZipFile(run_file, "w") as archive:
        for key, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array)
            data = member.getvalue()
            if key == "X":
                data = _npy_header((400, 2), "0\x1b[2J") + bytes(16)
            archive.writestr(f"{key}.npy", data)
    with pytest.raises(RunFileError, match=r"damaged or not an \.npz run file") as caught:
        load_run(run_file)
    message = str(caught.value)
    assert message.isprintable() and "\\x1b[2J" in message, message


def test_declared_giant_array_is_refused_before_reading(run_file: Path) -> None:
    """A 17 kB file whose header declares (10**10, 2): refused from the header alone."""
    arrays = arrays_of(run_file)
    with zipfile.ZipFile(run_file, "w") as archive:
        for key, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array)
            data = member.getvalue()
            if key == "X":
                data = _npy_header((10**10, 2)) + bytes(16_000)
            archive.writestr(f"{key}.npy", data)
    assert run_file.stat().st_size < 40_000
    tracemalloc.start()
    try:
        with pytest.raises(RunFileError, match="'X' declares 160000000000 bytes"):
            load_run(run_file)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def test_the_total_declared_size_is_limited(
    run_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = sum(a.nbytes for k, a in arrays_of(run_file).items() if k != "config")
    monkeypatch.setattr(run_module, "MAX_RUN_DATA_BYTES", size - 1)
    with pytest.raises(RunFileError, match=f"arrays declare {size} bytes"):
        load_run(run_file)
    monkeypatch.setattr(run_module, "MAX_RUN_DATA_BYTES", size)
    assert load_run(run_file).epochs == 12


def test_more_data_than_declared_is_not_read(run_file: Path) -> None:
    """A member that inflates far beyond its header's size is refused after the declared bytes
    and one more: the rest is never decompressed."""
    arrays = arrays_of(run_file)
    with zipfile.ZipFile(run_file, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array)
            data = member.getvalue() + (bytes(50_000_000) if key == "y" else b"")
            archive.writestr(f"{key}.npy", data)
    assert run_file.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(RunFileError, match="'y' has trailing data"):
            load_run(run_file)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def _write_zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> None:
    """Write a zip by hand: (name, stored bytes, method, crc, uncompressed size) per member."""
    with path.open("wb") as out:
        central = b""
        for name, data, method, crc, size in members:
            offset = out.tell()
            raw = name.encode()
            out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc,
                                  len(data), size, len(raw), 0) + raw)  # fmt: skip
            out.write(data)
            entry = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc,
                                len(data), size, len(raw), 0, 0, 0, 0, 0, offset)  # fmt: skip
            central += entry + raw
        start = out.tell()
        out.write(central)
        out.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members),
                              len(central), start, 0))  # fmt: skip


def make_bomb(run_file: Path, path: Path, inflated: int = 4_000_000_000) -> None:
    """A run file whose ``X.npy`` is about 4 MB of deflate inflating to ``inflated`` bytes,
    with a header that declares all of it (the CRC is not computed: nothing reads that far)."""
    members = []
    for key, array in arrays_of(run_file).items():
        member = io.BytesIO()
        np.lib.format.write_array(member, array)
        data = member.getvalue()
        members.append((f"{key}.npy", data, 0, zlib.crc32(data), len(data)))
    header = _npy_header(((inflated - 128) // 16, 2))
    chunk = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(header + bytes((1 << 20) - len(header))) + deflate.flush(
        zlib.Z_FULL_FLUSH
    )
    repeated = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    count = inflated // (1 << 20) - 1
    tail_size = inflated - (count + 1) * (1 << 20)
    tail = deflate.compress(bytes(tail_size)) + deflate.flush()
    stream = first + repeated * count + tail
    members = [m for m in members if m[0] != "X.npy"]
    members.append(("X.npy", stream, 8, 0, inflated))
    _write_zip(path, members)


def test_zip_bomb_keeps_inspect_small(run_file: Path, tmp_path: Path) -> None:
    """The 4 MB file inflating to 4 GB: `nnviz inspect` refuses it in one line, under 200 MB
    peak memory (the child's maximum resident set, measured by getrusage in a fresh parent)."""
    bomb = tmp_path / "bomb.npz"
    make_bomb(run_file, bomb)
    assert 3_000_000 < bomb.stat().st_size < 5_000_000
    with zipfile.ZipFile(bomb) as archive:  # the archive really declares 4 GB
        assert archive.getinfo("X.npy").file_size == 4_000_000_000
    measure = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-c', 'from nnviz.cli import main; main()',"
        f" 'inspect', {str(bomb)!r}], capture_output=True, text=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(done.returncode)\n"
        "sys.stdout.write(done.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", measure], capture_output=True, text=True, env=env, check=True
    )
    peak_kb, code, *err = result.stdout.splitlines()
    assert int(code) == 1
    assert len(err) == 1 and err[0].startswith("nnviz: ") and "declares" in err[0]
    assert int(peak_kb) < 200 * 1024, f"peak {int(peak_kb) / 1024:.0f} MB"


# --- leftovers and permissions --------------------------------------------------------------


def test_run_files_get_the_umask_permissions(short_run: Run, tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        assert save_run(short_run, tmp_path / "a.npz").stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        assert save_run(short_run, tmp_path / "b.npz").stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(previous)


def test_stale_temporaries_of_killed_writes_are_removed(short_run: Run, tmp_path: Path) -> None:
    stale = tmp_path / ".run.npz.k1ll3d_x.tmp"
    fresh = tmp_path / ".run.npz.wr1t1ng.tmp"
    other = tmp_path / ".notes.txt.abc.tmp"
    for path in (stale, fresh, other):
        path.write_bytes(b"x" * 1000)
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    save_run(short_run, tmp_path / "run.npz")
    assert not stale.exists() and fresh.exists() and other.exists()
    orphan = tmp_path / ".gone.npz.abcd.tmp"
    orphan.write_bytes(b"x")
    os.utime(orphan, (old, old))
    assert remove_stale_temporaries(tmp_path) == [orphan]


def test_write_errors_name_the_users_path(
    short_run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(handle: object, **arrays: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(run_module.np, "savez", full)
    target = tmp_path / "run.npz"
    with pytest.raises(OSError, match="No space left") as caught:
        save_run(short_run, target)
    assert caught.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["symlink", "fifo", "folder"])
def test_save_refuses_what_is_not_a_regular_file(short_run: Run, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "run.npz"
    if kind == "symlink":
        (tmp_path / "real").write_bytes(b"keep")
        target.symlink_to(tmp_path / "real")
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    with pytest.raises(RunFileError, match="only to a regular file or a new path"):
        save_run(short_run, target)
    if kind == "symlink":
        assert target.is_symlink() and (tmp_path / "real").read_bytes() == b"keep"


# --- fuzz -----------------------------------------------------------------------------------


def _valid(run: Run) -> None:
    """What every run load_run returns must satisfy."""
    states = run.epochs + 1
    widths = run.config.widths
    assert len(run.W) == len(run.b) == len(widths) - 1
    for k, (W, b) in enumerate(zip(run.W, run.b, strict=True)):
        assert W.shape == (states, widths[k + 1], widths[k])
        assert b.shape == (states, widths[k + 1])
    assert run.accuracy.shape == (states,)
    assert run.X.ndim == 2 and run.y.shape == (len(run.X),)
    for array in (*run.W, *run.b, run.loss, run.accuracy, run.X):
        assert np.all(np.isfinite(array))
    assert np.all((run.accuracy >= 0) & (run.accuracy <= 1)) and np.all(run.loss >= 0)
    assert set(np.unique(run.y)) <= {0, 1}


def _mutate_arrays(rng: random.Random, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    arrays = dict(arrays)
    key = rng.choice(sorted(arrays))
    array = arrays[key]
    choice = rng.randrange(6)
    if choice == 0 and array.ndim:
        arrays[key] = array[: rng.randrange(len(array) + 1)]
    elif choice == 1:
        dtype = rng.choice(["f4", "f2", "i1", "u8", "c16", "?", "U3", "S4", ">f8", "V8"])
        arrays[key] = np.zeros(array.shape, dtype=dtype)
    elif choice == 2:
        arrays[key] = np.zeros(tuple(rng.randrange(4) for _ in range(rng.randrange(4))))
    elif choice == 3 and array.dtype.kind == "f":
        flat = array.astype(np.float64).ravel().copy()
        if flat.size:
            flat[rng.randrange(flat.size)] = rng.choice([np.nan, np.inf, -np.inf, 1e300, -1.0])
        arrays[key] = flat.reshape(array.shape)
    elif choice == 4:
        del arrays[key]
    else:
        arrays[key] = np.asfortranarray(array.T) if array.ndim > 1 else array
    return arrays


_HOSTILE_VALUES: list[object] = [
    None, True, -1, 0, 2.5, 1e400, -1e308, "", "relu", "x" * 500, [1, 2], {"a": 1},
    2**63, 10**30, [[[[[]]]]], float("nan"),
]  # fmt: skip


def _mutate_meta(rng: random.Random, meta: dict) -> str:
    meta = json.loads(json.dumps(meta))
    target = meta["config"] if rng.random() < 0.7 else meta
    key = rng.choice(sorted(target))
    if rng.random() < 0.2:
        del target[key]
    else:
        target[key] = rng.choice(_HOSTILE_VALUES)
    if rng.random() < 0.1:
        return json.dumps(meta)[: rng.randrange(200)]
    return json.dumps(meta)


def _write_with_forged_header(
    rng: random.Random, arrays: dict[str, np.ndarray], target: Path
) -> None:
    """One member's .npy header declares a random, often giant, shape and dtype over a few
    bytes of data (what a hostile file would do to make the reader allocate)."""
    forged = rng.choice(sorted(arrays))
    shape = tuple(rng.choice([0, 1, 2, 13, 10**6, 10**10, 2**62]) for _ in range(rng.randrange(4)))
    dtype = rng.choice(["<f8", "<i8", "|u1", "<U100000", "|O", "<c16"])
    with zipfile.ZipFile(target, "w") as archive:
        for key, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array)
            data = member.getvalue()
            if key == forged:
                data = _npy_header(shape, dtype) + rng.randbytes(rng.randrange(64))
            archive.writestr(f"{key}.npy", data)


def test_fuzz_load_run_returns_a_valid_run_or_raises_run_file_error(
    short_run: Run, tmp_path: Path
) -> None:
    """Seeded fuzz: truncations, bit flips (stored and deflated files), array shape and dtype
    changes, forged .npy headers, config mutations. load_run must return a valid Run or raise
    RunFileError, and allocate no more than the documented data limit."""
    rng = random.Random(20261202)
    plain = save_run(short_run, tmp_path / "base.npz")
    base_arrays = arrays_of(plain)
    meta = json.loads(str(base_arrays["config"]))
    compressed = tmp_path / "base_deflated.npz"
    np.savez_compressed(compressed, **base_arrays)
    originals = [plain.read_bytes(), compressed.read_bytes()]
    target = tmp_path / "fuzz.npz"
    outcomes = {"valid": 0, "refused": 0}
    tracemalloc.start()
    started = time.perf_counter()
    try:
        for case in range(400):
            kind = case % 4
            if kind == 0:
                data = rng.choice(originals)
                target.write_bytes(data[: rng.randrange(len(data))])
            elif kind == 1:
                data = bytearray(rng.choice(originals))
                for _ in range(rng.randrange(1, 9)):
                    data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
                target.write_bytes(bytes(data))
            elif kind == 2:
                if rng.random() < 0.5:
                    np.savez(target, **_mutate_arrays(rng, base_arrays))
                else:
                    _write_with_forged_header(rng, base_arrays, target)
            else:
                np.savez(target, **{**base_arrays, "config": np.array(_mutate_meta(rng, meta))})
            tracemalloc.reset_peak()
            try:
                run = load_run(target)
            except RunFileError as error:
                assert "\n" not in str(error)
                outcomes["refused"] += 1
            else:
                _valid(run)
                outcomes["valid"] += 1
            assert tracemalloc.get_traced_memory()[1] < MAX_RUN_DATA_BYTES
    finally:
        tracemalloc.stop()
    assert outcomes["refused"] > 200 and outcomes["valid"] > 10, outcomes
    assert time.perf_counter() - started < 20
