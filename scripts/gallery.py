"""Draw the README's gallery: a small still of every scene and of the main ``nnviz render``
options, made by the project's own commands, and print the Markdown table that shows them.

Run it from the repository root with the environment active (runs are trained and cached on
first use; a few minutes in all)::

    python scripts/gallery.py            # every still, then the table
    python scripts/gallery.py --only relu,render-blog

Each scene's still is ``manim -ql -s scenes/NAME.py`` (the story's final state), each render
option's ``nnviz render --still final -ql ... --out``; both are then shrunk to
:data:`WIDTH` pixels and stored as palette PNGs in ``docs/gallery/``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
GALLERY = REPO / "docs" / "gallery"
#: Width of a gallery image, in pixels.
WIDTH = 420
#: Colours of a gallery image's palette (the meshes' gradients stay smooth at this size).
COLOURS = 128

#: The scenes, with what their still shows.
SCENES: dict[str, str] = {
    "relu": "`scenes/relu.py`: the closing comparison of the three learning rates",
    "tanh": "`scenes/tanh.py`: the same for tanh",
    "compare": "`scenes/compare.py`: ReLU and tanh × three learning rates on one clock",
    "network": "`scenes/network.py`: the 2-2-1 network, weights on its links",
    "deep_network": "`scenes/deep_network.py`: the 2-8-8-2-1 network on the spiral",
    "transform": "`scenes/transform.py`: the hidden layer as a deformation of the plane",
    "lift": "`scenes/lift.py`: the circles lifted into 3-D by three tanh units",
    "circles": "`scenes/circles.py`: two hidden units beside three on the circles",
    "deep": "`scenes/deep.py`: every hidden layer of a 2-8-8-2-1 network",
    "spiral3": "`scenes/spiral3.py`: three classes, three convex regions in the last layer",
    "deform3": "`scenes/deform3.py`: three classes as a deformation of the plane",
    "explainer": "`scenes/explainer.py`: the talk's last slide",
    "landscape": "`scenes/landscape.py`: the loss landscape of three learning rates",
}

_DEEP_OPTIONS = ["--dataset", "spiral", "--hidden", "4,4,2", "--activation", "tanh"]
_DEEP_OPTIONS += ["--lr", "0.03", "--epochs", "300"]

#: ``nnviz render`` options, with what their still shows.
RENDERS: dict[str, tuple[list[str], str]] = {
    "render-default": (["--activation", "relu", "--lr", "0.01"], "`nnviz render` (default)"),
    "render-blog": (["--layout", "blog"], "`--layout blog`: the post's three panels"),
    "render-light": (["--theme", "light"], "`--theme light`"),
    "render-deep": (
        _DEEP_OPTIONS,
        "`--dataset spiral --hidden 4,4,2 --activation tanh`",
    ),
    "render-wine": (
        ["--data", "examples/wine.csv"],
        "`--data examples/wine.csv`: each axis its own scale",
    ),
    "render-iris": (
        ["--data", "examples/iris.csv", "--hidden", "4,2", "--epochs", "200"],
        "`--data examples/iris.csv --hidden 4,2`: three species, each class's accuracy",
    ),
    "render-test": (["--test-fraction", "0.25"], "`--test-fraction 0.25`: test points hollow"),
    "render-leaky": (
        ["--activation", "leaky_relu:0.01", "--lr", "0.03"],
        "`--activation leaky_relu:0.01` (PyTorch's slope)",
    ),
}


def _run(command: list[str]) -> None:
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"gallery: {' '.join(command)} failed:\n{done.stderr[-2000:]}")


def _store(source: Path, name: str) -> Path:
    """Shrink ``source`` to :data:`WIDTH` pixels and store it as ``docs/gallery/NAME.png``."""
    image = Image.open(source).convert("RGB")
    height = round(image.height * WIDTH / image.width)
    small = image.resize((WIDTH, height), Image.Resampling.LANCZOS)
    target = GALLERY / f"{name}.png"
    small.quantize(COLOURS, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    return target


def scene_still(name: str, folder: Path) -> Path:
    """``manim -ql -s scenes/NAME.py`` into ``folder``; return the still's path."""
    bin_dir = Path(sys.executable).parent
    _run([str(bin_dir / "manim"), "-ql", "-s", "-v", "WARNING", "--progress_bar", "none",
          "--media_dir", str(folder), f"scenes/{name}.py"])  # fmt: skip
    (still,) = (folder / "images" / name).glob("*.png")
    return still


def render_still(options: list[str], folder: Path) -> Path:
    """``nnviz render --still final -ql OPTIONS --out`` into ``folder``; return its path."""
    out = folder / "still.png"
    bin_dir = Path(sys.executable).parent
    _run([str(bin_dir / "nnviz"), "render", "-ql", "--still", "final", *options,
          "--out", str(out)])  # fmt: skip
    return out


def table(names: list[str]) -> str:
    """The Markdown table of the gallery, two images a row."""
    captions = {**SCENES, **{name: caption for name, (_, caption) in RENDERS.items()}}
    cells = [f"![{name}](docs/gallery/{name}.png)<br>{captions[name]}" for name in names]
    rows = ["| | |", "|---|---|"]
    for first in range(0, len(cells), 2):
        pair = [*cells[first : first + 2], ""][:2]
        rows.append(f"| {pair[0]} | {pair[1]} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated names (scenes or render-...)")
    args = parser.parse_args()
    names = [*SCENES, *RENDERS]
    if args.only:
        names = [name for name in args.only.split(",") if name in names]
    GALLERY.mkdir(parents=True, exist_ok=True)
    for name in names:
        folder = Path(tempfile.mkdtemp(prefix="nnviz-gallery-"))
        try:
            if name in SCENES:
                still = scene_still(name, folder)
            else:
                still = render_still(RENDERS[name][0], folder)
            target = _store(still, name)
            print(f"gallery: {target.relative_to(REPO)} ({target.stat().st_size // 1024} kB)",
                  file=sys.stderr)  # fmt: skip
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print(table([*SCENES, *RENDERS]))


if __name__ == "__main__":
    main()
