"""Ranked-choice speed and memory (issue #4, part 5), printed as Markdown for BENCHMARKS.md.

    python benchmarks/rcv_bench.py          # everything (a few minutes; ~4 GB of temporary CSV)
    RCV_BENCH_SCALE=0.01 python benchmarks/rcv_bench.py    # the same at 1/100 of the sizes

Every figure comes from a fresh child process (``--child KIND ...``) so its peak memory
(``ru_maxrss``) is its own. The synthetic ballots are seeded: 12 candidates of unequal strength,
up to 5 ranks, ballot lengths 0..5 (so some ballots exhaust and a few rank nobody). Measured:
pyarrow parsing the million-ballot ranks CSV alone; electoral end to end on it (parse, encode,
count every round); the round loop alone over 10 million ballots already in memory; 100 million
ballots streamed from a CSV in blocks; and the Python peers on a smaller file, with their winners
checked against electoral's.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from run import MISSED  # benchmarks/ is on the path of a bench run as a script

CANDIDATES = 12
RANKS = 5
SEED = 2026
SCALE = float(os.environ.get("RCV_BENCH_SCALE", "1"))
SIZES = {"e2e": 1_000_000, "loop": 10_000_000, "stream": 100_000_000, "stream_tenth": 10_000_000,
         "peers": 50_000}
DATA = Path(tempfile.gettempdir()) / "electoral-bench"
NAMES = tuple(f"Candidate {chr(65 + i)}" for i in range(CANDIDATES))


# ---- synthetic ballots ----

def synthetic(n: int, seed: int, candidates: int = CANDIDATES) -> np.ndarray:
    """``n`` ballots as an n x RANKS int32 matrix of candidate indices, -1 blank (seeded)."""
    out = np.empty((n, RANKS), np.int32)
    strength = np.log(np.random.default_rng(SEED).dirichlet(np.full(candidates, 2.0)))
    for start in range(0, n, 1_000_000):
        rng = np.random.default_rng([seed, start])
        size = min(1_000_000, n - start)
        keys = rng.gumbel(size=(size, candidates)) + strength
        order = np.argsort(-keys, axis=1)[:, :RANKS].astype(np.int32)
        length = rng.choice(RANKS + 1, size=size, p=[0.02, 0.18, 0.2, 0.2, 0.2, 0.2])
        order[np.arange(RANKS)[None, :] >= length[:, None]] = -1
        out[start:start + size] = order
    return out


def write_csv(path: Path, n: int, seed: int, candidates: int = CANDIDATES) -> Path:
    """A ranks CSV of ``n`` synthetic ballots (cached: the same n and seed give the same file)."""
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    names = pa.array([f"Candidate {chr(65 + i)}" for i in range(candidates)])
    with pacsv.CSVWriter(partial, pa.schema([(f"rank{k}", pa.string())
                                             for k in range(1, RANKS + 1)])) as writer:
        for start in range(0, n, 1_000_000):
            block = synthetic(min(1_000_000, n - start), seed + start, candidates)
            columns = [pa.DictionaryArray.from_arrays(
                pa.array(block[:, k], mask=block[:, k] < 0), names).cast(pa.string())
                for k in range(RANKS)]
            writer.write_table(pa.table(columns, names=[f"rank{k}" for k in range(1, RANKS + 1)]))
    partial.rename(path)
    return path


def size(kind: str) -> int:
    return max(1000, int(SIZES[kind] * SCALE))


def csv_for(kind: str, candidates: int = CANDIDATES) -> Path:
    n = size(kind)
    tag = "" if candidates == CANDIDATES else f"_{candidates}c"
    return write_csv(DATA / f"ranks_{n}_{SEED}{tag}.csv", n, SEED, candidates)


# ---- counting: electoral's fast path over a rank matrix ----

def count(ranks: np.ndarray, counts: np.ndarray | None, names: tuple[str, ...]) -> dict:
    """Count IRV with electoral and summarise the result (winner, rounds, first-round leader)."""
    from electoral import Rules, count_matrix
    result = count_matrix(ranks, names, Rules(candidates=names, seed=SEED), counts)
    first = result.rounds[0].tally.votes
    return {"winner": list(result.winners), "rounds": len(result.rounds),
            "first_round": {k: str(v) for k, v in sorted(first.items())},
            "eliminated": [d.candidate for r in result.rounds for d in r.eliminated],
            "engine": "count_matrix"}


# ---- the measurements, each run in a child process ----

REPEATS = 5  # parse and end to end: the best of so many runs in one process (a shared machine)


def child_parse(path: str) -> dict:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        table = pacsv.read_csv(path)
        best = min(best, time.perf_counter() - start)
        rows = table.num_rows
        del table
    return {"seconds": best, "rows": rows}


def _import_engine() -> float:
    """Import the counting modules before any clock starts, as pyarrow is
    imported before its parse is timed; returns how long that took."""
    start = time.perf_counter()
    import electoral
    # a one-ballot count loads every module a count needs, the compiled kernels among them
    names = ("a", "b")
    electoral.count_matrix(np.array([[0, 1]], dtype=np.int32), names,
                           electoral.Rules(candidates=names, seed=SEED), None)
    electoral.read_rank_matrix  # noqa: B018 (the name loads the reader's module)
    return time.perf_counter() - start


def child_e2e(path: str) -> dict:
    """pyarrow's parse and electoral's end to end, taken in turns in one process (the machine is
    shared: both see the same load), each the best of REPEATS."""
    imports = _import_engine()
    parse, runs = float("inf"), []
    for _ in range(REPEATS):
        start = time.perf_counter()
        table = pacsv.read_csv(path)
        parse = min(parse, time.perf_counter() - start)
        del table
        runs.append(_end_to_end(path))
    return {**min(runs, key=lambda r: r["seconds"]), "parse": parse, "imports": imports}


def child_once(path: str) -> dict:
    """One end-to-end count in a fresh process: its peak memory is the figure."""
    _import_engine()
    return _end_to_end(path)


def _end_to_end(path: str) -> dict:
    """Read the file folded into its distinct rankings (``fold``: no per-ballot matrix), count."""
    from electoral import read_rank_matrix
    start = time.perf_counter()
    profile = read_rank_matrix(path, Path(path).name, fold=True)
    folded = time.perf_counter()
    summary = count(profile.ranks, profile.counts, profile.names)
    done = time.perf_counter()
    return {"seconds": done - start, "read": folded - start, "count": done - folded,
            "ballots": profile.ballots, "distinct": len(profile), **summary}


def child_loop(n: str) -> dict:
    _import_engine()
    from electoral import RankMatrix, collapse
    ranks = synthetic(int(n), SEED)
    start = time.perf_counter()
    raw = count(ranks, None, NAMES)
    raw_seconds = time.perf_counter() - start
    start = time.perf_counter()
    profile = collapse([RankMatrix(NAMES, ranks)])
    folded = time.perf_counter()
    seconds = float("inf")
    for _ in range(3):  # the first call also loads the compiled loop for weighted rows
        begin = time.perf_counter()
        summary = count(profile.ranks, profile.counts, profile.names)
        seconds = min(seconds, time.perf_counter() - begin)
    assert summary["winner"] == raw["winner"] and summary["rounds"] == raw["rounds"]
    return {"seconds": seconds, "collapse": folded - start, "raw_seconds": raw_seconds,
            "ballots": int(n), "distinct": len(profile), "per_second": int(n) / seconds,
            **summary}


def child_stream(path: str) -> dict:
    _import_engine()
    from electoral import collapse, iter_rank_matrices
    start = time.perf_counter()
    profile = collapse(iter_rank_matrices(path, Path(path).name, block_size=8 << 20))
    read = time.perf_counter()
    summary = count(profile.ranks, profile.counts, profile.names)
    done = time.perf_counter()
    return {"seconds": done - start, "read": read - start, "ballots": profile.ballots,
            "distinct": len(profile), **summary}


def child_peers(path: str) -> dict:
    _import_engine()
    from electoral import read_rank_matrix
    matrix = read_rank_matrix(path, Path(path).name)
    ballots = [tuple(matrix.names[c] for c in row if c >= 0) for row in matrix.ranks.tolist()]
    start = time.perf_counter()
    ours = count(matrix.ranks, None, matrix.names)
    results = {"electoral": {"seconds": time.perf_counter() - start, "winner": ours["winner"]}}
    for name, run in PEERS.items():
        start = time.perf_counter()
        try:
            winner = sorted(run(ballots, matrix.names))
            results[name] = {"seconds": time.perf_counter() - start, "winner": winner}
        except Exception as exc:  # a peer that fails is reported, not fatal  # noqa: BLE001
            results[name] = {"seconds": time.perf_counter() - start,
                             "error": f"{type(exc).__name__}: {exc}"[:200]}
    return {"ballots": len(ballots), "results": results, "exhausted_pile": _exhausted_pile()}


def _exhausted_pile() -> dict:
    """Each package on a tiny IRV whose exhausted pile outgrows the leaders: A 8, B 7, and 10
    ballots that rank only C, D, E or F. Every count eliminates F, E, D, C in turn; A wins 8-7."""
    ballots = [("A",)] * 8 + [("B",)] * 7 + [("C",)] * 4 + [("D",)] * 3 + [("E",)] * 2 + [("F",)]
    names = ("A", "B", "C", "D", "E", "F")
    ranks = np.array([[names.index(b[0])] for b in ballots], np.int32)
    out = {"electoral": count(ranks, None, names)["winner"]}
    for name, run in PEERS.items():
        try:
            out[name] = sorted(run(ballots, names))
        except Exception as exc:  # noqa: BLE001
            out[name] = f"{type(exc).__name__}: {exc}"
    return out


def _pyrankvote(ballots: list[tuple[str, ...]], names: tuple[str, ...]) -> list[str]:
    import pyrankvote
    people = {n: pyrankvote.Candidate(n) for n in names}
    votes = [pyrankvote.Ballot(ranked_candidates=[people[c] for c in b]) for b in ballots]
    result = pyrankvote.instant_runoff_voting(list(people.values()), votes)
    return [c.name for c in result.get_winners()]


def _votekit(ballots: list[tuple[str, ...]], names: tuple[str, ...]) -> list[str]:
    from votekit import RankBallot, RankProfile
    from votekit.elections import IRV
    # grouped into weighted rankings: one RankBallot per ballot takes minutes at this size
    profile = RankProfile(ballots=[RankBallot(ranking=tuple(frozenset({c}) for c in b), weight=n)
                                   for b, n in Counter(ballots).items() if b], candidates=names)
    return [c for group in IRV(profile, tiebreak="random", rng_seed=SEED).get_elected()
            for c in group]


def _votelib(ballots: list[tuple[str, ...]], names: tuple[str, ...]) -> list[str]:
    from votelib.evaluate.sequential import TransferableVoteSelector
    return list(TransferableVoteSelector().evaluate(dict(Counter(ballots)), 1))


def _rcv(ballots: list[tuple[str, ...]], names: tuple[str, ...]) -> list[str]:
    import rcv
    schedule = rcv.PreferenceSchedule.from_ballots([b for b in ballots if b])
    return list(rcv.FractionalSTV(schedule, seats=1).elect())


PEERS: dict[str, Callable[[list[tuple[str, ...]], tuple[str, ...]], list[str]]] = {
    "pyrankvote": _pyrankvote, "votekit": _votekit, "votelib": _votelib, "rcv": _rcv}
CHILDREN = {"parse": child_parse, "e2e": child_e2e, "once": child_once, "loop": child_loop,
            "stream": child_stream, "peers": child_peers}


def measure(kind: str, argument: str) -> dict:
    """Run one measurement in a fresh interpreter; add its peak resident memory in MB."""
    done = subprocess.run([sys.executable, __file__, "--child", kind, argument],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(kind: str, argument: str) -> None:
    result = CHILDREN[kind](argument)
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# ---- whole processes: `electoral rcv FILE` against a Python process reading FILE with pyarrow ----

PYARROW_READ = "import sys, pyarrow.csv as c; c.read_csv(sys.argv[1])"
WHOLE_REPEATS = 9  # short runs on a shared machine: more turns for a fair best


# An installed package runs from compiled bytecode, as pyarrow and the standard library do here;
# a checkout with PYTHONDONTWRITEBYTECODE set would compile electoral's modules from source on
# every run (about 0.1 s). So the children may write bytecode, into a cache beside the data.
CHILD_ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
             "PYTHONPYCACHEPREFIX": str(DATA / "pycache")}


def _run(command: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
    """Wall time (s), peak resident memory (MB) and CPU time (s, user + system, every thread) of
    one child process run to its end. CPU time moves less than wall time with the machine's
    load, though a loaded machine inflates it too (caches, frequency)."""
    with tempfile.TemporaryFile() as said:  # a file, not a pipe: RCTab logs megabytes there
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=said, env=CHILD_ENV,
                                 cwd=cwd)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            said.seek(0)
            raise SystemExit(f"{command} failed: {said.read()[-4000:].decode(errors='replace')}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def whole_process(path: Path) -> dict:
    """Both commands in turns, best of REPEATS each (the machine is shared: both see its load);
    peak memory is each one's own."""
    command = [sys.executable, "-m", "electoral", "rcv", str(path)]  # as the script runs it
    _run(command)  # writes the bytecode cache (see CHILD_ENV)
    ours, theirs = [], []
    for _ in range(WHOLE_REPEATS):
        ours.append(_run(command))
        theirs.append(_run([sys.executable, "-c", PYARROW_READ, str(path)]))
    best, base = min(ours), min(theirs)
    return {"seconds": best[0], "peak": max(r[1] for r in ours), "pyarrow": base[0],
            "pyarrow_peak": max(r[1] for r in theirs), "load": os.getloadavg()[0],
            "cpu": min(r[2] for r in ours), "pyarrow_cpu": min(r[2] for r in theirs),
            "all": [round(r[0], 3) for r in ours], "all_pyarrow": [round(r[0], 3) for r in theirs]}


