"""``nnviz figure``: the grid's maths by hand, the epochs and formats it takes, and one small
render read back: each row's input plane shows the probabilities of its own epoch (torch as
the oracle), in the order asked for, at the width asked for."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from nnviz.colormap import DivergingColormap
from nnviz.figure_grid import FigureGrid, figure_epochs, figure_format, parse_figure_epochs
from nnviz.figures import PDF_PAGE_INCHES, save_figure
from nnviz.run import Run
from nnviz.run_file import save_run
from nnviz.theme import THEMES
from nnviz.view import Viewport, data_box
from tests.cli_invoke import invoke

# -- the grid, by hand -------------------------------------------------------------------------


def test_the_grid_adds_up_its_columns_and_rows() -> None:
    grid = FigureGrid(rows=2, columns=3)
    # label 2.0 + input margin 0.95 + 3 panels of 3.2 + 2 gaps of 1.0 + right margin 1.0
    assert grid.frame_width == pytest.approx(2.0 + 0.95 + 9.6 + 2.0 + 1.0)
    # header 1.55 + 2 panels of 3.2 + one gap of 0.8 + footer 2.0
    assert grid.frame_height == pytest.approx(1.55 + 6.4 + 0.8 + 2.0)
    # The first panel: its left edge 2.95 from the frame's left, its top 1.55 from the top.
    x, y = grid.panel_centre(0, 0)
    assert x - 1.6 == pytest.approx(-grid.frame_width / 2 + 2.95)
    assert y + 1.6 == pytest.approx(grid.frame_height / 2 - 1.55)
    # The next column is a panel and a gap to the right; the next row a panel and a gap down.
    assert grid.panel_centre(0, 1) == pytest.approx((x + 4.2, y))
    assert grid.panel_centre(1, 2) == pytest.approx((x + 8.4, y - 4.0))
    with pytest.raises(IndexError):
        grid.panel_centre(2, 0)


def test_the_grids_parts_stay_inside_the_frame_and_apart() -> None:
    grid = FigureGrid(rows=4, columns=2)
    half_w, half_h = grid.frame_width / 2, grid.frame_height / 2
    boxes = []
    for row in range(4):
        for column in range(2):
            x, y = grid.panel_centre(row, column)
            boxes.append((x - 1.6, x + 1.6, y - 1.6, y + 1.6))
    for left, right, bottom, top in boxes:
        assert -half_w < left and right < half_w and -half_h < bottom and top < half_h
    for k, a in enumerate(boxes):
        for b in boxes[k + 1 :]:
            assert a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]
    label_x, _ = grid.label_left(0)
    assert -half_w < label_x < boxes[0][0] - grid.input_margin
    assert grid.legend_centre()[1] < boxes[-1][2] - 0.7


def test_the_pixel_height_follows_the_frames_shape() -> None:
    grid = FigureGrid(rows=2, columns=2)  # 11.35 × 10.75 scene units
    assert grid.pixel_size(1135) == (1135, 1075)
    assert grid.pixel_size(2270) == (2270, 2150)
    assert grid.mesh_resolution(1135) == 320  # a panel's 3.2 units at 100 px a unit
    assert grid.mesh_resolution(20000) == 600


# -- epochs and formats --------------------------------------------------------------------------


def test_epochs_keep_their_order_and_final_is_the_runs_last() -> None:
    assert parse_figure_epochs("50, 0,final") == (50.0, 0.0, "final")
    assert figure_epochs((50.0, 0.0, "final"), 107) == (50.0, 0.0, 107.0)


@pytest.mark.parametrize("text", ["", "ten", "1.5", "-1", ",".join(["1"] * 13)])
def test_what_is_not_a_list_of_epochs_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_figure_epochs(text)
    assert "\n" not in str(error.value)


def test_an_epoch_past_the_runs_last_is_named() -> None:
    with pytest.raises(ValueError, match=r"^epoch 200 is past the run's last epoch 107 "):
        figure_epochs((0.0, 200.0), 107)
    with pytest.raises(ValueError, match=r"^step 30 is past the run's last step 20 "):
        figure_epochs((30.0,), 20, unit="step")


def test_the_suffix_says_the_format() -> None:
    assert figure_format(Path("a/fig.PNG")) == "PNG"
    assert figure_format(Path("fig.pdf")) == "PDF"
    for name in ("fig.svg", "fig", "fig.png.txt"):
        with pytest.raises(ValueError, match=r"a figure is written to a \.png or \.pdf file"):
            figure_format(Path(name))


def test_a_pdf_holds_the_image_on_a_page_of_the_papers_width(tmp_path: Path) -> None:
    still = tmp_path / "still.png"
    Image.new("RGBA", (700, 350), (10, 20, 30, 255)).save(still)
    target = save_figure(still, tmp_path / "out" / "fig.pdf", "PDF")
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[ ?0 0 ([0-9.]+) ([0-9.]+) ?\]", data)
    assert box is not None
    assert float(box.group(1)) == pytest.approx(72 * PDF_PAGE_INCHES)  # 7 inches of 72 pt
    assert float(box.group(2)) == pytest.approx(72 * PDF_PAGE_INCHES / 2)
    assert [p.name for p in target.parent.iterdir()] == ["fig.pdf"]  # no temporary left


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def run_file(short_run: Run, tmp_path: Path) -> Path:
    return save_run(short_run, tmp_path / "short.npz")


def test_an_epoch_the_run_does_not_have_is_one_line_before_any_drawing(
    run_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fig.png"
    code, stdout, stderr = invoke("figure", "--run", str(run_file), "--epochs", "0,20",
                                  "--out", str(out))  # fmt: skip
    assert code == 1 and stdout == ""
    expected = "epoch 20 is past the run's last epoch 12 (--epochs takes 0 to 12, or 'final')"
    assert stderr == f"nnviz: {expected}\n"
    assert not out.exists() and not Path("media").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--out", "fig.svg"], "nnviz: fig.svg: a figure is written to a .png or .pdf file\n"),
        (["--out", "fig.png", "--lr", "0.1"], "drop --lr"),
        (["--out", "fig.png", "--width", "20"], "--width"),
    ],
)
def test_bad_options_are_one_line(run_file: Path, args: list[str], expected: str) -> None:
    code, _, stderr = invoke("figure", "--run", str(run_file), "--epochs", "0", *args)
    assert code != 0 and stderr.count("\n") == 1 and expected in stderr


def _torch_probability(run: Run, epoch: int, x: np.ndarray) -> np.ndarray:
    """P(class 1) of the 2-2-1 ReLU network at ``epoch``, computed by torch."""
    weights = run.weights(epoch)
    with torch.no_grad():
        h = torch.relu(torch.from_numpy(x) @ torch.from_numpy(weights.W1).T
                       + torch.from_numpy(weights.b1))  # fmt: skip
        z = h @ torch.from_numpy(weights.W2).T + torch.from_numpy(weights.b2)
        return torch.sigmoid(z)[:, 0].numpy()


def test_the_figure_shows_each_epochs_field_in_the_order_asked_at_the_width_asked(
    short_run: Run, run_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fig.png"
    code, stdout, stderr = invoke("figure", "--run", str(run_file), "--epochs", "12,0",
                                  "--width", "500", "--theme", "dark",
                                  "--out", str(out))  # fmt: skip
    assert code == 0, stderr
    assert stdout.strip() == str(out)
    image = np.asarray(Image.open(out).convert("RGB"), dtype=float)
    grid = FigureGrid(rows=2, columns=2)
    height, width = image.shape[:2]
    assert (width, height) == (500, round(500 * grid.frame_height / grid.frame_width))
    # The input plane shows the data's square box (equal scales, 10 % margin) in each panel.
    (x0, x1), (y0, y1) = data_box(short_run.X, "equal", margin=0.1)
    u, v = np.meshgrid(np.linspace(0.1, 0.9, 12), np.linspace(0.1, 0.9, 12))
    u, v = u.ravel(), v.ravel()
    data = np.column_stack([x0 + u * (x1 - x0), y0 + v * (y1 - y0)])
    colours = DivergingColormap.from_theme(THEMES["dark"])
    errors = np.zeros((2, 2))  # row × epoch (0 or 12): the median colour difference
    for row in range(2):
        cx, cy = grid.panel_centre(row, 0)
        sx = cx - grid.panel / 2 + u * grid.panel
        sy = cy - grid.panel / 2 + v * grid.panel
        px = np.floor((sx + grid.frame_width / 2) / grid.frame_width * width).astype(int)
        py = np.floor((grid.frame_height / 2 - sy) / grid.frame_height * height).astype(int)
        shown = image[py, px]
        for column, epoch in enumerate((0, 12)):
            expected = colours(_torch_probability(short_run, epoch, data))[:, :3].astype(float)
            errors[row, column] = np.median(np.abs(shown - expected).max(axis=1))
    # Row 0 is epoch 12 and row 1 epoch 0, as asked; dots and lines cover a few samples.
    assert errors[0, 1] < 6 and errors[1, 0] < 6, errors
    assert errors[0, 0] > 2 * errors[0, 1] and errors[1, 1] > 2 * errors[1, 0], errors


# -- captions that keep to their column ----------------------------------------------------------


@pytest.mark.parametrize("width", [None, 3.0])
def test_a_caption_wider_than_its_column_goes_on_two_lines(
    short_run: Run, width: float | None
) -> None:
    """A figure's columns are narrow: a long caption breaks after its colon and fits; without a
    width (the videos) it stays one line, as before."""
    from manim import ValueTracker

    from nnviz.mobjects.context import BlockContext
    from nnviz.mobjects.panels import InputPlanePanel
    from nnviz.trajectory import Trajectory

    context = BlockContext(Trajectory(short_run), ValueTracker(0.0), THEMES["dark"])
    panel = InputPlanePanel(
        context.at(Viewport((0.0, 0.0), 3.0, 3.0)),
        caption="hidden space: 4 units · PCA, 99% of variance",
        mesh_resolution=20,
        caption_width=width,
    )
    lines = len(panel.caption.submobjects)
    if width is None:
        assert lines == 1 and panel.caption.width > 3.0
    else:
        assert lines == 2 and panel.caption.width <= width + 1e-9
        # Both lines stand above the panel's frame.
        assert panel.caption.get_bottom()[1] > panel.frame_box.get_top()[1]
