"""Ranked-choice tabulation as RCTab defines it: single- and multi-winner, every rule it offers.

Entry points
------------
``tabulate_rcv(ballots, rules, slices=(), audit=False)`` counts ``Ballots`` (see
``rules.compact``) under ``Rules`` and returns a ``RcvTabulation``: one immutable ``Round`` per
round (tally, threshold, elected/eliminated, transfers, inactive ballots by reason), plus the same
per precinct and per batch for the ``slices`` named ("precinct", "batch").
``tabulate_passes`` runs multi-pass IRV (one ``RcvTabulation`` per seat).

``count_matrix(ranks, names, rules, counts=None, labels=None, audit=False)`` is the fast path,
with no Python object per ballot:

- ``ranks``: an ``n x max_rank`` ``int32`` numpy matrix, ``ranks[b, r]`` the index into ``names``
  of ballot b's mark at rank r+1, ``-1`` for a blank rank;
- ``names``: the labels those indices stand for (candidates, and any overvote, skipped-rank or
  write-in label, which ``labels``, a ``LabelMap``, names; "overvote" is always an overvote);
- ``counts``: optional ``int64`` ballots per row (collapse identical rows first to count faster).

Single-winner rules run in one compiled loop over the rows (``fast``, ``kernel``); other
rules fold identical rows and go through the general engine. Both give the same ``RcvTabulation``.

How it counts
-------------
Identical rankings are counted once, with their count. Each candidate keeps a pile of the rankings
that currently count for them; a round only re-reads the piles of candidates who stopped
continuing (eliminated, or elected with a surplus to pass on), never every ballot. Arithmetic is
``Decimal`` with RCTab's declared precision (values truncated to ``decimalPlacesForVoteArithmetic``
places exactly where RCTab truncates them), so every figure, down to its printed scale, is RCTab's.
Random tie-breaks use a ``java.util.Random``-compatible generator (``javarandom``).
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from electoral.errors import Problem, ValidationError
from electoral.rcv.count import RcvCount
from electoral.rcv.rounds import RcvTabulation, TabulationError
from electoral.rcv.rules import (
    OVERVOTE,
    OVERVOTE_CODE,
    UNDECLARED_WRITE_IN,
    Ballots,
    LabelMap,
    Labels,
    Rules,
)


def tabulate_rcv(ballots: Ballots, rules: Rules, slices: tuple[str, ...] = (),
                 audit: bool = False) -> RcvTabulation:
    """Count ``ballots`` under ``rules``; ``slices`` names the breakdowns wanted (precinct,
    batch); ``audit`` keeps each ballot row's path through the rounds (``RcvTabulation.trail``).

    Raises:
        ValidationError: the rules contradict each other (``Rules.validate``).
        TabulationError: (a ValidationError) the count cannot go on — no ballots, a tie the rules
            leave to an operator, nobody left to eliminate, a slice asked for but missing from the
            records.
    """
    rules.validate()
    return _tabulate(ballots, rules, slices, audit)


def _tabulate(ballots: Ballots, rules: Rules, slices: tuple[str, ...],
              audit: bool = False) -> RcvTabulation:
    with decimal.localcontext() as context:
        context.prec = 80
        context.traps[decimal.Inexact] = False
        return RcvCount(ballots, rules, slices, audit).run()


def tabulate_passes(ballots: Ballots, rules: Rules, slices: tuple[str, ...] = (),
                    audit: bool = False) -> tuple[RcvTabulation, ...]:
    """Multi-pass IRV: one single-winner count per seat, each excluding the earlier winners.

    Raises:
        ValidationError: as ``tabulate_rcv``; TabulationError when a pass does not find exactly one
            winner.
    """
    rules.validate()
    passes: list[RcvTabulation] = []
    winners: list[str] = []
    single = _replace(rules, seats=1)
    while len(winners) < rules.seats:
        current = _replace(single, excluded=rules.excluded | frozenset(winners))
        result = _tabulate(ballots, current, slices, audit)
        if len(result.winners) != 1:
            raise TabulationError(f"pass {len(passes) + 1} found {len(result.winners)} winners, "
                                  "not one")
        winners.append(result.winners[0])
        passes.append(result)
    return tuple(passes)


def _replace(rules: Rules, **changes: object) -> Rules:
    return replace(rules, **changes)  # type: ignore[arg-type]


def count_matrix(ranks: np.ndarray, names: Sequence[str], rules: Rules,
                 counts: np.ndarray | None = None, labels: LabelMap | None = None,
                 audit: bool = False) -> RcvTabulation:
    """Count an ``n x max_rank`` int32 matrix of indices into ``names`` (``-1`` blank), each row
    standing for ``counts[row]`` ballots (1 when ``counts`` is None).

    ``labels`` says which names are the overvote, skipped-rank and write-in labels. Single-winner
    rules run on the numpy fast path (``fast``); others through the general engine after
    folding identical rows. An unknown name raises a ValidationError listing all of them.
    ``audit`` keeps each row's path through the rounds (``RcvTabulation.trail``, by matrix row).

    Raises:
        ValidationError: the rules contradict each other, or ``unknown-candidate`` for every name
            that is neither a candidate nor a label; TabulationError as ``tabulate_rcv``.
    """
    # numpy loads only for the matrix path
    from electoral.rcv.fast import MatrixCount, supports

    rules.validate()
    codes = _codes(names, rules, labels or LabelMap())
    matrix = np.asarray(ranks, dtype=np.int32)
    if np.array_equal(codes, np.arange(len(codes))):
        mapped = matrix  # the matrix already uses the rules' candidate order
    else:
        lookup = np.concatenate(([-1], codes)).astype(np.int32)
        mapped = lookup[matrix + 1]
    with decimal.localcontext() as context:
        context.prec = 80
        if supports(rules):
            return MatrixCount(mapped, counts, rules, audit).run()
        ballots, inverse = _fold(mapped, counts, rules)
        tab = _tabulate(ballots, rules, (), audit)
        if audit:  # back from folded rows to matrix rows
            tab = replace(tab, trail=tuple(step[inverse] for step in tab.trail))
        return tab


def _codes(names: Sequence[str], rules: Rules, labels: LabelMap) -> np.ndarray:
    index = {name: i for i, name in enumerate(rules.names)}
    index.update((alias, index[name]) for alias, name in rules.aliases)
    codes = np.empty(len(names), dtype=np.int32)
    unknown = []
    for i, name in enumerate(names):
        if labels.skipped is not None and name == labels.skipped:
            codes[i] = -1
        elif name == OVERVOTE or (labels.overvote is not None and name == labels.overvote):
            codes[i] = len(rules.names)
        elif labels.write_in is not None and name == labels.write_in and rules.write_ins:
            codes[i] = index[UNDECLARED_WRITE_IN]
        elif name in index:
            codes[i] = index[name]
        else:
            unknown.append(name)
    if unknown:
        raise ValidationError(Problem("unknown-candidate", f"{name!r} is not a declared "
                                      "candidate", field="candidates") for name in unknown)
    return codes


def _fold(matrix: np.ndarray, counts: np.ndarray | None, rules: Rules
          ) -> tuple[Ballots, np.ndarray]:
    """The matrix as ``Ballots`` (identical rows once, with their ballot counts), and each
    matrix row's folded row."""
    weights = np.ones(matrix.shape[0], dtype=np.int64) if counts is None else counts
    rows, inverse = np.unique(matrix, axis=0, return_inverse=True)
    totals = np.bincount(inverse.reshape(-1), weights=weights, minlength=len(rows))
    names = rules.names
    text = (*names, OVERVOTE)
    ranks = tuple(tuple((r + 1, (int(c),)) for r, c in enumerate(row) if c >= 0)
                  for row in rows.tolist())
    labels = Labels(text, tuple(range(len(names))) + (OVERVOTE_CODE,),
                    tuple(True for _ in names) + (False,))
    return Ballots(labels, ranks, tuple(int(t) for t in totals)), inverse.reshape(-1)