def _whole_lines(whole: dict, ballots: int) -> list[str]:
    ratio = whole["seconds"] / whole["pyarrow"]
    ok = ratio <= 1.5 and whole["peak"] <= 400
    return [
        "### Whole processes (issue 13)", "",
        f"`electoral rcv FILE` (default text table; NumPy loop, no numba loaded) against "
        f"`python -c \"{PYARROW_READ}\" FILE`, each a fresh process, taken in turns, best of "
        f"{WHOLE_REPEATS}: `python benchmarks/rcv_bench.py --whole`.", "",
        "| process | ballots | time | CPU time | peak memory | target |",
        "|---|---:|---:|---:|---:|---|",
        f"| python reading the CSV with pyarrow | {ballots:,} | {whole['pyarrow']:.3f} s "
        f"| {whole['pyarrow_cpu']:.3f} s | {whole['pyarrow_peak']:.0f} MB | |",
        f"| electoral rcv | {ballots:,} | {whole['seconds']:.3f} s ({ratio:.2f}x) "
        f"| {whole['cpu']:.3f} s ({whole['cpu'] / whole['pyarrow_cpu']:.2f}x) "
        f"| {whole['peak']:.0f} MB | <= 1.5x, <= 400 MB: {_met(ok)} |", "",
        f"Every run (s): electoral {whole['all']}, pyarrow {whole['all_pyarrow']}; load average "
        f"(1 min) {whole['load']:.2f} on {os.cpu_count()} CPUs at the end."]


