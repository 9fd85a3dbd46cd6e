"""electoral: official-grade election results from raw returns.

The package is layered; a module imports only from layers below its own, and modules side by side
in a layer (``|``) do not import each other:

    cli | server | demo        the edges: parse a command or a request, call ``api``, print or answer
    api                        the one front door: the only module that opens files and the store
    report | check | rcv       rendering; recomputing published figures; everything ranked-choice
    analyze                    comparisons across elections: flips, swing, a unit's history
    tabulate | io | store      roll-ups, electors, apportionment; readers and writers, one module
                               per format; the DuckDB results database
    model, errors, numbers,    the bottom, importable by every layer: domain types and state tables
    columns, geography,        (``model``), the one exception hierarchy (``errors``), the one
    published                  rounding rule (``numbers``), counts as Arrow columns (``columns``),
                               counties by FIPS (``geography``), figures as an article states them
                               (``published``)

``published`` and ``geography`` sit at the bottom because both sides of a seam use them:
``published`` is written by ``io`` (articles, samples) and read by ``check`` and ``report``;
``geography`` is read by ``io``, ``analyze`` and ``report``.
"""

__version__ = "0.1.0"
