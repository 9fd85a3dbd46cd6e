"""Everything ranked-choice, laid out as RCTab is: config → readers → tabulator → writers.

- ``config``: an RCTab contest configuration read and validated into ``rules.Rules``.
- ``cvr``: cast-vote-record readers, one module per vendor format, picked by ``cvr.Provider``
  behind ``read_cvrs``; ``cvr.common`` holds what the readers share.
- ``rules``, ``rounds``, ``engine``, ``count``, ``fast``, ``kernel``, ``tiebreak``, ``javarandom``:
  the rules, each round's immutable state, the round loop with every RCTab rule, its fast paths
  over collapsed rankings, and RCTab's seeded tie-breaks.
- ``rctab_report``, ``cdf_export``, ``tables``: the writers — RCTab's reports, its CDF export, and
  round tables. ``names``: the labels and ids RCTab coins.
- ``session``: the only code that wires the others together — ``session.rctab`` runs an RCTab
  config (``tabulate_config``), ``session.quick`` a quick count (``quick_count``, ``write_audit``).

Only ``electoral.api`` (and the tests) import this package. The names below are its public surface;
they load on first use, so ``import electoral.rcv`` loads none of numpy, numba or pyarrow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from electoral.rcv.cvr.provider import Provider
    from electoral.rcv.rounds import RcvTabulation
    from electoral.rcv.rules import OvervoteRule, Tiebreak, WinnerMode
    from electoral.rcv.session.quick import (
        QuickOptions,
        QuickResult,
        quick_count,
        read_rankings,
        write_audit,
    )
    from electoral.rcv.session.rctab import tabulate_config
    from electoral.rcv.tables import render_rcv

# public name -> the module that defines it
_HOMES = {
    "Provider": "electoral.rcv.cvr.provider",
    "RcvTabulation": "electoral.rcv.rounds",
    "OvervoteRule": "electoral.rcv.rules",
    "Tiebreak": "electoral.rcv.rules",
    "WinnerMode": "electoral.rcv.rules",
    "QuickOptions": "electoral.rcv.session.quick",
    "QuickResult": "electoral.rcv.session.quick",
    "quick_count": "electoral.rcv.session.quick",
    "read_rankings": "electoral.rcv.session.quick",
    "write_audit": "electoral.rcv.session.quick",
    "tabulate_config": "electoral.rcv.session.rctab",
    "render_rcv": "electoral.rcv.tables",
}

__all__ = ["OvervoteRule", "Provider", "QuickOptions", "QuickResult", "RcvTabulation",
           "Tiebreak", "WinnerMode", "quick_count", "read_rankings", "render_rcv",
           "tabulate_config", "write_audit"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
