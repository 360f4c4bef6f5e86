from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nnviz.run as run_module
from nnviz.run import Run, RunFileError, load_run, save_run


def test_round_trip_and_plain_numpy_load(short_run: Run, tmp_path: Path) -> None:
    path = save_run(short_run, tmp_path / "sub" / "run.npz")
    loaded = load_run(path)
    assert loaded.config == short_run.config
    assert loaded.stop_reason == short_run.stop_reason
    for key in ("W1", "b1", "W2", "b2", "loss", "accuracy", "X", "y"):
        np.testing.assert_array_equal(getattr(loaded, key), getattr(short_run, key))
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(str(archive["config"]))
        assert archive["config"].shape == ()
    assert meta["schema"] == 2 and meta["epochs"] == 12
    assert meta["stop_reason"] == "max_epochs" and meta["config"]["activation"] == "relu"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RunFileError, match="no such run file"):
        load_run(tmp_path / "absent.npz")


def test_truncated_file(short_run: Run, tmp_path: Path) -> None:
    path = save_run(short_run, tmp_path / "run.npz")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(RunFileError, match="damaged"):
        load_run(path)


def test_garbled_file(tmp_path: Path) -> None:
    path = tmp_path / "run.npz"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(RunFileError, match="damaged"):
        load_run(path)


def rewrite(path: Path, **changes: np.ndarray) -> None:
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays.update(changes)
    np.savez(path, **arrays)


def test_wrong_schema(short_run: Run, tmp_path: Path) -> None:
    path = save_run(short_run, tmp_path / "run.npz")
    meta = {**short_run.metadata(), "schema": 99}
    rewrite(path, config=np.array(json.dumps(meta)))
    with pytest.raises(RunFileError, match="schema 99 is not supported"):
        load_run(path)


def test_config_that_is_not_json(short_run: Run, tmp_path: Path) -> None:
    path = save_run(short_run, tmp_path / "run.npz")
    rewrite(path, config=np.array("{not json"))
    with pytest.raises(RunFileError, match="not valid JSON"):
        load_run(path)


def test_wrong_shape_and_missing_key(short_run: Run, tmp_path: Path) -> None:
    path = save_run(short_run, tmp_path / "run.npz")
    rewrite(path, W2=np.zeros((13, 2, 2)))
    with pytest.raises(RunFileError, match="'W2' must have shape"):
        load_run(path)
    np.savez(path, W1=short_run.W1)
    with pytest.raises(RunFileError, match="missing b1"):
        load_run(path)


class _Trap:
    """Unpickling this object would create a marker file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.touch, (Path(self.marker),))


def test_pickled_objects_are_refused_and_never_executed(short_run: Run, tmp_path: Path) -> None:
    path = save_run(short_run, tmp_path / "run.npz")
    marker = tmp_path / "executed"
    trap = np.empty(1, dtype=object)
    trap[0] = _Trap(str(marker))
    rewrite(path, X=trap)
    with pytest.raises(RunFileError, match="pickled objects, refused"):
        load_run(path)
    assert not marker.exists()


def test_interrupted_write_keeps_the_old_file(
    short_run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save_run(short_run, tmp_path / "run.npz")
    before = path.read_bytes()

    def crash(handle: object, **arrays: object) -> None:
        with zipfile.ZipFile(handle, "w") as archive:  # type: ignore[arg-type]
            archive.writestr("W1.npy", b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module.np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        save_run(short_run, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.npz"]


FIXTURES = Path(__file__).parent / "fixtures"


def test_a_schema_1_file_of_nnviz_0_1_still_loads() -> None:
    """Written by nnviz 0.1 (torch initial weights, the old sample of the seed data set)."""
    run = load_run(FIXTURES / "schema1_v0.1_tanh.npz")
    assert run.epochs == 12 and run.config.activation == "tanh"
    # The fields added since mean what 0.1 did: torch's init and ε, data from the run's seed.
    assert run.config.init == "torch"
    assert run.config.adam_epsilon == 1e-8
    assert run.config.data_seed == run.config.seed == 0
    # 0.1 drew class 0 first (the middle Gaussian); the file keeps its own points.
    assert run.y[0] == 0 and run.y[-1] == 1
