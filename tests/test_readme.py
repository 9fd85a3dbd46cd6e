"""The README's tour says what electoral prints: every console block marked ``<!-- tested -->`` is
run, command by command, in a fresh folder with a fresh store, and each command must print exactly
the lines the README shows (trailing spaces aside)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def marked_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(r"<!-- tested -->\n```console\n(.*?)```", text, re.S)


def commands(block: str) -> list[tuple[str, list[str]]]:
    """(command, the lines it prints) in the block's order."""
    out: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line.rstrip())
    return out


def test_the_readme_has_a_tested_tour() -> None:
    assert marked_blocks(), "README.md lost its <!-- tested --> console block"


@pytest.mark.parametrize("block", marked_blocks())
def test_the_readme_tour_prints_what_it_says(block: str, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = os.environ | {"ELECTORAL_DB": str(tmp_path / "tour.duckdb"), "COLUMNS": "200",
                        "NO_COLOR": "1", "TERM": "dumb"}
    electoral = shlex.join([sys.executable, "-m", "electoral"])
    for command, expected in commands(block):
        shell = re.sub(r"^electoral\b", electoral, command)
        done = subprocess.run(shell, shell=True, cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)
        printed = [line.rstrip() for line in done.stdout.splitlines()]
        assert printed == expected, f"$ {command}\n{done.stderr}"
