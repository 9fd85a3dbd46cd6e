"""The numpy fast path: RCTab's single-winner rules over an ``n x max_rank`` matrix of candidate
indices, with no Python object per ballot.

Every ballot has a current candidate (``cur``) and the position of that mark (``pos``). Ballots sit
in per-candidate piles (index arrays); a round takes the piles of the candidates who stopped
continuing and advances just those ballots, all at once, one rank position per step, until each
finds a continuing candidate or becomes inactive (skipped too many ranks, overvote, exhausted).
Resuming from ``pos`` equals RCTab's rescan from rank 1: an earlier rank never becomes usable
again once a candidate stops continuing. Decisions (threshold, winners, eliminations, tie-breaks)
are the general engine's (``count.RcvCount``), so both paths give the same rounds.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import numpy as np

from electoral.rcv.count import RcvCount
from electoral.rcv.kernel import advance_rows, group_rows
from electoral.rcv.rounds import EXHAUSTED, UNCOUNTED, Tally
from electoral.rcv.rules import Ballots, Labels, OvervoteRule, Rules, Status

Kernel = Callable[..., None]
_STATUS = (None, Status.NO_RANKINGS, Status.EXHAUSTED, Status.OVERVOTE, Status.SKIPPED)
_EMPTY = Ballots(Labels((), (), ()), (), ())
# rows from which the compiled loop (``kernel_numba``, when numba is installed) pays for loading
# numba (about a second): NumPy moves a few million rows a round in well under that
COMPILED_FROM = 4_000_000


def _compiled() -> Kernel | None:
    """numba's parallel build of the loop when the optional ``numba`` extra is installed."""
    try:
        from electoral.rcv.kernel_numba import advance_rows as compiled
    except ImportError:
        return None
    return compiled


def supports(rules: Rules) -> bool:
    """Whether the fast path implements these rules (else the general engine counts)."""
    return rules.seats == 1 and not rules.exhaust_on_duplicate \
        and rules.overvote != OvervoteRule.EXHAUST_IF_MULTIPLE


