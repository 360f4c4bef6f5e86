from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from nnviz.config import RunConfig
from nnviz.run_file import load_run
from tests.cli_invoke import invoke


def test_help_lists_every_command() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    for command in ("train", "sweep", "inspect"):
        assert command in out


def test_train_writes_a_plain_npz_and_prints_one_line(tmp_path: Path) -> None:
    out_file = tmp_path / "run.npz"
    code, out, _ = invoke(
        "train", "--activation", "tanh", "--lr", "0.1", "--epochs", "4", "--out", str(out_file)
    )
    assert code == 0
    assert out.count("\n") == 1 and "4 epochs" in out and "max_epochs" not in out
    assert "reached the 4-epoch limit" in out
    with np.load(out_file, allow_pickle=False) as archive:
        assert archive["W1"].shape == (5, 2, 2)
        assert json.loads(str(archive["config"]))["config"]["lr"] == 0.1


def test_train_without_out_fills_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NNVIZ_RUNS_DIR", raising=False)
    code, out, _ = invoke("train", "--epochs", "2", "--full-batch")
    assert code == 0
    files = list(Path("media/runs").glob("*.npz"))
    assert len(files) == 1 and str(files[0]) in out
    assert load_run(files[0]).config.batch_size is None


def test_inspect_prints_config_and_stop_reason(tmp_path: Path) -> None:
    invoke("train", "--epochs", "3", "--out", str(tmp_path / "r.npz"))
    code, out, _ = invoke("inspect", str(tmp_path / "r.npz"))
    assert code == 0
    assert re.search(r"^activation +relu$", out, re.M)
    assert re.search(r"^epochs run +3$", out, re.M)
    assert re.search(r"^init +glorot$", out, re.M)
    assert re.search(r"^data_seed +dataset default$", out, re.M)
    assert re.search(r"^stopped +max_epochs", out, re.M) and "at start" in out


def test_sweep_trains_six_runs_and_prints_a_table(tmp_path: Path) -> None:
    code, out, _ = invoke("sweep", "--epochs", "2", "--out", str(tmp_path / "runs"))
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith(("relu", "tanh"))]
    assert len(rows) == 6
    assert {row.split()[1] for row in rows} == {"0.1", "0.01", "0.001"}
    assert len(list((tmp_path / "runs").glob("*.npz"))) == 6


@pytest.mark.parametrize(
    ("args", "message", "exit_code"),
    [
        (["train", "--activation", "softplus"], "unknown activation 'softplus'", 2),
        (["train", "--activation", "relu,swish"], "unknown activation 'swish'", 2),
        (
            ["train", "--activation", "leaky_relu:2"],
            "'leaky_relu:2': the negative slope of leaky_relu must be a number above 0 and below "
            "1 (leaky_relu:0.01)",
            2,
        ),
        (["train", "--activation", "tanh:0.5"], "tanh takes no parameter", 2),
        (["train", "--hidden", "4,x"], "'4,x' is not a width", 2),
        (["train", "--hidden", "4,4,4,4"], "--hidden has 4 layers; nnviz draws 1 to 3", 1),
        (["train", "--hidden", "3,2", "--activation", "relu,tanh,tanh"], "3 activations for 2", 1),
        (["train", "--dataset", "mnist"], "'mnist' is not one of", 2),
        (["train", "--lr", "abc"], "'abc' is not a valid float", 2),
        (["train", "--lr", "0"], "--lr must be greater than 0", 1),
        (["train", "--lr", "-1"], "lr must be greater than 0", 1),
        (["train", "--hidden", "0"], "--hidden must be at least 1", 1),
        (["train", "--epochs", "0"], "--epochs must be at least 1", 1),
        (["inspect", "absent.npz"], "no such run file", 1),
        (["train", "--epochs", "1", "--out", "media"], "is a directory", 2),
        (["train", "--epochs", "1", "--out", "/proc/nnviz/run.npz"], "nnviz: ", 1),
    ],
)
def test_bad_input_is_one_line_and_non_zero(args: list[str], message: str, exit_code: int) -> None:
    Path("media").mkdir(exist_ok=True)
    code, out, err = invoke(*args)
    assert code == exit_code
    assert err.count("\n") == 1 and message in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated", b"\x93NUMPY garbage"])
def test_inspect_refuses_damaged_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    code, _, err = invoke("inspect", str(path))
    assert code == 1 and err.startswith("nnviz: ") and err.count("\n") == 1


def test_diverging_training_says_so(tmp_path: Path) -> None:
    code, out, _ = invoke("train", "--lr", "100", "--out", str(tmp_path / "d.npz"))
    assert code == 0 and "diverged" in out
    run = load_run(tmp_path / "d.npz")
    assert run.stop_reason == "diverged" and np.all(np.isfinite(run.loss))


def test_a_deep_network_trains_and_inspects_in_the_command_lines_own_words(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deep.npz"
    code, out, _ = invoke("train", "--hidden", "4,4,2", "--activation", "relu,tanh,tanh",
                          "--epochs", "2", "--out", str(path))  # fmt: skip
    assert code == 0 and "2-4-4-2-1 relu/tanh/tanh" in out
    run = load_run(path)
    assert run.config.hidden == (4, 4, 2) and [W.shape[1] for W in run.W] == [4, 4, 2, 1]
    code, out, _ = invoke("inspect", str(path))
    assert re.search(r"^hidden +4,4,2$", out, re.M)
    assert re.search(r"^activation +relu,tanh,tanh$", out, re.M)


def test_video_names_tell_runs_apart() -> None:
    from nnviz.run_videos import run_video_name

    assert run_video_name(RunConfig()) == "relu_lr0.01"
    assert run_video_name(RunConfig(dataset="circles", hidden=(3,), activation="tanh",
                                    lr=0.03)) == "circles_tanh_lr0.03_h3"  # fmt: skip
    assert run_video_name(RunConfig(optimizer="sgd")) == "relu_lr0.01_sgd"
    short, seeded = RunConfig(max_epochs=5), RunConfig(max_epochs=5, seed=1)
    names = {run_video_name(c) for c in (RunConfig(), short, seeded)}
    assert len(names) == 3 and all(n.startswith("relu_lr0.01") for n in names)


def test_train_and_render_take_a_leaky_relu_slope(tmp_path: Path) -> None:
    """``leaky_relu:0.01`` is PyTorch's slope: trained with it (torch's nn.LeakyReLU(0.01) is
    the oracle of the logged loss), recorded in the run file, shown by inspect."""
    import torch

    code, out, err = invoke("train", "--hidden", "3", "--activation", "leaky_relu:0.01",
                            "--epochs", "2", "--out", str(tmp_path / "r.npz"))  # fmt: skip
    assert code == 0, err
    run = load_run(tmp_path / "r.npz")
    assert run.config.activation == "leaky_relu:0.01"
    W1, b1, W2, b2 = (torch.from_numpy(a[-1]) for a in (run.W[0], run.b[0], run.W[1], run.b[1]))
    hidden = torch.nn.LeakyReLU(0.01)(torch.from_numpy(run.X) @ W1.T + b1)
    logits = (hidden @ W2.T + b2)[:, 0]
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, torch.from_numpy(run.y).double()
    )
    assert run.loss[-1] == pytest.approx(float(expected), rel=1e-12)
    code, out, _ = invoke("inspect", str(tmp_path / "r.npz"))
    assert code == 0 and re.search(r"^activation +leaky_relu:0.01$", out, re.M)
    code, out, _ = invoke("train", "--help")
    assert "leaky_relu:0.01" in " ".join(out.split())
