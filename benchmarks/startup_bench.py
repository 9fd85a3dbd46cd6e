"""CLI start-up (issue #9, part 6), printed as Markdown for BENCHMARKS.md.

    python benchmarks/startup_bench.py

Whole processes, each the median of ``RUNS`` runs after ``WARMUP`` unmeasured ones (so the file
cache is warm), the processes taking turns: Python importing Typer and Rich alone (the
reference), ``electoral --help``, and ``electoral elections`` and ``electoral report
2004-CT-president`` on a demo store. Targets: ``--help`` within 1.5× the reference, the two
commands within 2×. The imports the commands cannot do without (DuckDB, pyarrow, and pydantic,
which Typer loads to convert parameters) are timed the same way, to show what part of a miss
they account for. Exits 1 when a target is missed.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import MISSED  # benchmarks/ is on the path of a bench run as a script

RUNS = int(os.environ.get("STARTUP_BENCH_RUNS", "15"))
WARMUP = 2
SRC = Path(__file__).resolve().parents[1] / "src"
# What the installed `electoral` script runs, with this checkout's source first on the path.
ELECTORAL = [sys.executable, "-c", "import sys; sys.argv[0] = 'electoral'; "
             "from electoral.cli import main; main()"]
# Bytecode is cached as an installed package's would be: a shell with PYTHONDONTWRITEBYTECODE
# would otherwise time compiling the CLI from source on every run.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPATH"] = f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"


def run_once(command: list[str]) -> float:
    """The wall time of ``command`` as a whole process; it must exit 0."""
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV,
                          text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr}")
    return elapsed


def medians(commands: list[list[str]]) -> list[float]:
    """The median wall time of each command. The commands take turns, run after run, so a
    neighbour's load on the shared cores falls on all of them alike, not on one."""
    times: list[list[float]] = [[] for _ in commands]
    for i in range(WARMUP + RUNS):
        for command, taken in zip(commands, times, strict=True):
            elapsed = run_once(command)
            if i >= WARMUP:
                taken.append(elapsed)
    return [statistics.median(taken) for taken in times]


def python_c(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.duckdb")
        subprocess.run([*ELECTORAL, "demo", "--db", db, "--out", str(Path(folder) / "pages")],
                       check=True, capture_output=True, env=ENV)
        measured = [
            ("electoral --help", [*ELECTORAL, "--help"], 1.5),
            ("electoral elections", [*ELECTORAL, "elections", "--db", db], 2.0),
            ("electoral report 2004-CT-president",
             [*ELECTORAL, "report", "2004-CT-president", "--db", db], 2.0),
        ]
        reference, *times = medians([python_c("import typer, rich"),
                                     *(command for _name, command, _target in measured)])
        rows = [(name, seconds, target)
                for (name, _command, target), seconds in zip(measured, times, strict=True)]
    named = [("python alone", "pass"),
             ("import duckdb", "import duckdb"),
             ("import pyarrow, pyarrow.compute", "import pyarrow, pyarrow.compute"),
             ("import pydantic's TypeAdapter (Typer converts parameters with it)",
              "from pydantic import TypeAdapter"),
             ("import electoral.store", "import electoral.store")]
    parts = list(zip([name for name, _ in named],
                     medians([python_c(code) for _, code in named]), strict=True))
    missed = [name for name, seconds, target in rows if seconds > target * reference]
    print("## CLI start-up\n")
    print(f"`python benchmarks/startup_bench.py` — whole processes, median of {RUNS} runs after "
          f"{WARMUP} warm-ups, on {platform.machine()} ({os.cpu_count()} cores, shared), "
          f"Python {platform.python_version()}. The commands run on a fresh demo store.\n")
    print("| process | median | × reference | target | met |")
    print("|---|---:|---:|---:|---|")
    print(f"| `python -c 'import typer, rich'` (reference) | {reference * 1000:.0f} ms | 1.00 | | |")
    for name, seconds, target in rows:
        ratio = seconds / reference
        print(f"| `{name}` | {seconds * 1000:.0f} ms | {ratio:.2f} | ≤ {target:g}× | "
              f"{'met' if ratio <= target else 'not met'} |")
    print("\nWhat the commands cannot start without, timed the same way (each a whole process):\n")
    print("| process | median |")
    print("|---|---:|")
    for name, seconds in parts:
        print(f"| `{name}` | {seconds * 1000:.0f} ms |")
    print("\n`--help` loads none of DuckDB, pyarrow, numpy or numba (`tests/test_startup.py`). A "
          "command with parameters also loads pydantic, through which Typer converts them; the "
          "reference does not. `elections` needs DuckDB but not pyarrow, yet `electoral.store` "
          "imports pyarrow (and so numpy) at its top for its writers: the gap between `import "
          "electoral.store` and `import duckdb` above is what importing it inside the writers "
          "would save. `report` uses pyarrow itself (the store reads counts as Arrow, and "
          "`tabulate.rollup` imports `electoral.columns`).")
    if missed:
        print(f"\nNot met: {', '.join(missed)}.")
    return MISSED if missed else 0


if __name__ == "__main__":
    sys.exit(main())
