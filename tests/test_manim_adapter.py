"""The adapter to Manim's machinery (:mod:`nnviz.manim_adapter`) against the installed Manim.

Each override of the adapter rests on an assumption about Manim: that the method it replaces
still takes the same parameters, that a copied body's source is still the one it was copied
from, that Manim still calls it where nnviz expects. These tests check each, so a Manim
upgrade fails here, not silently in a video; and they check, reading the package's source with
:mod:`ast`, that nothing outside the adapter subclasses Manim's machinery, writes Manim's
global configuration or reaches into Manim's private modules.
"""

from __future__ import annotations

import ast
import inspect
import math
import textwrap
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from manim import (
    RIGHT,
    Camera,
    Mobject,
    Scene,
    Square,
    ValueTracker,
    Wait,
    config,
    tempconfig,
)
from manim.manager import Manager
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter

from nnviz.manim_adapter.caches import PrivateCaches
from nnviz.manim_adapter.camera import FastCamera
from nnviz.manim_adapter.plays import call_after_each_play
from nnviz.manim_adapter.replaces import Replacement, replacement_of, source_digest
from nnviz.manim_adapter.scene import SHOULD_UPDATE_MOBJECTS_DIGEST, AdaptedScene
from nnviz.manim_adapter.timing import frames_of_play, frames_of_still_wait

PACKAGE = Path(__file__).resolve().parents[1] / "nnviz"

#: Modules outside the adapter that still touch Manim's machinery, each with the reason.
KNOWN_EXCEPTIONS: dict[str, str] = {}

#: Manim's machinery: what only the adapter subclasses.
MACHINERY = frozenset(
    {
        "Scene", "ThreeDScene", "MovingCameraScene", "ZoomedScene", "SpecialThreeDScene",
        "Camera", "MovingCamera", "MultiCamera", "ThreeDCamera", "MappingCamera",
        "CairoRenderer", "OpenGLRenderer", "SceneFileWriter", "ManimConfig", "Manager",
    }
)  # fmt: skip


def _overrides() -> list[str]:
    """The names of :class:`AdaptedScene`'s methods that override :class:`manim.Scene`'s."""
    return sorted(
        name
        for name, value in vars(AdaptedScene).items()
        if callable(value) and hasattr(Scene, name) and name not in {"__doc__"}
    )


