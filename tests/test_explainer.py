"""The talk: a Slide with one slide per phase when manim-slides is installed, a Scene without."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from manim import RIGHT, config, tempconfig

from nnviz.manim_adapter.slides import slides_installed
from nnviz.stories import explainer
from nnviz.stories.base import NNVizScene
from tests.frame_regression import assert_matches_control, render_last_frame
from tests.scenes.stills import ShortExplainer

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.render
# The title, then the five phases, each ends with a pause.
EXPECTED_SLIDES = 1 + len(explainer.PHASES)


@pytest.mark.slow
def test_with_manim_slides_each_phase_is_a_slide(tmp_path: Path) -> None:
    pytest.importorskip("manim_slides", reason="the slides extra is installed by make test")
    assert slides_installed()
    from manim_slides import Slide

    assert issubclass(ShortExplainer, Slide)
    settings = {"pixel_width": 320, "pixel_height": 180, "frame_rate": 10,
                "media_dir": str(tmp_path / "media"), "verbosity": "ERROR",
                "progress_bar": "none", "disable_caching": True}  # fmt: skip
    if os.environ.get("NNVIZ_TEST_TEX_DIR"):  # the session's LaTeX output
        settings["tex_dir"] = os.environ["NNVIZ_TEST_TEX_DIR"]
    with tempconfig(settings):
        ShortExplainer(output_folder=tmp_path / "slides").render()
    slides = json.loads((tmp_path / "slides" / "ShortExplainer.json").read_text())["slides"]
    assert len(slides) == EXPECTED_SLIDES
    for slide in slides:
        assert Path(slide["file"]).is_file()
    # Each slide pauses on its content: its last frame is not the blank background.
    for index, slide in enumerate(slides):
        last = _last_frame(Path(slide["file"]))
        assert np.ptp(last.reshape(-1, 3), axis=0).max() > 60, f"slide {index} ends blank"
    # Each slide's speaker notes are its subtitles: the title card's (the network in words),
    # then each phase's card ("Part 2 of 5: The data"), and the training slide names each
    # run's learning rate.
    notes = [slide["notes"] for slide in slides]
    assert "How a neural network learns: 2 inputs → 2 hidden neurons (ReLU)" in notes[0]
    for index, title in enumerate(explainer.PHASES):
        assert notes[index + 1].startswith(f"- Part {index + 1} of {len(explainer.PHASES)}: "
                                           f"{title}\n"), notes[index + 1]  # fmt: skip
    for lr in ShortExplainer.learning_rates:
        assert f"Training ReLU · learning rate {lr:g}: epoch 0 to" in notes[4]
    # The presentation converts to a self-contained HTML page.
    html = tmp_path / "talk.html"
    subprocess.run(
        [str(Path(sys.executable).with_name("manim-slides")), "convert", "--folder",
         str(tmp_path / "slides"), "ShortExplainer", str(html)],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    assert html.stat().st_size > 10_000


def _last_frame(movie: Path) -> np.ndarray:
    """The last frame of ``movie`` as RGB (decoded by PyAV, as Manim writes it)."""
    import av

    with av.open(str(movie)) as container:
        frames = list(container.decode(video=0))
        assert frames
        return frames[-1].to_ndarray(format="rgb24")


def test_without_manim_slides_it_is_a_plain_scene(tmp_path: Path) -> None:
    """Hide manim_slides from a fresh interpreter and render the talk's last frame there."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["manim_slides"] = None  # import manim_slides now raises ImportError
        sys.path.insert(0, {str(REPO)!r})
        from manim import Scene, tempconfig
        from nnviz.manim_adapter.slides import slides_installed
        from tests.scenes.stills import ShortExplainer
        assert not slides_installed()
        assert [b.__name__ for b in ShortExplainer.__mro__].count("Slide") == 0
        settings = {{"pixel_width": 320, "pixel_height": 180, "frame_rate": 10,
                    "media_dir": {str(tmp_path)!r}, "verbosity": "ERROR",
                    "progress_bar": "none", "disable_caching": True}}
        if {os.environ.get("NNVIZ_TEST_TEX_DIR")!r}:  # the session's LaTeX output
            settings["tex_dir"] = {os.environ.get("NNVIZ_TEST_TEX_DIR")!r}
        with tempconfig(settings):
            scene = ShortExplainer()
            scene.render()
        video = scene.renderer.file_writer.movie_file_path
        print(video)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert Path(result.stdout.strip().splitlines()[-1]).is_file()
    assert not (tmp_path / "slides").exists()