class MatrixCount(RcvCount):
    """``RcvCount`` with ballots held as numpy arrays. ``ranks`` holds indices into ``rules.names``,
    ``len(rules.names)`` for an overvote mark, ``-1`` for a blank rank."""

    def __init__(self, ranks: np.ndarray, counts: np.ndarray | None, rules: Rules,
                 audit: bool = False):
        self.m = np.ascontiguousarray(ranks, dtype=np.int32)
        self.w = None if counts is None else np.ascontiguousarray(counts, dtype=np.int64)
        self.np_status = np.zeros(self.m.shape[0], dtype=np.int8) if audit else None
        super().__init__(_EMPTY, rules, (), audit)

    def _init_ballots(self, slices: tuple[str, ...]) -> None:
        rows = self.m.shape[0]
        self.cur = np.full(rows, -1, dtype=np.int32)
        self.pos = np.zeros(rows, dtype=np.int32)
        # the ballots with each candidate, as arrays of rows (round 1's, then later arrivals)
        self.np_piles: list[list[np.ndarray]] = [[] for _ in range(self.n)]
        self.np_votes = np.zeros(self.n, dtype=np.int64)
        self.np_inactive = np.zeros(len(_STATUS), dtype=np.int64)
        self.scopes = {}
        self.snaps = []  # (the CDF export's snapshots come from the general engine)

    def _has_ballots(self) -> bool:
        return bool(self.m.shape[0] > 0)

    def _snapshot(self) -> np.ndarray:
        """Each row's candidate now, or -1 - (its inactive status's place in ``Status``)."""
        assert self.np_status is not None
        return np.where(self.cur >= 0, self.cur, -self.np_status.astype(np.int32))

    def _move_ballots(self, transfers: dict[str, dict[str, Decimal]]
                      ) -> dict[tuple[str, str], Tally]:
        if self.round == 1:
            self._first_round(transfers)
            return {}
        chunks = [a for c in self.stopped for a in self.np_piles[c]]
        for c in self.stopped:
            self.np_piles[c] = []
        # in row order, so the kernel reads the matrix front to back
        idx = np.sort(np.concatenate(chunks)) if chunks else np.zeros(0, dtype=np.int64)
        if idx.size:  # (an empty idx would mean "every ballot" to the kernel)
            last = self.pos[idx]
            choice = self._advance(idx, self.cur[idx], last + 1, last, transfers)
            self._pile(idx, choice)
        return {}

    def _first_round(self, transfers: dict[str, dict[str, Decimal]]) -> None:
        """Round 1: every ballot's first usable mark (the kernel walks each row once)."""
        rows = self.m.shape[0]
        everyone = np.zeros(0, dtype=np.int64)
        choice = self._advance(everyone, np.full(1, -1, dtype=np.int32),
                               np.zeros(rows, dtype=np.int32), np.full(rows, -1, dtype=np.int32),
                               transfers)
        self._pile(everyone, choice)

    def _live(self) -> np.ndarray:
        """Continuing candidates as a mask over codes, with room for overvote and blank (-1)."""
        live = np.zeros(self.n + 2, dtype=np.bool_)
        live[[c for c in range(self.n) if self.continuing(c)]] = True
        return live

    def _advance(self, idx: np.ndarray, source: np.ndarray, pos: np.ndarray, last: np.ndarray,
                 transfers: dict[str, dict[str, Decimal]]) -> np.ndarray:
        """Move each ballot (``idx``; empty: every row) from ``pos`` on to its next continuing
        choice, or make it inactive; update tallies and transfers; return the choices."""
        size = pos.size
        choice = np.empty(size, dtype=np.int32)
        status = np.empty(size, dtype=np.int8)
        compiled = _compiled() if size >= COMPILED_FROM else None
        chunks = 64 if compiled is not None else 1
        flows = np.zeros((chunks, self.n + 1, self.n + 1), dtype=np.int64)
        inactive = np.zeros((chunks, len(_STATUS)), dtype=np.int64)
        limit = -1 if self.rules.max_skipped is None else self.rules.max_skipped + 1
        weights = np.zeros(0, dtype=np.int64) if self.w is None else self.w
        kernel = advance_rows if compiled is None else compiled
        kernel(self.m, idx, pos, last, self._live(), limit, self.n,
               self.rules.overvote == OvervoteRule.EXHAUST, source, weights, choice,
               status, flows, inactive)
        if idx.size == 0:
            self.cur, self.pos = choice.copy(), pos
        else:
            self.cur[idx] = choice
            self.pos[idx] = pos
        if self.np_status is not None:
            if idx.size == 0:
                self.np_status[:] = status
            else:
                self.np_status[idx] = status
        self._tally(flows.sum(axis=0), inactive.sum(axis=0), transfers)
        return choice

    def _tally(self, flows: np.ndarray, inactive: np.ndarray,
               transfers: dict[str, dict[str, Decimal]]) -> None:
        self.np_votes += flows[:, 1:].sum(axis=0)
        self.np_inactive += inactive
        for src in np.flatnonzero(flows.any(axis=1)):
            name_from = UNCOUNTED if src == 0 else self.names[src - 1]
            for target in np.flatnonzero(flows[src]):
                name_to = EXHAUSTED if target == 0 else self.names[target - 1]
                transfers.setdefault(name_from, {})[name_to] = Decimal(int(flows[src, target]))
        self.votes = [Decimal(int(v)) for v in self.np_votes]
        for code, state in enumerate(_STATUS):
            if state is not None:
                self.inactive[state] = Decimal(int(self.np_inactive[code]))

    def _pile(self, idx: np.ndarray, choice: np.ndarray) -> None:
        """Add the ballots that just moved (``idx`` empty: all of them) to their new
        candidates' piles."""
        rows, start = group_rows(idx, choice, self.n)
        for c in np.flatnonzero(start[1:] > start[:-1]):
            self.np_piles[c].append(rows[start[c]:start[c + 1]])
