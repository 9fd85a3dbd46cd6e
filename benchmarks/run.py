"""Run every benchmarks/*_bench.py and put each one's report in its own section of BENCHMARKS.md.

A bench script prints Markdown on stdout (its figures and the command that produced them); this
runner replaces the text between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` with it,
adding the section at the end the first time. Other sections are left exactly as they are, so
each area owns its section. ``python benchmarks/run.py rcv`` runs only ``rcv_bench.py``.

A bench that ran but missed one of its targets prints its report and exits with ``MISSED``: the
report is written all the same, and the run exits 1, naming the benches that missed, as it does
when a bench fails outright. A target printed "not met" must fail ``make bench``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORT = HERE.parent / "BENCHMARKS.md"
MISSED = 3  # a bench's exit status when it ran but missed a target
HEADER = ("# Benchmarks\n\nWritten by `make bench` (`python benchmarks/run.py`); each section "
          "comes from one `benchmarks/*_bench.py` and is rewritten only by it.\n")


def replace_section(text: str, name: str, body: str) -> str:
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        return before + block + rest.split(end, 1)[1]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def main(only: list[str]) -> int:
    """Run the benches (all, or those named in ``only``); 0 if every one ran and met its targets,
    else 1."""
    failed: list[str] = []
    missed: list[str] = []
    for script in sorted(HERE.glob("*_bench.py")):
        name = script.stem.removesuffix("_bench")
        if only and name not in only:
            continue
        print(f"running {script.name} ...", flush=True)
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
        if done.returncode not in (0, MISSED):
            failed.append(name)
            print(f"{script.name} failed (exit {done.returncode}):\n{done.stderr}", file=sys.stderr)
            continue
        if done.returncode == MISSED:
            missed.append(name)
        text = REPORT.read_text() if REPORT.exists() else HEADER
        REPORT.write_text(replace_section(text, name, done.stdout))
        print(done.stdout)
    if missed:
        print(f"targets not met: {', '.join(missed)}", file=sys.stderr)
    return 1 if failed or missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
