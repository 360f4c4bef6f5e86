"""A project folder someone else prepared: every stored text a render reads is replaced by a
pickle that would write a file, run a command, allocate 10 GB or hang. The next render runs
none of it, draws the same frame and puts whole stored texts back."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from manim import Text
from PIL import Image

from nnviz.mobjects.text_store import STORED_TEXT_SUFFIX, read_text
from tests.conftest import REPO
from tests.frame_regression import frame_difference

pytestmark = pytest.mark.render

RENDER = """
import sys
from pathlib import Path
from PIL import Image
from tests.frame_regression import render_last_frame
from tests.scenes.stills import MidTrainingStill
frame = render_last_frame(MidTrainingStill, Path(sys.argv[1]))
Image.fromarray(frame).save(sys.argv[2])
"""


class _WritesFile:
    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (self.target.write_text, ("written by a stored text",))


class _RunsCommand:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[list[str]]]:
        return (subprocess.call, (["touch", str(self.marker)],))


class _Allocates:
    def __reduce__(self) -> tuple[object, tuple[int]]:
        return (bytearray, (10 * 2**30,))


class _Hangs:
    def __reduce__(self) -> tuple[object, tuple[int]]:
        return (time.sleep, (3600,))


def _render(media: Path, frame: Path) -> np.ndarray:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    environment.pop("NNVIZ_TEST_TEX_DIR", None)  # the folder's own Tex cache, as a user's
    done = subprocess.run([sys.executable, "-c", RENDER, str(media), str(frame)], cwd=media,
                          env=environment, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return np.asarray(Image.open(frame).convert("RGB"))


def test_planted_pickles_in_the_text_store_never_run(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    first = _render(media, tmp_path / "first.png")
    stored = sorted((media / "texts").glob(f"*{STORED_TEXT_SUFFIX}"))
    assert len(stored) >= 10, "the still's captions, labels and read-outs are stored texts"

    written, ran = tmp_path / "written", tmp_path / "ran"
    payloads = [_WritesFile(written), _RunsCommand(ran), _Allocates(), _Hangs()]
    for index, path in enumerate(stored):
        path.write_bytes(pickle.dumps(payloads[index % len(payloads)]))

    second = _render(media, tmp_path / "second.png")  # a hang or 10 GB would fail here

    assert not written.exists() and not ran.exists()
    mean, share = frame_difference(second, first)
    assert mean < 0.05 and share == 0.0, (mean, share)
    for path in stored:  # typeset again and replaced by whole stored texts
        with open(path, "rb") as handle:
            assert handle.read(2) == b"PK"
    texts = [p for p in stored if _is_text(p)]
    assert texts, "some stored texts are Text objects"


def _is_text(path: Path) -> bool:
    try:
        return type(read_text(path, Text)) is Text
    except ValueError:
        return False
