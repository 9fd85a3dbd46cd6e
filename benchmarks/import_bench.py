"""Import speed (issue #5): the 1.48M-row MEDSL 2024 precinct file imported and rolled up to every
county and state, against DuckDB merely reading the same file; the whole MEDSL county file.

Prints a Markdown section for BENCHMARKS.md (``python benchmarks/run.py import``). The files are
read from ../shared/data; each figure is the best of ``RUNS`` runs in a fresh store.
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from run import MISSED  # benchmarks/ is on the path of a bench run as a script

from electoral import Format, Store, UnitKind, open_source, read_tables, roll_up, stage

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
PRECINCT = DATA / "precinct/medsl_2024_president_precinct/president_precinct_2024_medsl.csv.gz"
COUNTY = DATA / "county_presidential/countypres_2000-2020.csv.gz"
STATE = DATA / "state_presidential/1976-2020-president.csv"
RUNS = 3
TARGET = 4.0


def best(run: Callable[[], dict[str, float]], runs: int = RUNS) -> dict[str, float]:
    """The run with the smallest total of ``runs``; each returns its phases in seconds."""
    results = [run() for _ in range(runs)]
    return min(results, key=lambda phases: sum(phases.values()))


def duckdb_read() -> dict[str, float]:
    """DuckDB reading every row and column of the file into memory (the baseline)."""
    db = duckdb.connect()
    start = time.perf_counter()
    db.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{PRECINCT}', all_varchar=true, "
               "quote='\"')")
    took = time.perf_counter() - start
    db.close()
    return {"read": took}


def duckdb_count() -> dict[str, float]:
    db = duckdb.connect()
    start = time.perf_counter()
    db.execute(f"SELECT count(*) FROM read_csv('{PRECINCT}', all_varchar=true, quote='\"')")
    took = time.perf_counter() - start
    db.close()
    return {"count": took}


def electoral_import(path: Path, fmt: Format, rollup: bool) -> Callable[[], dict[str, float]]:
    """What ``electoral import`` does (read into columns, the import stage's rules, one store
    transaction), then a roll-up of every election to its counties and its state."""
    def run() -> dict[str, float]:
        phases: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            phases[name] = now - clock
            clock = now

        source = open_source(path)
        lap("open (gunzip, decode)")
        tables = read_tables(source, fmt)
        lap("read")
        with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "b.duckdb") as store:
            clock = time.perf_counter()
            tables = stage(tables, source.name)
            store.save(*tables, source=source.name, sha256=source.sha256, format=str(fmt))
            lap("store (validate, one transaction)")
            if rollup:
                for table in tables:
                    roll_up(table.returns, UnitKind.COUNTY, table.counts)
                    roll_up(table.returns, UnitKind.STATE, table.counts)
                lap("roll up every county and state")
        return phases
    return run


def main() -> int:
    if not PRECINCT.exists():
        print(f"{PRECINCT} is absent: nothing to measure", file=sys.stderr)
        return 1
    read = best(duckdb_read)["read"]
    count = best(duckdb_count)["count"]
    precinct = best(electoral_import(PRECINCT, Format.MEDSL_PRECINCT, rollup=True), runs=2)
    county = best(electoral_import(COUNTY, Format.MEDSL_COUNTY, rollup=False))
    state = best(electoral_import(STATE, Format.MEDSL_STATE, rollup=False))
    total = sum(precinct.values())
    ratio = total / read
    lines = [
        "## Imports (issue #5)",
        "",
        f"`python benchmarks/run.py import` on CPython {platform.python_version()}, "
        f"{platform.machine()}, DuckDB {duckdb.__version__}; best of {RUNS} runs (2 for the "
        "precinct import), a fresh store each time. The machine's 2 cores are shared with other "
        "work, so figures vary run to run.",
        "",
        "The import reads the precinct file into the columnar form every reader gives (pyarrow "
        "parses, DuckDB groups, counts stay Arrow columns: `electoral.columns`), runs the import "
        "stage's rules on it (`electoral.io.stage`) and stores it, exactly as `electoral import` "
        "does.",
        "",
        "| MEDSL 2024 precinct file (1,481,872 rows, 157 MB) | s |",
        "|---|---:|",
        f"| DuckDB reads every row and column into a table (the baseline) | {read:.2f} |",
        f"| DuckDB counts the rows (parses, keeps nothing) | {count:.2f} |",
        *[f"| electoral: {name} | {took:.2f} |" for name, took in precinct.items()],
        f"| **electoral: import and roll up, in all** | **{total:.2f}** |",
        "",
        f"Ratio to the baseline: **{ratio:.1f}x** (target at most {TARGET:.0f}x: "
        f"{'met' if ratio <= TARGET else 'not met'}).",
        "",
        "| whole file imported (read, validate, store) | s |",
        "|---|---:|",
        f"| MEDSL county file 2000–2020 (72,617 rows, 306 elections) | {sum(county.values()):.2f} |",
        f"| MEDSL state file 1976–2020 (4,287 rows, 612 elections) | {sum(state.values()):.2f} |",
    ]
    print("\n".join(lines))
    return 0 if ratio <= TARGET else MISSED


if __name__ == "__main__":
    sys.exit(main())
