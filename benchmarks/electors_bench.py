"""Apportionment and Electoral College timings, printed as Markdown for BENCHMARKS.md.

    python benchmarks/electors_bench.py      (or: python benchmarks/run.py electors)

Apportionment uses the shipped census populations; the college reads the MEDSL state files in
../shared once (reading is the io area's benchmark) and times the count and its analyses.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from pathlib import Path

from electoral import (
    Scenario,
    analyse,
    apportion,
    census_populations,
    parse_flips,
    parse_swing,
    read_path,
    state_votes,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "state_presidential"


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    rows = [("apportion 435 seats, 2020 census (exact priorities)",
             best_of(20, lambda: apportion(census_populations(2020)))),
            ("apportion 10,000 seats, 2020 census",
             best_of(3, lambda: apportion(census_populations(2020), 10_000)))]
    if SHARED.is_dir():
        returns = [*read_path(SHARED / "1976-2020-president.csv"),
                   *read_path(SHARED / "2024-president-state.csv")]
        states = {y: [state_votes(r) for r in returns if r.election.year == y]
                  for y in range(2004, 2025, 4)}
        rows += [
            ("college 2004–2024: count, tipping point, closest, votes to change (6 years)",
             best_of(5, lambda: [analyse(s, y) for y, s in states.items()])),
            ("college 2020 with --swing R+1.5 --flip PA",
             best_of(5, lambda: analyse(states[2020], 2020, Scenario(
                 parse_flips("PA"), parse_swing("R+1.5"))))),
        ]
    print("## Electors\n")
    print(f"`python benchmarks/run.py electors` on {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.machine()}; best of several runs.\n")
    print("| operation | ms |\n|---|---:|")
    for name, ms in rows:
        print(f"| {name} | {ms:,.1f} |")
    if not SHARED.is_dir():
        print(f"\nThe college rows need {SHARED} and were skipped.")


if __name__ == "__main__":
    main()