def test_last_frame(tmp_path: Path) -> None:
    frame = render_last_frame(ShortExplainer, tmp_path)
    assert_matches_control(frame, "ShortExplainer")


def test_manim_slides_is_on_the_path_for_the_docs() -> None:
    assert shutil.which("manim-slides", path=str(Path(sys.executable).parent))


def test_the_talk_composes_phases_each_with_its_own_settings() -> None:
    from nnviz.stories.compare import ComparePhase, CompareStory
    from nnviz.stories.network import NetworkPhase, NetworkStory
    from nnviz.stories.training import TrainingPhase, TrainingStory
    from nnviz.stories.transform import DeformationPhase, DeformationStory

    bases = set(explainer.ExplainerStory.__mro__)
    assert not bases & {TrainingStory, NetworkStory, DeformationStory, CompareStory}
    story = explainer.ExplainerStory
    assert isinstance(story.network, NetworkPhase)
    assert isinstance(story.deformation, DeformationPhase)
    assert isinstance(story.training, TrainingPhase)
    assert isinstance(story.comparison, ComparePhase)
    # Each phase keeps its own timing: the network scene's lead, the comparison's mesh.
    assert story.network.lead_seconds == NetworkPhase().lead_seconds
    assert story.training.seconds_per_epoch != TrainingPhase().seconds_per_epoch


def test_importing_the_talk_chooses_no_base_and_patches_nothing() -> None:
    """The library's talk is a plain scene; importing it neither imports manim-slides nor
    patches Manim's configuration (a fresh interpreter, manim-slides installed or not)."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from manim._config.utils import ManimConfig
        before = dict(vars(ManimConfig))
        from nnviz.stories.explainer import ExplainerStory
        from nnviz.manim_adapter.slides import is_slide
        assert "manim_slides" not in sys.modules
        assert dict(vars(ManimConfig)) == before
        assert [b.__name__ for b in ExplainerStory.__mro__].count("Slide") == 0
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_scene_file_makes_the_talk_a_slide_when_manim_slides_is_installed() -> None:
    """``scenes/explainer.py`` holds one scene, ``Explainer``: a Slide with manim-slides (made
    there, with Manim's configuration adapted), the plain talk without."""
    from manim.utils.module_ops import scene_classes_from_file

    from nnviz.stories.explainer import ExplainerStory

    scenes = scene_classes_from_file(REPO / "scenes" / "explainer.py", full_list=True)
    assert isinstance(scenes, list) and [scene.__name__ for scene in scenes] == ["Explainer"]
    talk = scenes[0]
    assert issubclass(talk, ExplainerStory)
    if slides_installed():
        from manim._config.utils import ManimConfig
        from manim_slides import Slide

        assert issubclass(talk, Slide) and talk.__doc__ == talk.__mro__[1].__doc__
        assert hasattr(ManimConfig, "write_to_movie")  # patch_manim_config was applied
    else:
        assert talk.__mro__[1] is ExplainerStory


class _ManyAnimations(NNVizScene):
    """More animations than Manim keeps partial movies of (100), in two slides."""

    def construct(self) -> None:
        from manim import Square

        square = Square()
        self.add(square)
        for index in range(110):
            self.play(square.animate.shift(0.01 * (-1) ** index * RIGHT), run_time=0.1)
            if index == 54:
                self.next_slide()  # type: ignore[attr-defined]


@pytest.mark.slow
def test_a_presentation_of_more_than_a_hundred_animations_keeps_every_slides_movies(
    tmp_path: Path,
) -> None:
    """Manim takes its limit of kept partial movies when the scene is made; manim-slides lifts
    it only around the render, so the first slides' movies were gone when it joined them."""
    pytest.importorskip("manim_slides", reason="the slides extra is installed by make test")
    from nnviz.manim_adapter.slides import as_slides

    settings = {"pixel_width": 64, "pixel_height": 36, "frame_rate": 10,
                "media_dir": str(tmp_path / "media"), "verbosity": "ERROR",
                "progress_bar": "none", "disable_caching": True}  # fmt: skip
    with tempconfig(settings):
        before = config.max_files_cached
        assert before != -1  # Manim's limit applies, or the test proves nothing
        as_slides(_ManyAnimations)(output_folder=tmp_path / "slides").render()
        assert config.max_files_cached == before  # the lifted limit was undone
    slides = json.loads((tmp_path / "slides" / "_ManyAnimations.json").read_text())["slides"]
    assert len(slides) == 2
    for slide in slides:
        assert Path(slide["file"]).is_file()
