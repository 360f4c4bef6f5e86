"""The README's three-class CSV example, run as written: the commands of its block train Fisher's
irises, inspect the run file, render the video and a still; the still shows the three species'
colours where torch puts them."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import numpy as np
import torch
from click.testing import CliRunner
from PIL import Image

from nnviz.class_colors import class_palette
from nnviz.cli import cli
from nnviz.run_file import load_run

REPO = Path(__file__).resolve().parents[1]


def readme_commands() -> list[tuple[list[str], str]]:
    """The block's commands (without the leading ``nnviz``), each with its comment."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- test: iris-example\b[^\n]*-->\n```sh\n(.*?)```", readme, re.S)
    assert found, "README.md lost its iris example block"
    commands = []
    for line in found.group(1).splitlines():
        command, _, comment = line.partition("#")
        words = shlex.split(command)
        assert words[0] == "nnviz", line
        commands.append((words[1:], comment.strip()))
    return commands


def torch_accuracy(path: Path) -> float:
    """Accuracy of the run's last weights on its points, recomputed with torch."""
    run = load_run(path)
    h = torch.from_numpy(run.X)
    layers = len(run.W)
    for k in range(layers):
        h = h @ torch.from_numpy(run.W[k][-1]).T + torch.from_numpy(run.b[k][-1])
        if k < layers - 1:
            h = torch.relu(h)
    return float((h.argmax(1).numpy() == run.y).mean())


def test_the_readmes_iris_example_trains_inspects_and_renders() -> None:
    shutil.copytree(REPO / "examples", Path("examples"))
    outputs = []
    for words, comment in readme_commands():
        result = CliRunner().invoke(cli, words)
        assert result.exit_code == 0, f"nnviz {' '.join(words)}: {result.output[-2000:]}"
        outputs.append((words, comment, result.stdout))
    train, inspect, video, still = outputs
    claimed = re.search(r"accuracy (\d+\.\d)%", train[1])
    assert claimed and f"accuracy {claimed.group(1)}%" in train[2]
    assert torch_accuracy(Path("iris.npz")) == float(claimed.group(1)) / 100
    for field in inspect[1].split(", "):
        name, value = field.split(" ")
        assert re.search(rf"^{name}\s+{re.escape(value)}$", inspect[2], re.M), field
    mp4 = Path(video[2].strip())
    assert mp4.resolve() == Path(video[1]).resolve()
    frames = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=width,height", "-of", "csv=p=0", str(mp4)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert frames.strip() == "854,480"
    image = np.asarray(Image.open(still[2].strip()).convert("RGB")).astype(int)
    # Every species' dot colour is in the still (the dots are drawn in the class palette).
    for colour in class_palette(3):
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        near = (np.abs(image - rgb).max(axis=2) <= 8).sum()
        assert near >= 20, f"{colour}: {near} pixels"
