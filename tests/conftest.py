from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# ---- Hypothesis: the same examples on every run unless fuzzing ---------------------------------
# "ci" (the default) is derandomized and keeps no example database, so a run is reproducible and a
# failure is the same on every machine. "fuzz" (HYPOTHESIS_PROFILE=fuzz, `make fuzz`) draws new
# random examples each run, FUZZ_FACTOR times as many, and keeps the failures it finds in
# .hypothesis/ to replay them first next time.
FUZZ_FACTOR = 25
settings.register_profile("ci", derandomize=True, database=None, max_examples=100, deadline=None,
                          print_blob=True)
settings.register_profile("fuzz", derandomize=False, max_examples=100 * FUZZ_FACTOR, deadline=None,
                          print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under "fuzz", scale each property test's own ``max_examples`` too (to at most the profile's):
    a test's ``@settings`` overrides the profile, so the profile alone would leave it at CI size."""
    if PROFILE != "fuzz":
        return
    for item in items:
        test = getattr(item, "obj", None)
        if getattr(test, "hypothesis", None) is None:
            continue
        # Hypothesis keeps a test's settings on the wrapped function and reads them at run time.
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if own is None:
            pytest.fail(f"{item.nodeid}: Hypothesis no longer keeps settings where the fuzz "
                        "profile scales them; update tests/conftest.py")
        test._hypothesis_internal_use_settings = settings(  # type: ignore[union-attr]
            own, max_examples=min(own.max_examples * FUZZ_FACTOR, settings.default.max_examples))


@pytest.fixture
def shared() -> Path:
    """The shared data folder beside the project; tests that need it skip, saying why, without it."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: these tests read the real data in ../shared")
    return SHARED


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


# ---- the seed articles, and a minimal article to vary -------------------------------------------

SEEDS = {
    "2004-CT-president": "000_73e904de25f5574c.txt",
    "2004-MA-president": "001_3695aa5a2d496218.txt",
    "2024-CT-president": "002_682362ffb1123e68.txt",
    "2004-MO-president": "003_6194e91c70b19739.txt",
}


def minimal_article(other_pct: str = "1.36%", margin_pct: str = "4.06%") -> str:
    return (
        "= 2004 United States presidential election in Connecticut =\n\nInfobox\n"
        "- Nominee1: John Kerry\n- Party1: Democratic Party (United States)\n"
        "- Popular Vote1: 205,902\n"
        "- Nominee2: George W. Bush\n- Party2: Republican Party (United States)\n"
        "- Popular Vote2: 189,605\n\n"
        "==Results==\n"
        "| Party | Candidate | Votes | Percentage | Electoral votes | |\n"
        "| | Democratic | John Kerry | 205,902 | 51.35% | 7 |\n"
        "| | Republican | George W. Bush | 189,605 | 47.29% | 0 |\n"
        "| | Independent | Ralph Nader | 5,460 | 1.36% | 0 |\n"
        "| Totals | 400,967 | 100.00% | 7 | | |\n\n"
        "===By county===\n"
        "| County | John Kerry Democratic | George W. Bush Republican | Various candidates Other "
        "parties | Margin | Total votes cast | | | | |\n"
        "| # | % | # | % | # | % | # | % | |\n"
        f"| Fairfield | 205,902 | 51.35% | 189,605 | 47.29% | 5,460 | {other_pct} | 16,297 | "
        f"{margin_pct} | 400,967 |\n"
        f"| Totals | 205,902 | 51.35% | 189,605 | 47.29% | 5,460 | {other_pct} | 16,297 | "
        f"{margin_pct} | 400,967 |\n")


@pytest.fixture
def seed(shared: Path):
    """The path of a seed article, by election id."""
    return lambda election: shared / "seeds" / SEEDS[election]


@pytest.fixture(name="minimal_article")
def minimal_article_fixture():
    return minimal_article


# ---- golden files: `pytest --update-golden` rewrites them from what the code produces now ------

def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite golden files from the current output instead of comparing")


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """Compare text with a golden file beside the test (``golden/NAME``)."""
    folder = Path(request.path).parent / "golden"
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = folder / name
        if update or not path.exists():
            folder.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if not update:
                pytest.fail(f"golden file {path} was missing and has been written; check it in")
        assert text == path.read_text(encoding="utf-8"), f"{name} differs (--update-golden)"
    return check
