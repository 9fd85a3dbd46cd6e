"""The account of rows a reader did not turn into votes: nothing is dropped without a reason.

Every reader that sets a row aside (an undervote line, a "ballots cast" line, a suppressed count, a
contest that is not the general election) records an ``Exclusion`` (``electoral.model``); the list
travels with the returns in ``Returns.exclusions`` and is stored with the election.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from electoral.model import Exclusion, Returns

__all__ = ["Exclusion", "by_reason"]


def by_reason(returns: Iterable[Returns]) -> list[tuple[str, int, int]]:
    """``(reason, rows, votes)`` over every election in ``returns``, most rows first; an
    exclusion whose votes were unreadable adds none."""
    rows: Counter[str] = Counter()
    votes: Counter[str] = Counter()
    for one in returns:
        for exclusion in one.exclusions:
            rows[exclusion.reason] += exclusion.rows
            votes[exclusion.reason] += exclusion.votes or 0
    return [(reason, n, votes[reason]) for reason, n in rows.most_common()]