def _parameters(function: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    """A function's parameters: name, kind and default (annotations do not count)."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def _settings(media: Path, **more: Any) -> dict[str, Any]:
    """A tiny, quiet render into ``media`` that writes no movie."""
    return {
        "pixel_width": 64, "pixel_height": 36, "frame_rate": 15, "media_dir": str(media),
        "verbosity": "ERROR", "progress_bar": "none", "disable_caching": True,
        "dry_run": True, **more,
    }  # fmt: skip


# -- every override says what it replaces ----------------------------------------------------


def test_the_adapted_scene_overrides_what_it_should() -> None:
    assert _overrides() == [
        "__init__",
        "get_moving_and_static_mobjects",
        "get_moving_mobjects",
        "render",
        "tear_down",
        "update_to_time",
    ]


@pytest.mark.parametrize("name", _overrides())
def test_every_override_says_which_manim_method_it_replaces_and_why(name: str) -> None:
    replacement = replacement_of(vars(AdaptedScene)[name])
    assert isinstance(replacement, Replacement), f"AdaptedScene.{name} is not marked"
    assert replacement.manim_method is getattr(Scene, name)
    assert len(replacement.because) > 20


@pytest.mark.parametrize("name", [n for n in _overrides() if n != "__init__"])
def test_an_override_takes_the_parameters_of_the_manim_method_it_replaces(name: str) -> None:
    assert _parameters(vars(AdaptedScene)[name]) == _parameters(getattr(Scene, name))


def test_the_scene_passes_manims_scene_a_camera_class_it_takes() -> None:
    parameters = inspect.signature(Scene.__init__).parameters
    assert "camera_class" in parameters
    assert "background_color" not in parameters  # else the adapter's argument would hide it


@pytest.mark.parametrize(
    "name",
    [n for n in _overrides() if replacement_of(vars(AdaptedScene)[n]).copied_digest],  # type: ignore[union-attr]
)
def test_a_copied_body_was_copied_from_the_installed_manims_method(name: str) -> None:
    """Manim's method changed: compare it with the override's body, carry the change over
    where it applies, and write the new digest next to the override."""
    replacement = replacement_of(vars(AdaptedScene)[name])
    assert replacement is not None
    assert source_digest(replacement.manim_method) == replacement.copied_digest


def _camera_overrides() -> list[str]:
    return sorted(n for n in vars(FastCamera) if callable(getattr(Camera, n, None)))


def test_the_fast_camera_overrides_what_it_should() -> None:
    assert _camera_overrides() == ["display_image_mobject", "display_vectorized"]


@pytest.mark.parametrize("name", _camera_overrides())
def test_every_camera_override_is_marked_takes_manims_parameters_and_its_copy_is_current(
    name: str,
) -> None:
    """Manim's method changed: compare it with the override's body, carry the change over
    where it applies, and write the new digest next to the override."""
    replacement = replacement_of(vars(FastCamera)[name])
    assert isinstance(replacement, Replacement), f"FastCamera.{name} is not marked"
    assert replacement.manim_method is getattr(Camera, name)
    assert len(replacement.because) > 20
    assert _parameters(vars(FastCamera)[name]) == _parameters(getattr(Camera, name))
    if replacement.copied_digest is not None:
        assert source_digest(replacement.manim_method) == replacement.copied_digest


def test_manims_camera_draws_vectorized_mobjects_and_images_through_these_methods() -> None:
    source = inspect.getsource(Camera)
    assert "self.display_vectorized(" in source
    assert "self.display_image_mobject(" in source


def test_the_copied_bodies_are_those_of_update_to_time_and_the_split() -> None:
    copied = {n for n in _overrides() if replacement_of(vars(AdaptedScene)[n]).copied_digest}  # type: ignore[union-attr]
    assert copied == {"get_moving_and_static_mobjects", "update_to_time"}


def test_a_digest_ignores_the_docstring_and_formatting_but_not_the_code(tmp_path: Path) -> None:
    import importlib.util

    sources = {
        "plain": "def f(x):\n    return x + 1\n",
        "documented": 'def f(x):\n    """Add one."""\n    # a comment\n    return (x + 1)\n',
        "changed": "def f(x):\n    return x + 2\n",
    }
    digests = {}
    for name, source in sources.items():
        path = tmp_path / f"digest_{name}.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(f"digest_{name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        digests[name] = source_digest(module.f)
    assert digests["plain"] == digests["documented"] != digests["changed"]


# -- what Manim still does where the overrides hook in ----------------------------------------


def test_manim_splits_moving_and_static_mobjects_through_the_scenes_methods() -> None:
    begin_source = inspect.getsource(Scene.begin_animations)
    assert "= self.get_moving_and_static_mobjects(self.animations)" in begin_source
    assert "self.get_moving_mobjects(" in inspect.getsource(Scene.get_moving_and_static_mobjects)


def test_manim_advances_a_play_through_update_to_time() -> None:
    assert "self.update_to_time(t)" in inspect.getsource(Scene.play_internal)


def test_manims_tear_down_is_an_empty_hook_its_manager_calls_after_construct() -> None:
    tree = ast.parse(textwrap.dedent(inspect.getsource(Scene.tear_down)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    assert [type(node) for node in body] == [ast.Expr, ast.Pass]  # a docstring and pass
    assert "self.scene.tear_down()" in inspect.getsource(Manager.tear_down)
    render = inspect.getsource(Manager.render)
    assert render.index("self.tear_down()") < render.index("self.post_construct()")


def test_manims_renderer_makes_its_camera_without_arguments() -> None:
    assert "camera_cls()" in inspect.getsource(CairoRenderer.__init__)
    assert "background_color" in inspect.signature(Camera.__init__).parameters


@pytest.mark.parametrize("camera_class", [None, Camera])
def test_the_camera_is_made_with_the_scenes_background_and_config_is_left_alone(
    camera_class: type[Camera] | None, tmp_path: Path
) -> None:
    with tempconfig(_settings(tmp_path, background_color="#000000")):
        kwargs = {} if camera_class is None else {"camera_class": camera_class}
        scene = AdaptedScene(background_color="#123456", **kwargs)
        assert type(scene.camera) is (camera_class or FastCamera)
        assert scene.camera.background_color.to_hex().upper() == "#123456"
        np.testing.assert_array_equal(scene.camera.pixel_array[0, 0], [0x12, 0x34, 0x56, 255])
        assert config.background_color.to_hex().upper() == "#000000"


def test_without_a_background_the_camera_takes_manims_config(tmp_path: Path) -> None:
    with tempconfig(_settings(tmp_path, background_color="#204060")):
        camera = AdaptedScene().camera
        assert isinstance(camera, Camera)
        assert camera.background_color.to_hex().upper() == "#204060"


def test_a_render_runs_inside_rendering(tmp_path: Path) -> None:
    events: list[str] = []

    class Recorded(AdaptedScene):
        @contextmanager
        def rendering(self) -> Iterator[None]:
            events.append("enter")
            try:
                yield
            finally:
                events.append("exit")

        def construct(self) -> None:
            events.append("construct")
            self.wait(0.2)

    with tempconfig(_settings(tmp_path)):
        Recorded().render()
    assert events == ["enter", "construct", "exit"]


class _Turning(Scene):
    """A scene whose updater sums the time it is given, over a play and a wait."""

    total = 0.0
    times: list[float]

    def construct(self) -> None:
        self.times = []
        tracker = ValueTracker(0)

        def advance(mobject: Mobject, dt: float) -> None:
            type(self).total += dt

        tracker.add_updater(advance)
        self.add(tracker)
        self.play(Square().animate.shift(RIGHT), run_time=0.5)
        self.wait(0.4)

    def update_to_time(self, t: float) -> None:
        self.times.append(t)
        super().update_to_time(t)


class _AdaptedTurning(_Turning, AdaptedScene):
    pass


@pytest.mark.parametrize("skipped", [False, True])
def test_updaters_advance_by_the_frames_time_drawn_or_skipped(
    skipped: bool, tmp_path: Path
) -> None:
    skip = {"from_animation_number": 2**31 - 1, "upto_animation_number": -1} if skipped else {}
    _AdaptedTurning.total = 0.0
    with tempconfig(_settings(tmp_path, **skip)):
        _AdaptedTurning().render()
    frames = frames_of_play(0.5, 15) + frames_of_play(0.4, 15)
    assert math.isclose(_AdaptedTurning.total, frames / 15)


def test_manim_draws_a_play_at_the_times_frames_of_play_counts(tmp_path: Path) -> None:
    with tempconfig(_settings(tmp_path)):
        scene = _Turning()
        scene.render()
    assert len(scene.times) == frames_of_play(0.5, 15) + frames_of_play(0.4, 15)
    np.testing.assert_allclose(scene.times[: frames_of_play(0.5, 15)], np.arange(0, 0.5, 1 / 15))


def test_a_still_wait_repeats_its_frame_as_frames_of_still_wait_counts() -> None:
    source = inspect.getsource(CairoRenderer.freeze_current_frame)
    assert "dt = 1 / self.camera.frame_rate" in source
    assert "num_frames=int(duration / dt)" in source
    assert frames_of_still_wait(0.4, 15) == int(0.4 / (1 / 15))


def test_frames_of_wait_repeats_manims_test_of_a_wait() -> None:
    """Manim changed how it decides whether a wait is still: carry the change over to
    AdaptedScene.frames_of_wait and write the new digest next to it."""
    assert source_digest(Scene.should_update_mobjects) == SHOULD_UPDATE_MOBJECTS_DIGEST


def test_frames_of_wait_counts_a_still_and_an_updating_wait(tmp_path: Path) -> None:
    with tempconfig(_settings(tmp_path)):
        scene = AdaptedScene()
        assert scene.frames_of_wait(1.0) == frames_of_still_wait(1.0, 15)
        scene.add(ValueTracker(0).add_updater(lambda m, dt: None))
        assert scene.frames_of_wait(1.0) == frames_of_play(1.0, 15)


# -- the patches of instances and classes ------------------------------------------------------


def test_every_animation_passes_through_the_renderers_play(tmp_path: Path) -> None:
    parameters = list(inspect.signature(CairoRenderer.play).parameters.values())
    assert [p.name for p in parameters[:2]] == ["self", "scene"]
    assert parameters[2].kind is inspect.Parameter.VAR_POSITIONAL
    assert parameters[3].kind is inspect.Parameter.VAR_KEYWORD
    seen: list[tuple[float, bool]] = []

    class TwoAnimations(Scene):
        def construct(self) -> None:
            self.wait(0.4)
            self.play(Square().animate.shift(RIGHT), run_time=0.5)
            self.play(Wait(0.2))

    skip = {"from_animation_number": 2**31 - 1, "upto_animation_number": -1}
    with tempconfig(_settings(tmp_path, **skip)):
        scene = TwoAnimations()
        call_after_each_play(
            scene,
            lambda s: seen.append((s.duration, bool(s.is_current_animation_frozen_frame()))),
        )
        assert replacement_of(scene.renderer.play).manim_method is CairoRenderer.play  # type: ignore[union-attr]
        scene.render()
    assert seen == [(0.4, True), (0.5, False), (0.2, True)]


def test_the_atomic_movie_takes_the_file_writers_combine_files_arguments() -> None:
    parameters = list(inspect.signature(SceneFileWriter.combine_files).parameters)
    assert parameters[:3] == ["self", "input_files", "output_file"]
    calls: list[tuple[Any, ...]] = []
    writer = types.SimpleNamespace(combine_files=lambda *args, **kw: calls.append(args))
    PrivateCaches().attach(writer)
    assert replacement_of(writer.combine_files).manim_method is SceneFileWriter.combine_files  # type: ignore[union-attr]
    wrapper = list(inspect.signature(writer.combine_files).parameters)
    assert wrapper[:2] == parameters[1:3]  # Manim may pass them by name


def test_the_slides_patches_rest_on_what_manim_slides_and_manim_do() -> None:
    from manim._config.utils import ManimConfig

    from nnviz.manim_adapter.slides import patch_manim_config

    slide = pytest.importorskip("manim_slides.slide.manim")
    source = inspect.getsource(slide)
    assert 'config["write_to_movie"] = True' in source
    assert 'config["max_files_cached"] = float("inf")' in source
    assert 'config["flush_cache"]' in source
    patch_manim_config()
    setter = ManimConfig.max_files_cached.fset  # type: ignore[attr-defined]
    replacement = replacement_of(setter)
    assert replacement is not None
    with pytest.raises(ValueError, match="max_files_cached"):  # what the patch is for
        replacement.manim_method(config, float("inf"))
    with tempconfig({}):
        config["max_files_cached"] = float("inf")
        assert config["max_files_cached"] == -1
        config["write_to_movie"] = False
        assert config["write_to_movie"] is True


# -- nothing outside the adapter touches Manim's machinery -------------------------------------


def _manim_names(tree: ast.Module) -> dict[str, str]:
    """The names a module binds to Manim's objects: local name -> Manim's name."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "manim":
            for alias in node.names:
                names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "manim":
                    names[alias.asname or alias.name.split(".")[0]] = "manim"
    return names


def _is_manim_config(node: ast.expr, names: dict[str, str]) -> bool:
    if isinstance(node, ast.Name):
        return names.get(node.id) == "config"
    if isinstance(node, ast.Attribute) and node.attr == "config":
        return isinstance(node.value, ast.Name) and names.get(node.value.id) == "manim"
    return False


def _own_private_names(paths: list[Path]) -> frozenset[str]:
    """The private attribute names nnviz's own classes define in ``paths``: methods and class
    attributes of its classes, and what its methods assign to ``self._name``. A private
    attribute of any other name is Manim's."""
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        names.add(item.name)
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        names.add(item.target.id)
                    elif isinstance(item, ast.Assign):
                        names.update(t.id for t in item.targets if isinstance(t, ast.Name))
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
            ):
                names.add(node.attr)
    return frozenset(name for name in names if name.startswith("_"))


