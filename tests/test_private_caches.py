"""A render's private text and Tex caches take and give only whole SVG files, so a typesetting
cut short (an empty or truncated file) never reaches another render as a cached text."""

from __future__ import annotations

from pathlib import Path

from manim import config, tempconfig

from nnviz.manim_adapter.caches import PrivateCaches, is_complete_svg

WHOLE = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>\n'
CUT = WHOLE[: len(WHOLE) // 2]


def test_only_whole_files_count_as_svg(tmp_path: Path) -> None:
    cases = {"whole.svg": WHOLE, "empty.svg": b"", "cut.svg": CUT}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    assert is_complete_svg(tmp_path / "whole.svg")
    assert not is_complete_svg(tmp_path / "empty.svg")
    assert not is_complete_svg(tmp_path / "cut.svg")
    assert not is_complete_svg(tmp_path / "missing.svg")


def test_cut_files_are_neither_taken_nor_given(tmp_path: Path) -> None:
    shared = tmp_path / "texts"
    shared.mkdir()
    (shared / "good.svg").write_bytes(WHOLE)
    (shared / "poisoned.svg").write_bytes(b"")  # left by an older render cut short
    settings = {
        "media_dir": str(tmp_path),
        "text_dir": str(shared),
        "tex_dir": str(tmp_path / "Tex"),
    }
    with tempconfig(settings):
        caches = PrivateCaches().open()
        private = Path(config.get_dir("text_dir"))
        assert private != shared
        assert (private / "good.svg").read_bytes() == WHOLE
        assert not (private / "poisoned.svg").exists()  # so Manim typesets it again
        (private / "poisoned.svg").write_bytes(WHOLE)  # ... as it does here
        (private / "new.svg").write_bytes(WHOLE)
        (private / "interrupted.svg").write_bytes(CUT)
        caches.close()
        assert Path(config.get_dir("text_dir")) == shared
    assert (shared / "poisoned.svg").read_bytes() == WHOLE  # the whole file replaced it
    assert (shared / "new.svg").read_bytes() == WHOLE
    assert not (shared / "interrupted.svg").exists()
    assert sorted(p.name for p in shared.iterdir()) == ["good.svg", "new.svg", "poisoned.svg"]
    assert not private.exists()


def test_stored_texts_are_taken_and_given_as_svgs_are(tmp_path: Path) -> None:
    from nnviz.mobjects.text_store import STORED_TEXT_SUFFIX

    shared = tmp_path / "texts"
    shared.mkdir()
    (shared / f"old{STORED_TEXT_SUFFIX}").write_bytes(b"stored")
    (shared / f"empty{STORED_TEXT_SUFFIX}").write_bytes(b"")
    settings = {"media_dir": str(tmp_path), "text_dir": str(shared), "tex_dir": str(tmp_path)}
    with tempconfig(settings):
        caches = PrivateCaches().open()
        private = Path(config.get_dir("text_dir"))
        assert (private / f"old{STORED_TEXT_SUFFIX}").read_bytes() == b"stored"
        assert not (private / f"empty{STORED_TEXT_SUFFIX}").exists()
        (private / f"new{STORED_TEXT_SUFFIX}").write_bytes(b"new")
        caches.close()
    assert (shared / f"new{STORED_TEXT_SUFFIX}").read_bytes() == b"new"


def test_links_fifos_and_doctypes_in_the_shared_folder_are_not_taken(tmp_path: Path) -> None:
    """A folder someone else prepared: a FIFO named like an SVG would block the render that
    opens it, a link could point anywhere, and a document type could declare entities that
    expand without bound. None is taken; what the render typesets again replaces them."""
    import os
    import threading

    shared = tmp_path / "texts"
    shared.mkdir()
    os.mkfifo(shared / "fifo.svg")
    (tmp_path / "elsewhere.svg").write_bytes(WHOLE)
    (shared / "link.svg").symlink_to(tmp_path / "elsewhere.svg")
    entities = WHOLE.replace(b"<svg", b'<!DOCTYPE svg [<!ENTITY a "aaaa">]>\n<svg', 1)
    (shared / "entities.svg").write_bytes(entities)
    settings = {"media_dir": str(tmp_path), "text_dir": str(shared), "tex_dir": str(tmp_path)}
    finished = threading.Event()

    def render() -> None:
        with tempconfig(settings):
            caches = PrivateCaches().open()
            private = Path(config.get_dir("text_dir"))
            assert sorted(p.name for p in private.iterdir()) == []
            (private / "entities.svg").write_bytes(WHOLE)  # typeset again
            caches.close()
        finished.set()

    worker = threading.Thread(target=render, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert finished.is_set(), "the render blocked on the FIFO or failed"
    assert (shared / "entities.svg").read_bytes() == WHOLE
    assert (shared / "link.svg").is_symlink()  # left alone, never written through
    assert (tmp_path / "elsewhere.svg").read_bytes() == WHOLE
