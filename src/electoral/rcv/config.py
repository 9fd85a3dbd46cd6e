"""Where ``electoral.cli`` still imports the RCTab-config session from; it moved to
``session.rctab`` (and the config reader to ``rctab_config``). Remove this module once the CLI
imports ``tabulate_config`` from ``electoral.rcv``.
"""

from electoral.rcv.session.rctab import tabulate_config

__all__ = ["tabulate_config"]
