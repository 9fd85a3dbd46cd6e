"""electoral: official-grade election results from raw returns.

The package is layered; a module imports only from layers below its own, and modules side by side
in a layer (``|``) do not import each other. ``lint-imports`` checks this against the contracts in
pyproject.toml (``make lint``, CI), with two more: only ``api`` imports ``rcv`` and ``store``, and no
package has an import cycle.

    cli                        the command line: parse, call ``api``, print
    server | demo              the web API and the demo, each over ``api``
    api                        the one front door: the only module that opens files and the store
    report                     rendering: tables, maps, pages in every output format
    check | rcv                recomputing published figures; everything ranked-choice
    analyze                    comparisons across elections: flips, swing, a unit's history
    tabulate | io | store      roll-ups, electors, apportionment; readers and writers, one module
                               per format, and the import stage; the DuckDB results database
    columns : published :      the bottom, importable by every layer: counts as Arrow columns,
    geography : parties :      figures as an article states them, counties by FIPS, canonical
    formats : numbers          parties, the named output choices, the one rounding rule
    model                      domain types and state tables
    errors                     the one exception hierarchy

``published`` and ``geography`` sit at the bottom because both sides of a seam use them:
``published`` is written by ``io`` (articles, samples) and read by ``check`` and ``report``;
``geography`` is read by ``io``, ``analyze`` and ``report``.

The public API is the list below (``__all__``; ``tests/test_public_api.py`` holds it): the front
door ``api`` and its store, the domain types and errors, and the pure functions a script or a
benchmark calls. Each name loads its module on first use, so ``import electoral`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> the module that defines it
_HOMES: dict[str, str] = {
    # the front door and the results store
    "api": "electoral",
    "open_store": "electoral.api",
    "ResultsStore": "electoral.api",
    "Store": "electoral.store",
    # domain types and errors
    "Election": "electoral.model", "Party": "electoral.model", "Candidate": "electoral.model",
    "Unit": "electoral.model", "UnitKind": "electoral.model", "Count": "electoral.model",
    "VoteType": "electoral.model", "Returns": "electoral.model", "Exclusion": "electoral.model",
    "CastVoteRecord": "electoral.model",
    "ElectoralError": "electoral.errors", "ValidationError": "electoral.errors",
    "NotFoundError": "electoral.errors", "StoreError": "electoral.errors",
    "Problem": "electoral.errors",
    "CountTable": "electoral.columns", "ReturnsTable": "electoral.columns",
    "percent": "electoral.numbers",
    "canonical_party": "electoral.parties",
    # reading returns: the one seam where files are opened, the readers, the import stage
    "Format": "electoral.io", "open_source": "electoral.io", "read_path": "electoral.io",
    "read_tables": "electoral.io", "stage": "electoral.io.stage",
    # tabulation, electors, scenarios
    "roll_up": "electoral.tabulate.rollup", "Tabulation": "electoral.tabulate.rollup",
    "apportion": "electoral.tabulate.apportion",
    "census_populations": "electoral.tabulate.apportion",
    "state_votes": "electoral.tabulate.electors",
    "national_table": "electoral.tabulate.nation",
    "Scenario": "electoral.tabulate.scenarios", "analyse": "electoral.tabulate.scenarios",
    "parse_flips": "electoral.tabulate.scenarios", "parse_swing": "electoral.tabulate.scenarios",
    # maps
    "draw_map": "electoral.report.maps", "svg_to_png": "electoral.report.maps",
    "load_atlas": "electoral.report.geometry",
    # ranked choice
    "Rules": "electoral.rcv.rules", "Ballots": "electoral.rcv.rules",
    "Labels": "electoral.rcv.rules", "tabulate_rcv": "electoral.rcv.engine",
    "count_matrix": "electoral.rcv.engine", "RankMatrix": "electoral.rcv.cvr.ranks",
    "collapse": "electoral.rcv.cvr.ranks", "read_rank_matrix": "electoral.rcv.cvr.ranks",
    "iter_rank_matrices": "electoral.rcv.cvr.ranks",
}

__all__ = ["__version__", *_HOMES]


def __getattr__(name: str) -> Any:
    if name == "__version__":  # importlib.metadata costs 30 ms: paid only when asked
        from importlib.metadata import PackageNotFoundError, version
        try:
            value: Any = version("electoral")
        except PackageNotFoundError:  # a source tree that was never installed
            value = "0.0.0"
        globals()[name] = value
        return value
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'electoral' has no attribute {name!r}")
    module = importlib.import_module(f"electoral.{name}" if home == "electoral" else home)
    value = module if home == "electoral" else getattr(module, name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
