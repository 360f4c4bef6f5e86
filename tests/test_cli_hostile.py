"""The command line under hostile input: one line, a non-zero exit, nothing lost, no work done."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnviz.gif as gif
import nnviz.render_checks as render_checks
import nnviz.run_videos as run_videos
from nnviz.config import RunConfig
from nnviz.run import Run
from nnviz.run_file import save_run
from nnviz.run_videos import VideoSettings
from tests.cli_invoke import invoke
from tests.timeouts import no_hang

REPO = Path(__file__).resolve().parents[1]


def one_line_error(code: int, out: str, err: str, message: str) -> None:
    assert code != 0, (out, err)
    assert err.count("\n") == 1 and err.startswith("nnviz: ") and message in err, err
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "18446744073709551616"], "--seed must be at most 4294967295"),
        (["--samples", "10000000000"], "--samples must be at most 100000"),
        (["--samples", "10000000"], "--samples must be at most 100000"),
        (["--hidden", "100000000000"], "--hidden layers of 100000000000 units are too wide"),
        (["--epochs", "1000000000"], "--epochs must be at most 10000"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--target-loss", "-1"], "--target-loss must be at least 0"),
        (["--noise", "1e300"], "--noise must be at most"),
    ],
)
@pytest.mark.parametrize("command", ["train", "sweep", "render"])
def test_limits_name_the_flag(command: str, args: list[str], message: str) -> None:
    one_line_error(*invoke(command, *args), message)
    assert not Path("media").exists()  # refused before any work


def test_bare_nnviz_prints_its_usage_without_prefix() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from nnviz.cli import main; main()"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 2
    text = result.stdout + result.stderr
    assert text.startswith("Usage: nnviz [OPTIONS] COMMAND") and "nnviz: Usage" not in text
    assert "train" in text and "Traceback" not in text


@pytest.mark.parametrize("kind", ["device", "fifo", "symlink", "parent is a file"])
def test_out_refuses_what_is_not_a_regular_file_before_training(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nnviz.train

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained before refusing --out")

    monkeypatch.setattr(nnviz.train, "train", no_training)
    if kind == "device":
        target = Path("/dev/null")
    elif kind == "fifo":
        target = tmp_path / "pipe.npz"
        os.mkfifo(target)
    elif kind == "symlink":
        (tmp_path / "real.npz").write_bytes(b"precious")
        target = tmp_path / "link.npz"
        target.symlink_to(tmp_path / "real.npz")
    else:
        (tmp_path / "file").write_bytes(b"precious")
        target = tmp_path / "file" / "run.npz"
    before = target.lstat().st_mode if kind != "parent is a file" else None
    code, out, err = invoke("train", "--epochs", "2", "--out", str(target))
    one_line_error(code, out, err, str(target))
    if kind == "device":
        assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    if before is not None:
        assert target.lstat().st_mode == before
    if kind == "symlink":
        assert (tmp_path / "real.npz").read_bytes() == b"precious"


def test_inspect_says_what_is_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.npz")
    for path in (tmp_path, tmp_path / "pipe.npz", Path("/dev/null")):
        one_line_error(*invoke("inspect", str(path)), "not a regular file")
    one_line_error(*invoke("inspect", str(tmp_path / "absent.npz")), "no such run file")


def test_train_shows_progress_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import nnviz.cli as cli_module

    monkeypatch.setattr(cli_module, "_stderr_is_tty", lambda: True)
    code, out, err = invoke("train", "--epochs", "3", "--out", "r.npz")
    assert code == 0 and out.count("\n") == 1
    assert "training" in err  # click draws the bar itself on a real terminal
    monkeypatch.setattr(cli_module, "_stderr_is_tty", lambda: False)
    code, out, err = invoke("train", "--epochs", "3", "--out", "r.npz")
    assert code == 0 and err == ""


def test_a_deeply_nested_cached_config_is_retrained_not_fatal(short_run: Run) -> None:
    """`sweep` used to fail on every run until the damaged cache file was deleted by hand."""
    config = RunConfig(activation="relu", lr=0.1, max_epochs=2)
    runs = Path("runs")
    code, _, _ = invoke("sweep", "--epochs", "2", "--out", str(runs))
    assert code == 0
    path = runs / f"{config.key()}.npz"
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["config"] = np.array("[" * 50_000 + "]" * 50_000)
    np.savez(path, **arrays)
    code, out, _ = invoke("sweep", "--epochs", "2", "--out", str(runs))
    assert code == 0 and "relu" in out
    code, out, _ = invoke("inspect", str(path))
    assert code == 0 and re.search(r"^lr +0.1$", out, re.M)


def _without(tool: str, monkeypatch: pytest.MonkeyPatch) -> None:
    which = render_checks.shutil.which
    monkeypatch.setattr(
        render_checks.shutil, "which", lambda name: None if name == tool else which(name)
    )
    render_checks.missing_latex.cache_clear()


@pytest.mark.parametrize(
    ("tool", "args", "message"),
    [
        ("ffmpeg", ["--format", "gif"], "ffmpeg is not installed"),
        ("latex", [], "LaTeX is missing"),
        ("dvisvgm", [], "LaTeX is missing (no 'dvisvgm' on PATH)"),
    ],
)
def test_render_checks_tools_before_training(
    tool: str, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NNVIZ_RUNS_DIR", raising=False)
    _without(tool, monkeypatch)
    try:
        one_line_error(*invoke("render", "--epochs", "2", *args), message)
    finally:
        render_checks.missing_latex.cache_clear()
    assert not Path("media").exists()  # nothing trained, nothing rendered


def test_render_refuses_an_architecture_it_cannot_draw_before_training(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NNVIZ_RUNS_DIR", raising=False)
    args = ("render", "--layout", "blog", "--hidden", "3", "--epochs", "2")
    one_line_error(*invoke(*args), "the blog layout draws --hidden 2, not --hidden 3")
    assert not Path("media").exists()


def test_render_refuses_an_unwritable_media_folder_before_training(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NNVIZ_RUNS_DIR", raising=False)
    Path("media").write_text("a file where the media folder should be")
    one_line_error(*invoke("render", "--epochs", "2"), "cannot write")


def test_manim_without_latex_says_so_in_one_line(tmp_path: Path) -> None:
    """`manim -ql scenes/relu.py` without LaTeX: one line, not Manim's 141-line traceback."""
    empty = tmp_path / "bin"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "manim", "-ql", "scenes/relu.py"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PATH": str(empty), "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("nnviz: LaTeX is missing")


