"""Where ``electoral.cli`` still imports the quick-count session from; it moved to
``session.quick``. Remove this module once the CLI imports these names from ``electoral.rcv``.
"""

from electoral.rcv.session.quick import QuickOptions, QuickResult, quick_count, write_audit

__all__ = ["QuickOptions", "QuickResult", "quick_count", "write_audit"]
