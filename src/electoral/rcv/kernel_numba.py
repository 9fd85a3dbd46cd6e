"""The fast path's loop compiled with numba: walk each ballot's row to its next usable mark.

An optional extra (``pip install electoral[fast]``): ``fast`` uses it only for millions of raw
rows, where it runs over both cores; every other count uses the NumPy loop in ``kernel``, which
gives the same results. Compiled when first imported (then cached on disk). For each ballot it
applies RCTab's per-rank checks in RCTab's order: too many skipped ranks, an overvote, then the
first continuing candidate; a row that runs out is exhausted (or, never marked, "no rankings").
"""

from __future__ import annotations

import types
from collections.abc import Callable

import numpy as np
from numba import njit, prange

NONE, NO_RANKINGS, EXHAUSTED, OVERVOTE, SKIPPED = range(5)


@njit(cache=True, nogil=True)
def _walk(m: np.ndarray, row: int | np.int64, p: int, last: int, live: np.ndarray, limit: int,
          overvote: int, exhaust_overvote: bool) -> tuple[int, int, int, int]:
    width = m.shape[1]
    while p < width:
        code = m[row, p]
        if code >= 0:
            if limit >= 0 and p - last > limit:
                return -1, p, SKIPPED, last
            last = p
            if code == overvote:
                if exhaust_overvote:
                    return -1, p, OVERVOTE, last
            elif live[code]:
                return code, p, NONE, last
        p += 1
    return -1, p, (NO_RANKINGS if last < 0 else EXHAUSTED), last


_SIGNATURE = ("void(int32[:, ::1], int64[::1], int32[::1], int32[::1], boolean[::1], int64, "
              "int64, boolean, int32[::1], int64[::1], int32[::1], int8[::1], int64[:, :, ::1], "
              "int64[:, ::1])")


def _advance_rows(m: np.ndarray, idx: np.ndarray, pos: np.ndarray, last: np.ndarray,
                 live: np.ndarray, limit: int, overvote: int, exhaust_overvote: bool,
                 source: np.ndarray, weights: np.ndarray, choice: np.ndarray,
                 status: np.ndarray, flows: np.ndarray, inactive: np.ndarray) -> None:
    """For each ballot ``j`` (row ``idx[j]``, or row ``j`` when ``idx`` is empty) from position
    ``pos[j]``: its next continuing candidate into ``choice`` (-1 none) and ``status``; ``pos``
    and ``last`` (the last marked position) are updated in place.

    Counts go to ``flows[chunk, from + 1, to + 1]`` (from: ``source[j]``, or ``source[0]`` for
    all when it has one entry; to -1 is "inactive") and ``inactive[chunk, status]``, weighted by
    ``weights[row]`` (1 when empty); the caller sums over chunks.
    """
    everyone = idx.size == 0
    uniform = source.size == 1
    weighted = weights.size > 0
    chunks = flows.shape[0]
    size = pos.size
    for chunk in prange(chunks):
        for j in range(chunk * size // chunks, (chunk + 1) * size // chunks):
            row = np.int64(j)
            if not everyone:
                row = np.int64(idx[j])
            c, p, st, seen = _walk(m, row, pos[j], last[j], live, limit, overvote,
                                   exhaust_overvote)
            choice[j] = c
            pos[j] = p
            status[j] = st
            last[j] = seen
            w = weights[row] if weighted else 1
            src = source[0] if uniform else source[j]
            flows[chunk, src + 1, c + 1] += w
            if st != NONE:
                inactive[chunk, st] += w


# compiled (or loaded from the cache) at import: over both cores for many ballots, on one for few
# (waking threads costs more than a few thousand ballots take)
def _named(func: Callable[..., None], name: str) -> Callable[..., None]:
    """The same function under another name: numba caches compiled code by name, and the serial
    and parallel builds must not share a cache entry."""
    copy = types.FunctionType(func.__code__, func.__globals__, name, func.__defaults__,
                              func.__closure__)
    copy.__qualname__ = name
    return copy


advance_rows = njit(_SIGNATURE, cache=True, nogil=True, parallel=True)(_advance_rows)
advance_rows_serial = njit(_SIGNATURE, cache=True, nogil=True)(
    _named(_advance_rows, "_advance_rows_serial"))


# compiled (or loaded from the cache) at import
@njit("Tuple((int64[::1], int64[::1]))(int64[::1], int32[::1], int64)",
      cache=True, nogil=True)
def group_rows(idx: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows grouped by value, in row order within a value (a counting sort): ``rows[start[v]:
    start[v + 1]]`` are the rows (``idx[j]``, or ``j`` when ``idx`` is empty) whose value ``v``
    is in ``0..size-1``; rows valued -1 are left out."""
    everyone = idx.size == 0
    start = np.zeros(size + 1, dtype=np.int64)
    for j in range(values.size):
        if values[j] >= 0:
            start[values[j] + 1] += 1
    for v in range(size):
        start[v + 1] += start[v]
    fill = start[:-1].copy()
    rows = np.empty(start[size], dtype=np.int64)
    for j in range(values.size):
        v = values[j]
        if v >= 0:
            rows[fill[v]] = j if everyone else idx[j]
            fill[v] += 1
    return rows, start