def _outside_the_adapter() -> list[Path]:
    """nnviz's modules outside the adapter and the known exceptions."""
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if not path.relative_to(PACKAGE).as_posix().startswith("manim_adapter/")
        and path.relative_to(PACKAGE).as_posix() not in KNOWN_EXCEPTIONS
    ]


def _violations(path: Path, own: frozenset[str] = frozenset()) -> Iterator[str]:
    """What ``path`` does of Manim's machinery (``own``: nnviz's own private names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = _manim_names(tree)
    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.ImportFrom | ast.Import):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                parts = module.split(".")
                if parts[0] == "manim" and any(p.startswith("_") for p in parts[1:]):
                    yield f"{where}: imports Manim's private {module}"
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
                from_manim = names.get(name or "") == name or isinstance(base, ast.Attribute)
                if name in MACHINERY and from_manim:
                    yield f"{where}: {node.name} subclasses Manim's {name}"
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute | ast.Subscript) and _is_manim_config(
                    target.value, names
                ):
                    yield f"{where}: writes Manim's global config"
                elif (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and names.get(target.value.id) is not None
                ):
                    yield f"{where}: patches Manim's {target.value.id}.{target.attr}"
        elif isinstance(node, ast.Call):
            function = node.func
            if (
                isinstance(function, ast.Name)
                and function.id in {"setattr", "delattr"}
                and node.args
                and (
                    _is_manim_config(node.args[0], names)
                    or (isinstance(node.args[0], ast.Name) and node.args[0].id in names)
                )
            ):
                yield f"{where}: {function.id} on Manim's {ast.unparse(node.args[0])}"
        elif isinstance(node, ast.Attribute):
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            if private and node.attr not in own:
                yield f"{where}: uses the private attribute {ast.unparse(node)}"


def test_nothing_outside_the_adapter_touches_manims_machinery() -> None:
    paths = _outside_the_adapter()
    own = _own_private_names(paths)
    found = {}
    for path in paths:
        problems = list(_violations(path, own))
        if problems:
            found[path.relative_to(PACKAGE).as_posix()] = problems
    assert found == {}


def test_the_known_exceptions_still_are_exceptions() -> None:
    """An exception that no longer touches Manim's machinery comes off the list."""
    for relative in KNOWN_EXCEPTIONS:
        assert list(_violations(PACKAGE / relative)), relative


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from manim import Scene\nclass A(Scene): pass", "subclasses Manim's Scene"),
        ("import manim\nclass A(manim.Camera): pass", "subclasses Manim's Camera"),
        ("from manim import config\nconfig.background_color = 1", "writes Manim's global config"),
        ("from manim import config\nconfig['frame_rate'] = 1", "writes Manim's global config"),
        ("import manim\nmanim.config.frame_rate = 1", "writes Manim's global config"),
        ("from manim._config.utils import ManimConfig", "imports Manim's private"),
        ("from manim import Text\nText.font = 'x'", "patches Manim's Text.font"),
        ("from manim import config\nsetattr(config, 'x', 1)", "setattr on Manim's config"),
        ("def f(scene):\n    return scene.renderer._file_writer_class", "private attribute"),
        ("class S:\n    def f(self):\n        return self._original_skipping_status", "private"),
    ],
)
def test_the_check_finds_what_it_looks_for(source: str, expected: str, tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(source)
    problems = list(_violations(module, _own_private_names([module])))
    assert len(problems) == 1 and expected in problems[0], problems


@pytest.mark.parametrize(
    "source",
    [
        "from manim import VGroup\nclass Block(VGroup): pass",  # a building block: allowed
        "from manim import config, tempconfig\nwith tempconfig({'frame_rate': 5}): pass",
        "from manim import config\nrate = config.frame_rate",
        "class Own:\n    def __init__(self):\n        self._x = 1\n    def f(self):\n"
        "        return self._x",
        "from nnviz.stories.base import NNVizScene\nclass Story(NNVizScene): pass",
    ],
)
def test_the_check_lets_the_public_api_pass(source: str, tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(source)
    assert list(_violations(module, _own_private_names([module]))) == []


def test_a_presentations_render_is_marked_and_takes_scenes_parameters() -> None:
    pytest.importorskip("manim_slides", reason="the slides extra is installed by make test")
    from nnviz.manim_adapter.slides import as_slides

    presentation = as_slides(AdaptedScene)
    replacement = replacement_of(vars(presentation)["render"])
    assert isinstance(replacement, Replacement)
    assert replacement.manim_method is Scene.render
    assert _parameters(vars(presentation)["render"]) == _parameters(Scene.render)


def test_the_talks_speaker_notes_rest_on_manim_slides_next_slide() -> None:
    """end_slide sets the notes of the slide that ends in manim-slides' _base_slide_config,
    which next_slide appends: the source it rests on is the installed one's."""
    pytest.importorskip("manim_slides")
    from manim_slides.slide.base import BaseSlide

    from nnviz.manim_adapter.replaces import source_digest
    from nnviz.manim_adapter.slides import NEXT_SLIDE_DIGEST

    assert source_digest(BaseSlide.next_slide) == NEXT_SLIDE_DIGEST
    assert "self._base_slide_config" in inspect.getsource(BaseSlide.next_slide)


def test_subtitles_are_written_where_manim_writes_them_and_timed_by_its_renderer() -> None:
    """Manim's file writer writes its subcaptions in finish() through write_subcaption_file
    (which the private caches replace), and add_subcaption reads the renderer's time (which
    the adapter's scene keeps to whole frames)."""
    from manim.manager import Manager
    from manim.scene.scene_file_writer import SceneFileWriter

    assert "self.write_subcaption_file()" in inspect.getsource(SceneFileWriter.finish)
    assert "self.time" in inspect.getsource(Manager.add_subcaption)
    assert "self.renderer.time" in inspect.getsource(Manager.time.fget)
