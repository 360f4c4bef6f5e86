from __future__ import annotations

import dataclasses
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nnviz.run as run_module
from nnviz.run import Run, RunFileError
from nnviz.run_file import load_run, save_run


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


def _recorded(run: Run, **changes: object) -> Run:
    """``run``'s states as a run of one's own loop (stop reason ``external``)."""
    config = run.config.replace(dataset="external", optimizer="external", target_loss=0.0,
                                max_epochs=run.epochs)  # fmt: skip
    return dataclasses.replace(run, config=config, stop_reason="external", **changes)


def test_a_run_of_steps_round_trips(short_run: Run, tmp_path: Path) -> None:
    path = save_run(_recorded(short_run, unit="step", every=10), tmp_path / "steps.npz")
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(str(archive["config"]))
    assert meta["unit"] == "step" and meta["every"] == 10 and meta["schema"] == 2
    loaded = load_run(path)
    assert (loaded.unit, loaded.every, loaded.epochs) == ("step", 10, 12)
    assert (loaded.last_count, loaded.count_limit) == (120, 120)
    assert loaded.count_text(3) == "step 30"
    np.testing.assert_array_equal(loaded.loss, short_run.loss)


def test_a_file_without_a_unit_counts_epochs(short_run: Run, tmp_path: Path) -> None:
    """Files written before the unit existed: every state is one epoch."""
    for run in (short_run, _recorded(short_run)):
        path = save_run(run, tmp_path / "old.npz")
        meta = {k: v for k, v in run.metadata().items() if k not in ("unit", "every")}
        rewrite(path, config=np.array(json.dumps(meta)))
        loaded = load_run(path)
        assert (loaded.unit, loaded.every) == ("epoch", 1)
    old = load_run(Path(__file__).parent / "fixtures" / "schema1_v0.1_tanh.npz")
    assert (old.unit, old.every) == ("epoch", 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit": "minute"}, "unit must be one of epoch, step, got minute"),
        ({"unit": ["step"]}, "unit must be one of epoch, step"),
        ({"every": 0}, "every must be a whole number from 1 to 10000, got 0"),
        ({"every": 10**40}, "every must be a whole number from 1 to 10000"),
        ({"every": "10"}, "every must be a whole number"),
        ({"every": True}, "every must be a whole number"),
    ],
)
def test_a_unit_nnviz_does_not_know_is_refused(
    short_run: Run, tmp_path: Path, change: dict[str, object], message: str
) -> None:
    path = save_run(_recorded(short_run), tmp_path / "run.npz")
    rewrite(path, config=np.array(json.dumps({**_recorded(short_run).metadata(), **change})))
    with pytest.raises(RunFileError, match=message) as error:
        load_run(path)
    assert "\n" not in str(error.value)


def test_nnvizs_own_training_counts_every_epoch(short_run: Run, tmp_path: Path) -> None:
    path = save_run(short_run, tmp_path / "run.npz")
    rewrite(path, config=np.array(json.dumps({**short_run.metadata(), "every": 5})))
    with pytest.raises(RunFileError, match="nnviz's own training logs every epoch, not every 5"):
        load_run(path)


def test_a_leaky_slope_round_trips_and_an_old_leaky_relu_is_0_1(
    short_run: Run, tmp_path: Path
) -> None:
    import torch

    from nnviz.activations import activation

    config = short_run.config.replace(activation="leaky_relu:0.01")
    path = save_run(dataclasses.replace(short_run, config=config), tmp_path / "leaky.npz")
    with np.load(path, allow_pickle=False) as archive:
        assert json.loads(str(archive["config"]))["config"]["activation"] == "leaky_relu:0.01"
    assert load_run(path).config.activation == "leaky_relu:0.01"
    # A file of nnviz before the slope could be given: plain leaky_relu, trained at 0.1.
    old = dataclasses.replace(short_run, config=short_run.config.replace(activation="leaky_relu"))
    path = save_run(old, tmp_path / "old.npz")
    with np.load(path, allow_pickle=False) as archive:
        assert json.loads(str(archive["config"]))["config"]["activation"] == "leaky_relu"
    name = load_run(path).config.activation
    assert name == "leaky_relu"
    z = torch.linspace(-5, 5, 101, dtype=torch.float64)
    expected = torch.nn.functional.leaky_relu(z, 0.1).numpy()  # what it was trained with
    np.testing.assert_allclose(activation(name).numpy(z.numpy()), expected, rtol=1e-15)
    # A slope out of range in a file is one line.
    rewrite_config = {**old.metadata()}
    rewrite_config["config"] = {**rewrite_config["config"], "activation": "leaky_relu:7"}
    rewrite(path, config=np.array(json.dumps(rewrite_config)))
    with pytest.raises(RunFileError, match="negative slope of leaky_relu must be a number above"):
        load_run(path)