# ---- the report ----

def report() -> str:
    e2e_file, peers_file = csv_for("e2e"), csv_for("peers")
    parse = measure("parse", str(e2e_file))
    e2e = {**measure("e2e", str(e2e_file)),
           "max_rss_mb": measure("once", str(e2e_file))["max_rss_mb"]}
    wide_file = csv_for("e2e", 20)  # collapsing pays less with more candidates
    e2e["wide"] = {**measure("e2e", str(wide_file)),
                   "max_rss_mb": measure("once", str(wide_file))["max_rss_mb"]}
    loop = measure("loop", str(size("loop")))
    tenth = measure("stream", str(csv_for("stream_tenth")))  # memory must not grow with ballots
    stream = {**measure("stream", str(csv_for("stream"))), "tenth": tenth}
    peers = measure("peers", str(peers_file))
    whole = _whole_lines(whole_process(e2e_file), size("e2e"))
    return "\n".join([*_lines(parse, e2e, loop, stream, peers), "", *whole])


def _lines(parse: dict, e2e: dict, loop: dict, stream: dict, peers: dict) -> list[str]:
    ratio = e2e["seconds"] / e2e["parse"]
    return [
        "## Ranked-choice voting (issue #4)", "",
        f"Command: `python benchmarks/rcv_bench.py` (scale {SCALE:g}); "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, pyarrow {pa.__version__}. Engine: {e2e['engine']}.", "",
        "| measurement | ballots | time | figure | peak memory | target |",
        "|---|---:|---:|---:|---:|---|",
        f"| pyarrow parses the ranks CSV alone | {parse['rows']:,} | {e2e['parse']:.3f} s "
        f"| | {parse['max_rss_mb']:.0f} MB | |",
        f"| electoral end to end: read into {e2e['distinct']:,} distinct rankings "
        f"{e2e['read']:.3f} s, count {e2e['count']:.3f} s "
        f"| {e2e['ballots']:,} | {e2e['seconds']:.3f} s | {ratio:.2f}x pyarrow "
        f"| {e2e['max_rss_mb']:.0f} MB | <= 3x, <= 500 MB: "
        f"{_met(ratio <= 3 and e2e['max_rss_mb'] <= 500)} |",
        _wide_line(e2e["wide"]),
        f"| round loop alone, ballots in memory (after collapsing them to {loop['distinct']:,} "
        f"rankings in {loop['collapse']:.3f} s) | {loop['ballots']:,} | {loop['seconds']:.3f} s "
        f"| {loop['per_second'] / 1e6:.1f} M ballots/s | {loop['max_rss_mb']:.0f} MB "
        f"| >= 50 M/s: {_met(loop['per_second'] >= 50e6)} |",
        f"| the same count on the raw rows, not collapsed | {loop['ballots']:,} "
        f"| {loop['raw_seconds']:.3f} s | {loop['ballots'] / loop['raw_seconds'] / 1e6:.1f} M "
        "ballots/s | | |",
        f"| streamed from CSV in 8 MB blocks ({stream['distinct']:,} distinct rankings) "
        f"| {stream['ballots']:,} | {stream['seconds']:.1f} s "
        f"| {stream['ballots'] / stream['seconds'] / 1e6:.1f} M ballots/s "
        f"| {stream['max_rss_mb']:.0f} MB | bounded memory: {stream['tenth']['max_rss_mb']:.0f} MB "
        f"for {stream['tenth']['ballots']:,} |", "",
        "Parse and end to end are timed in turns in one process, best of "
        f"{REPEATS} each; peak memory is that of a fresh process counting once. Importing "
        f"electoral's reader and engine takes {e2e['imports']:.2f} s once per "
        "process; like pyarrow's own import, it is outside every timing above.", "",
        f"Winner {', '.join(e2e['winner'])} after {e2e['rounds']} rounds (1M); "
        f"10M in memory: {', '.join(loop['winner'])}; "
        f"streamed: {', '.join(stream['winner'])}.", "",
        *_peer_lines(peers)]


