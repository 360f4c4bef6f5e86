"""nnviz.files: a path is opened for reading only when it is a regular file, checked before it
is opened and again once it is open."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import nnviz.files as files
from nnviz.files import FileRefusedError, check_regular_file, file_kind, open_regular_file
from tests.timeouts import no_hang


def test_a_regular_file_and_a_link_to_one_open_for_blocking_reads(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"1,2,a\n")
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    for name in (path, link, str(path)):
        handle, status = open_regular_file(name)
        with handle:
            assert handle.read() == b"1,2,a\n" and status.st_size == 6
            assert os.get_blocking(handle.fileno())
    assert check_regular_file(link).st_size == 6


def test_without_following_links_a_link_is_refused_and_its_target_untouched(
    tmp_path: Path,
) -> None:
    """A cache folder's files are read without following links (nnviz writes none there)."""
    path = tmp_path / "a.svg"
    path.write_bytes(b"<svg/>")
    link = tmp_path / "link.svg"
    link.symlink_to(path)
    for call in (open_regular_file, check_regular_file):
        with pytest.raises(FileRefusedError, match=r"^not a regular file \(a symbolic link\)$"):
            call(link, follow_links=False)
    handle, status = open_regular_file(path, follow_links=False)
    with handle:
        assert handle.read() == b"<svg/>" and status.st_size == 6


def test_what_is_missing_is_said_apart(tmp_path: Path) -> None:
    for call in (open_regular_file, check_regular_file):
        with pytest.raises(FileRefusedError) as caught:
            call(tmp_path / "absent.csv")
        assert caught.value.missing
        dangling = tmp_path / "dangling.csv"
        dangling.unlink(missing_ok=True)
        dangling.symlink_to(tmp_path / "gone")
        with pytest.raises(FileRefusedError) as caught:
            call(dangling)
        assert caught.value.missing


@pytest.mark.parametrize(
    ("kind", "said"),
    [("fifo", "a FIFO"), ("device", "a device"), ("folder", "a folder"), ("socket", "a socket")],
)
def test_what_is_not_a_regular_file_is_refused_unopened(
    tmp_path: Path, kind: str, said: str
) -> None:
    import socket

    path = tmp_path / "x"
    server = None
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    else:
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
    try:
        for call in (open_regular_file, check_regular_file):
            with no_hang(), pytest.raises(FileRefusedError) as caught:
                call(path)
            assert str(caught.value) == f"not a regular file ({said})"
            assert not caught.value.missing
    finally:
        if server is not None:
            server.close()


def test_a_fifo_put_in_place_after_the_check_is_refused_without_blocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: the path was a regular file when examined and is a FIFO with no writer when
    opened. A plain open() would block forever; the open does not block and fstat refuses."""
    regular = tmp_path / "regular.csv"
    regular.write_bytes(b"1,2,a\n")
    fifo = tmp_path / "swapped.csv"
    os.mkfifo(fifo)
    real_stat = os.stat
    monkeypatch.setattr(
        files.os, "stat", lambda path, *a, **k: real_stat(regular if path == fifo else path)
    )
    with no_hang(), pytest.raises(FileRefusedError, match=r"^not a regular file \(a FIFO\)$"):
        open_regular_file(fifo)


def test_file_kind_names_every_kind() -> None:
    import stat

    assert file_kind(stat.S_IFREG) == "a regular file"
    assert file_kind(stat.S_IFLNK) == "a symbolic link"
    assert file_kind(stat.S_IFBLK) == "a device"
    assert file_kind(stat.S_IFCHR) == "a device"
    assert file_kind(0) == "a special file"
