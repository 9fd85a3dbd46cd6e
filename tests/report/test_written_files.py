"""Output files are written whole or not at all, never through a link (``io.outfile``)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from electoral.io.outfile import OutputError, write_file


def test_a_new_file_gets_the_usual_mode_and_a_replaced_one_keeps_its_own(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        target = tmp_path / "sub" / "t.csv"
        assert write_file(target, "a,b\n") is False
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.chmod(0o600)
        assert write_file(target, b"c,d\n") is True
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert target.read_text() == "c,d\n"
    finally:
        os.umask(mask)


def test_no_folder_is_made_outside_through_a_link(tmp_path: Path) -> None:
    page, elsewhere = tmp_path / "page", tmp_path / "elsewhere"
    page.mkdir()
    elsewhere.mkdir()
    (page / "maps").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError, match="outside"):
        write_file(page / "maps" / "county" / "m.svg", "<svg/>", within=page)
    assert list(elsewhere.iterdir()) == []


def test_a_folder_in_the_way_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "t.csv").mkdir()
    with pytest.raises(OutputError, match="it is a folder"):
        write_file(tmp_path / "t.csv", "x")
