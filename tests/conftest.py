from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared() -> Path:
    """The shared data folder beside the project; tests that need it skip, saying why, without it."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: these tests read the real data in ../shared")
    return SHARED


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"
