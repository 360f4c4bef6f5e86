"""The README's gallery shows every scene and every image it names exists (the images are
drawn by ``scripts/gallery.py`` from the project's own commands)."""

from __future__ import annotations

import importlib.util
import re

from tests.conftest import REPO


def _gallery_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gallery", REPO / "scripts" / "gallery.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_scene_file_has_a_gallery_still() -> None:
    scenes = sorted(path.stem for path in (REPO / "scenes").glob("*.py"))
    assert sorted(_gallery_module().SCENES) == scenes


def test_the_readme_gallery_is_the_scripts_table_and_its_images_exist() -> None:
    gallery = _gallery_module()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = gallery.table([*gallery.SCENES, *gallery.RENDERS])
    assert table in readme, "run scripts/gallery.py and paste its table into the README"
    for image in re.findall(r"\(docs/gallery/([\w.-]+\.png)\)", readme):
        assert (REPO / "docs" / "gallery" / image).is_file(), image