def test_write_error_names_the_users_path(short_run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import nnviz.run as run_module

    def full(handle: object, **arrays: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(run_module.np, "savez", full)
    code, out, err = invoke("train", "--epochs", "2", "--out", "mine.npz")
    one_line_error(code, out, err, "mine.npz: No space left on device")
    assert ".tmp" not in err
    assert save_run  # the module's writer is the one patched


def test_sigterm_exits_in_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    import time

    process = subprocess.Popen(
        [sys.executable, "-c", "from nnviz.cli import main; main()", "train",
         "--epochs", "10000", "--samples", "20000", "--out", str(tmp_path / "run.npz")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    # Wait until the command catches SIGTERM (Linux shows the caught signals' mask in
    # /proc/PID/status), however slow its imports are on a busy machine, then a little more
    # for the first epochs.
    status = Path(f"/proc/{process.pid}/status")
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        caught = next(line for line in status.read_text().splitlines() if line.startswith("SigCgt"))
        if int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)):
            break
        time.sleep(0.1)
    time.sleep(1.0)
    assert process.poll() is None
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 143
    assert err == "nnviz: terminated\n" and out == ""
    assert list(tmp_path.iterdir()) == []


def test_a_failing_gif_conversion_is_one_error_naming_the_gif(tmp_path: Path) -> None:
    if render_checks.shutil.which("ffmpeg") is None:
        pytest.skip("needs ffmpeg")
    movie = tmp_path / "clip.mp4"
    movie.write_bytes(b"not a movie")
    message = r"clip\.gif: ffmpeg could not convert"
    with pytest.raises(render_checks.RenderError, match=message) as caught:
        gif.to_gif(movie, tmp_path / "clip.gif")
    assert "\n" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


# --- what a run file holds, as the terminal shows it (issue 19) -----------------------------


def _with_meta(path: Path, **changes: object) -> Path:
    """Rewrite the run file at ``path`` with ``changes`` to its ``config`` JSON (keys of the
    run configuration, or ``epochs``)."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(str(arrays["config"]))
    for key, value in changes.items():
        (meta if key == "epochs" else meta["config"])[key] = value
    arrays["config"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    return path


CLEAR_SCREEN, FORGED_LINE = "\x1b[2J", "\nforged line"


def test_printable_escapes_control_characters_and_nothing_else() -> None:
    from nnviz.terminal import printable

    text = f"x₁ é\t{CLEAR_SCREEN}{FORGED_LINE}\x9b\u202e\x7f\x00 C:\\data"
    escaped = r"x₁ é\t\x1b[2J\nforged line\x9b\u202e\x7f\x00 C:\data"
    assert printable(text) == escaped and printable(escaped) == escaped
    assert printable(Path("runs/a.npz")) == "runs/a.npz"


def test_inspect_escapes_the_strings_of_a_run_file(short_run: Run, tmp_path: Path) -> None:
    """`nnviz inspect` printed a run file's data_file and data_hash raw: an escape sequence
    cleared the terminal, a newline forged a line of its own."""
    path = _with_meta(save_run(short_run, tmp_path / "run.npz"), dataset="csv",
                      data_file=f"{CLEAR_SCREEN}data.csv",
                      data_hash=f"abc{FORGED_LINE}")  # fmt: skip
    code, out, err = invoke("inspect", str(path))
    assert code == 0, err
    assert "\x1b" not in out + err
    rows = dict(line.split(None, 1) for line in out.splitlines())
    assert rows["data_file"] == r"\x1b[2Jdata.csv"
    assert rows["data_hash"] == r"abc\nforged line"
    assert rows["dataset"] == "csv" and "forged" not in rows


@pytest.mark.parametrize(
    "changes",
    [
        {"epochs": f"{CLEAR_SCREEN}{FORGED_LINE}"},  # quoted by "header says ... epochs"
        # quoted by the configuration's own message, "<data_file>: 3 classes ..."
        {"dataset": "csv", "data_file": f"{CLEAR_SCREEN}{FORGED_LINE}", "data_hash": "0",
         "class_names": ["a", "b", "c"]},
    ],
)  # fmt: skip
def test_errors_quoting_a_run_file_escape_it(
    short_run: Run, tmp_path: Path, changes: dict[str, object]
) -> None:
    path = _with_meta(save_run(short_run, tmp_path / "run.npz"), **changes)
    for command in (["inspect", str(path)], ["render", "--run", str(path)]):
        code, out, err = invoke(*command)
        one_line_error(code, out, err, "\\x1b[2J")
        assert "\x1b" not in err
    assert not Path("media").exists()


def test_a_path_given_is_escaped_too(tmp_path: Path) -> None:
    missing = tmp_path / f"run{CLEAR_SCREEN}{FORGED_LINE}.npz"
    code, out, err = invoke("inspect", str(missing))
    one_line_error(code, out, err, r"run\x1b[2J\nforged line.npz: no such run file")


# --- the drawing limit counts the points a run holds (issue 19) -----------------------------


def test_render_refuses_a_run_file_of_more_points_than_it_says(
    short_run: Run, tmp_path: Path
) -> None:
    """Its configuration's 400 samples let 2500 points past the 2000-point drawing limit."""
    path = save_run(short_run, tmp_path / "run.npz")
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    arrays["X"] = np.tile(arrays["X"], (7, 1))[:2500]
    arrays["y"] = np.tile(arrays["y"], 7)[:2500]
    np.savez(path, **arrays)
    code, out, err = invoke("render", "--run", str(path))
    one_line_error(code, out, err, "configuration says 400 samples, arrays hold 2500 points")
    assert not Path("media").exists()


def test_the_drawing_limit_is_of_the_points_a_run_holds() -> None:
    with pytest.raises(render_checks.RenderError, match="the run has 2500 points"):
        render_checks.check_render(RunConfig(samples=400), points=2500)


# --- video length, stills, themes and --out (issue 20) --------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--duration", "2"], "--duration must be 5 to 600 seconds, got 2"),
        (["--duration", "1e9"], "--duration must be 5 to 600 seconds, got 1e+09"),
        (["--duration", "nan"], "--duration must be 5 to 600 seconds, got nan"),
        (["--seconds-per-epoch", "0"], "--seconds-per-epoch must be 0.001 to 10 seconds, got 0"),
        (["--seconds-per-epoch", "-1"], "--seconds-per-epoch must be 0.001 to 10 seconds"),
        (["--duration", "20", "--seconds-per-epoch", "0.1"],
         "--duration and --seconds-per-epoch exclude each other"),
    ],
)  # fmt: skip
def test_render_refuses_a_video_length_out_of_range_before_training(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NNVIZ_RUNS_DIR", raising=False)
    one_line_error(*invoke("render", "--epochs", "2", *args), message)
    assert not Path("media").exists()


@pytest.mark.parametrize(
    ("args", "message", "exit_code"),
    [
        (["--still", "200"], "nnviz: the run has epochs 0 to 12; --still 200 is not one", 1),
        (["--still", "-1"], "nnviz: the run has epochs 0 to 12; --still -1 is not one", 1),
        (["--still", "12.5"], "nnviz: the run has epochs 0 to 12; --still 12.5 is not one", 1),
        (["--still", "last"], "'last' is not an epoch (a number) or 'final'", 2),
        (["--still", "inf"], "'inf' is not an epoch (a number) or 'final'", 2),
        (["--still", "3", "--format", "gif"], "--still writes a PNG; drop --format", 2),
    ],
)
def test_render_refuses_a_still_the_run_does_not_have_in_one_line(
    short_run: Run, tmp_path: Path, args: list[str], message: str, exit_code: int
) -> None:
    """A still of an epoch the run file does not hold: one line, nothing rendered."""
    path = save_run(short_run, tmp_path / "run.npz")
    code, out, err = invoke("render", "--run", str(path), *args)
    assert code == exit_code and err.count("\n") == 1 and message in err, err
    assert "Traceback" not in out + err
    assert not Path("media", "images").exists() and not Path("media", "videos").exists()


def test_a_pace_that_makes_a_video_of_hours_is_refused() -> None:
    render_checks.check_video_length(200, 3.0)  # 600 s: the most
    with pytest.raises(render_checks.RenderError, match="makes 201 epochs last 603 s, more than"):
        render_checks.check_video_length(201, 3.0)


def test_the_theme_is_in_the_file_name_unless_it_is_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NNVIZ_THEME", raising=False)
    config = RunConfig()
    assert run_videos.run_output_name(config) == "relu_lr0.01"
    assert run_videos.run_output_name(config, VideoSettings(theme="dark")) == "relu_lr0.01"
    assert run_videos.run_output_name(config, VideoSettings(theme="light")) == "relu_lr0.01_light"
    monkeypatch.setenv("NNVIZ_THEME", "light")  # the light video no longer replaces the dark
    assert run_videos.run_output_name(config) == "relu_lr0.01_light"
    assert run_videos.run_output_name(config, VideoSettings(theme="dark")) == "relu_lr0.01"
    assert run_videos.run_output_name(config, VideoSettings(layout="blog"), still=37.5) == (
        "relu_lr0.01_blog_light_epoch37.5"
    )
    # The landscape's file follows the same rule (it named only --theme, not NNVIZ_THEME).
    assert run_videos.landscape_output_name(RunConfig(activation="tanh")) == "landscape_tanh_light"
    assert (
        run_videos.landscape_output_name(RunConfig(activation="tanh"), VideoSettings(theme="dark"))
        == "landscape_tanh"
    )
    code, _, err = invoke("render", "--theme", "sepia")
    assert code == 2 and "'sepia' is not one of 'dark', 'light'" in err


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("device", "/dev/null: is a device; a video is written only to a regular file"),
        ("fifo", "video.mp4: is a FIFO; a video is written only"),
        ("symlink", "video.mp4: is a symbolic link; a video is written only"),
        ("folder", "out: is a folder; a video is written only"),
        ("suffix", "video.gif: a video (--format mp4) is written to a .mp4 file"),
        ("gif suffix", "video.mp4: a GIF (--format gif) is written to a .gif file"),
        ("still suffix", "video.mp4: a still (--still) is written to a .png file"),
        ("parent is a file", "video.mp4: cannot write"),
    ],
)
def test_render_out_refuses_what_is_not_a_regular_file_before_training(
    tmp_path: Path, kind: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nnviz.train

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained before refusing --out")

    monkeypatch.setattr(nnviz.train, "train", no_training)
    monkeypatch.delenv("NNVIZ_RUNS_DIR", raising=False)
    target = tmp_path / "video.mp4"
    extra: list[str] = []
    if kind == "device":
        target = Path("/dev/null")
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "symlink":
        (tmp_path / "real.mp4").write_bytes(b"precious")
        target.symlink_to(tmp_path / "real.mp4")
    elif kind == "folder":
        target = tmp_path / "out"
        target.mkdir()
    elif kind == "suffix":
        target = tmp_path / "video.gif"
    elif kind == "gif suffix":
        extra = ["--format", "gif"]
    elif kind == "still suffix":
        extra = ["--still", "final"]
    elif kind == "parent is a file":
        (tmp_path / "file").write_bytes(b"precious")
        target = tmp_path / "file" / "video.mp4"
    before = target.lstat().st_mode if target.exists() or target.is_symlink() else None
    code, out, err = invoke("render", "--epochs", "2", "--out", str(target), *extra)
    one_line_error(code, out, err, message)
    if before is not None:
        assert target.lstat().st_mode == before
    if kind == "symlink":
        assert (tmp_path / "real.mp4").read_bytes() == b"precious"
    assert not Path("media").exists()  # refused before any training or drawing


def test_out_and_still_are_of_one_run() -> None:
    for args in (["--out", "x.mp4"], ["--still", "final"]):
        code, _, err = invoke("render", "--seed-grid", *args)
        assert code == 2 and "--seed-grid renders six" in err and err.count("\n") == 1


def test_render_help_says_what_the_options_do() -> None:
    code, out, _ = invoke("render", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "each hidden layer's view" in text and "the hidden space" not in text
    assert "Length of the whole video" in text and "render shows no title card" in text
    assert "--still" in text and "--theme" in text and "--out" in text


# --- paths that are not regular files are refused before they are opened -------------------


def _special(tmp_path: Path, kind: str, name: str) -> Path:
    """A FIFO, a symbolic link to a FIFO, a device or a folder named ``name``."""
    path = tmp_path / name
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "link to fifo":
        os.mkfifo(tmp_path / f"real-{name}")
        path.symlink_to(tmp_path / f"real-{name}")
    elif kind == "device":
        path.symlink_to("/dev/zero")  # read forever if it were opened
    else:
        path.mkdir()
    return path


_KIND_SAID = {
    "fifo": "a FIFO",
    "link to fifo": "a FIFO",
    "device": "a device",
    "folder": "a folder",
}

#: Every path the command line reads: (arguments before the path, arguments after it, name).
_READ_PATHS = [
    (["train", "--data"], ["--out", "run.npz"], "data.csv"),
    (["sweep", "--data"], ["--out", "runs"], "data.csv"),
    (["render", "--data"], [], "data.csv"),
    (["inspect"], [], "run.npz"),
    (["render", "--run"], [], "run.npz"),
    (["manim"], [], "scene.py"),
]


@pytest.mark.parametrize("kind", ["fifo", "link to fifo", "device", "folder"])
@pytest.mark.parametrize(
    ("before", "after", "name"), _READ_PATHS, ids=[" ".join(p[0]) for p in _READ_PATHS]
)
def test_every_path_read_refuses_what_is_not_a_regular_file_without_opening_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: list[str], after: list[str],
    name: str, kind: str,
) -> None:  # fmt: skip
    """Issue 19: `--data` of a FIFO hung forever. Every path the CLI reads is refused in one
    line before it is opened, whatever the command; the alarm turns a hang into a failure."""
    monkeypatch.setenv("NNVIZ_RUNS_DIR", str(tmp_path / "cache"))
    path = _special(tmp_path, kind, name)
    present = sorted(tmp_path.rglob("*"))
    with no_hang(20):
        code, out, err = invoke(*before, str(path), *after)
    one_line_error(code, out, err, f"{path}: not a regular file ({_KIND_SAID[kind]})")
    assert code == 1
    assert sorted(tmp_path.rglob("*")) == present  # nothing trained, written or rendered


def test_data_of_a_fifo_ends_in_one_line_as_a_command(tmp_path: Path) -> None:
    """The issue's own case, as the user runs it: `nnviz train --data FIFO` in a process of
    its own, which used to block in open() until killed."""
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-c", "from nnviz.cli import main; main()", "train", "--data",
         str(fifo), "--out", str(tmp_path / "run.npz")],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"nnviz: {fifo}: not a regular file (a FIFO)\n"
