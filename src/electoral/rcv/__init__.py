"""Everything ranked-choice, laid out as RCTab is: config → readers → tabulator → writers.

- ``config``: an RCTab contest configuration read and validated into ``rules.Rules``.
- ``cvr``: cast-vote-record readers, one module per vendor format, behind ``read_cvrs``.
- ``rules``, ``engine``, ``count``, ``fast``, ``kernel``, ``tiebreak``, ``javarandom``: the round loop
  with every RCTab rule, its fast paths over collapsed rankings, and RCTab's seeded tie-breaks.
- ``quick``: a count straight from a ranks file, without per-ballot objects.
- ``rctab_report``, ``cdf_export``, ``tables``: RCTab's reports, its CDF export, and round tables.

Only ``electoral.api`` (and the tests) import this package.
"""