def _wide_line(wide: dict) -> str:
    ratio = wide["seconds"] / wide["parse"]
    return (f"| the same with 20 candidates: read into {wide['distinct']:,} distinct rankings "
            f"{wide['read']:.3f} s, count {wide['count']:.3f} s "
            f"| {wide['ballots']:,} | {wide['seconds']:.3f} s | {ratio:.2f}x pyarrow "
            f"({wide['parse']:.3f} s) | {wide['max_rss_mb']:.0f} MB "
            f"| {_met(ratio <= 3 and wide['max_rss_mb'] <= 500)} |")


def _peer_lines(peers: dict) -> list[str]:
    lines = [f"### Python peers on the same {peers['ballots']:,} ballots (one IRV count each)", "",
             "Each is timed from its own input: electoral from the rank matrix (raw rows, not "
             "collapsed), the peers from a list of ranking tuples they turn into their objects "
             "(votekit and votelib get them grouped with counts, their usual form). The file "
             "is read once, outside the clocks.", "",
             "| package | time | ballots/s | winner | agrees with electoral |",
             "|---|---:|---:|---|---|"]
    ours = peers["results"]["electoral"]["winner"]
    for name, result in peers["results"].items():
        rate = peers["ballots"] / result["seconds"] if result["seconds"] else 0
        if "error" in result:
            lines.append(f"| {name} | {result['seconds']:.2f} s | | failed: {result['error']} "
                         "| no |")
            continue
        agrees = "yes" if sorted(result["winner"]) == sorted(ours) else "**no**"
        lines.append(f"| {name} | {result['seconds']:.3f} s | {rate:,.0f} "
                     f"| {', '.join(map(str, result['winner']))} | {agrees} |")
    pile = peers["exhausted_pile"]
    lines += ["", "A small IRV whose exhausted pile outgrows the leaders (A 8, B 7; 10 ballots "
              "rank only C, D, E or F; A wins 8 to 7): " + "; ".join(
                  f"{name} {'/'.join(v) if isinstance(v, list) else v}"
                  for name, v in pile.items()) + "."]
    if not isinstance(pile.get("votelib"), list):
        lines += ["", "votelib 0.4 fails because `TransferableVoteDistributor.select_retained` "
                  "ranks the exhausted pile (its `None` key) with the candidates when choosing "
                  "whom to keep: once exhausted ballots outnumber a continuing candidate, it keeps "
                  "the pile, eliminates every candidate and stops with 'infinite loop in STV'."]
    return lines


# The targets the report found not met; the run exits MISSED if there is any.
NOT_MET: list[str] = []


def _met(ok: bool) -> str:
    if not ok:
        NOT_MET.append("rcv")
    return "met" if ok else "**not met**"


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    elif sys.argv[1:] == ["--whole"]:
        print("\n".join(_whole_lines(whole_process(csv_for("e2e")), size("e2e"))))
        sys.exit(MISSED if NOT_MET else 0)
    else:
        print(report())
        sys.exit(MISSED if NOT_MET else 0)
