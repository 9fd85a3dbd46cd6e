"""The fast path's one loop, in NumPy: walk each ballot's row to its next usable mark.

All the ballots being moved step forward together, one rank position per step, so the loop runs
at most ``max_rank`` times whatever the number of ballots; each step keeps only the ballots still
looking. For each ballot it applies RCTab's per-rank checks in RCTab's order: too many skipped
ranks, an overvote, then the first continuing candidate; a row that runs out is exhausted (or,
never marked, "no rankings"). Over collapsed rankings (distinct rows with counts) this takes
milliseconds for a million ballots, so the default path needs no compiler; ``kernel_numba`` holds
the same loop compiled, used only when numba is installed and the rows are many.
"""

from __future__ import annotations

import numpy as np

NONE, NO_RANKINGS, EXHAUSTED, OVERVOTE, SKIPPED = range(5)


def advance_rows(m: np.ndarray, idx: np.ndarray, pos: np.ndarray, last: np.ndarray,
                 live: np.ndarray, limit: int, overvote: int, exhaust_overvote: bool,
                 source: np.ndarray, weights: np.ndarray, choice: np.ndarray,
                 status: np.ndarray, flows: np.ndarray, inactive: np.ndarray) -> None:
    """For each ballot ``j`` (row ``idx[j]``, or row ``j`` when ``idx`` is empty) from position
    ``pos[j]``: its next continuing candidate into ``choice`` (-1 none) and ``status``; ``pos``
    and ``last`` (the last marked position) are updated in place.

    Shapes: ``m`` (rows, width) int32 codes (``overvote`` for an overvote mark, -1 blank);
    ``live`` bool over codes; ``limit`` the skipped positions allowed plus one (-1: any).
    Counts are added to ``flows[0, from + 1, to + 1]`` (from: ``source[j]``, or ``source[0]``
    for all when it has one entry; to -1 is "inactive") and ``inactive[0, status]``, weighted by
    ``weights[row]`` (1 when empty).
    """
    size = pos.size
    rows = np.arange(size, dtype=np.int64) if idx.size == 0 else idx.astype(np.int64, copy=False)
    width = m.shape[1]
    choice.fill(-1)
    status.fill(NONE)
    walking = np.arange(size, dtype=np.int64)  # positions j still looking for a mark
    while walking.size:
        p = pos[walking]
        ended = p >= width
        if ended.any():
            done = walking[ended]
            status[done] = np.where(last[done] < 0, NO_RANKINGS, EXHAUSTED)
            walking, p = walking[~ended], p[~ended]
        code = m[rows[walking], p]
        marked = code >= 0
        skipped = marked & (limit >= 0) & (p - last[walking] > limit)
        status[walking[skipped]] = SKIPPED
        usable = marked & ~skipped
        last[walking[usable]] = p[usable]
        over = usable & (code == overvote)
        if exhaust_overvote:
            status[walking[over]] = OVERVOTE
        found = usable & ~over & live[np.where(usable, code, 0)]
        choice[walking[found]] = code[found]
        stopped = skipped | found | (over if exhaust_overvote else False)
        # a ballot that stops keeps its position at the mark that stopped it, as RCTab rescans
        moving = ~stopped
        pos[walking[moving]] = p[moving] + 1
        walking = walking[moving]
    _count(rows, source, weights, choice, status, flows, inactive)


def _count(rows: np.ndarray, source: np.ndarray, weights: np.ndarray, choice: np.ndarray,
           status: np.ndarray, flows: np.ndarray, inactive: np.ndarray) -> None:
    side = flows.shape[1]
    src = (source[0] if source.size == 1 else source).astype(np.int64) + 1
    key = src * side + choice.astype(np.int64) + 1
    w = None if weights.size == 0 else weights[rows]
    flows[0] += _sum(key, w, side * side).reshape(side, side)
    inactive[0] += _sum(status.astype(np.int64), w, inactive.shape[1])


def _sum(keys: np.ndarray, weights: np.ndarray | None, size: int) -> np.ndarray:
    """Exact int64 totals per key (``np.bincount`` would add weights as floats)."""
    if weights is None:
        return np.bincount(keys, minlength=size).astype(np.int64)
    totals = np.zeros(size, dtype=np.int64)
    np.add.at(totals, keys, weights)
    return totals


def group_rows(idx: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows grouped by value, in row order within a value (a stable sort): ``rows[start[v]:
    start[v + 1]]`` are the rows (``idx[j]``, or ``j`` when ``idx`` is empty) whose value ``v``
    is in ``0..size-1``; rows valued -1 are left out. Both int64."""
    kept = np.flatnonzero(values >= 0)
    order = kept[np.argsort(values[kept], kind="stable")]
    rows = order if idx.size == 0 else idx[order].astype(np.int64, copy=False)
    start = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(values[kept], minlength=size), out=start[1:])
    return rows.astype(np.int64, copy=False), start
