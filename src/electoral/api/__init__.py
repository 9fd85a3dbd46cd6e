"""The library's front door: each operation the CLI and the server offer, as one function.

Each takes plain values and a store (anything with the ``ResultsStore`` methods; ``open_store``
opens the DuckDB one) and returns results: never prints, never exits. Only this package touches a
store; report, analyze and tabulate get loaded ``Returns``. It is one surface in parts (a module
each, all re-exported here): ``core`` (the store seam), ``returns`` (importing, what is stored,
results tables, exports), ``pages`` (pages, maps, electors), ``history``, ``checks``, ``polls``
(polls and the forecast), ``election_night``, ``rcv`` and ``rla``. Heavy modules (DuckDB, pyarrow, the
renderers) are imported inside the functions that use them, so importing ``electoral.api`` is
cheap and a command pays only for what it uses.

Every function may raise ``electoral.errors.ElectoralError`` subclasses; each says which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from electoral.api.checks import (
    check_article,
    check_paths,
    has_errors,
    list_checks,
    published_from_text,
    read_published,
    render_check,
)
from electoral.api.core import (
    Progress,
    ResultsStore,
    open_store,
)
from electoral.api.election_night import (
    add_token,
    audit_log,
    audit_verify,
    authenticate,
    call_race,
    called_results,
    certify,
    ingest,
    night_status,
    open_night_store,
    revoke_token,
    served_by,
    set_expected,
    store_path,
    tokens,
)
from electoral.api.history import (
    every_flip,
    flips_between,
    history,
    render_flips,
    render_history,
)
from electoral.api.pages import (
    apportion,
    college,
    latest_earlier,
    load_states,
    map_svg,
    publish,
    render_college,
    require_complete,
    stored_states,
    write_map,
    write_page,
)
from electoral.api.polls import (
    StoredPast,
    backtest,
    backtest_figures,
    election_forecast,
    forecast,
    forecast_figures,
    import_polls,
    poll_averages,
    read_poll_files,
    read_polls,
    render_backtest,
    render_forecast,
    render_poll_list,
    render_polls,
    stored_polls,
)
from electoral.api.rcv import (
    rcv_config,
    rcv_count,
    rcv_format,
    rcv_rankings,
)
from electoral.api.returns import (
    COLUMNS,
    compare_with,
    elections,
    export,
    group,
    import_path,
    import_paths,
    imports,
    input_format,
    load_samples,
    render_results,
    report,
    results,
    results_document,
    tabulate,
)
from electoral.api.rla import (
    rla_batches,
    rla_compare,
    rla_compare_chart,
    rla_election_contests,
    rla_manifest,
    rla_raire,
    rla_record,
    rla_stored_contest,
)

# The ranked-choice choices the CLI takes as option types (light modules: no reader, no numba).
from electoral.rcv.cvr.provider import Provider
from electoral.rcv.rules import OvervoteRule, Tiebreak

if TYPE_CHECKING:  # the night store's type, for the server's and the CLI's annotations
    from electoral.store_night import NightStore as NightStore

__all__ = [
    "COLUMNS",
    "OvervoteRule",
    "Progress",
    "Provider",
    "ResultsStore",
    "StoredPast",
    "Tiebreak",
    "add_token",
    "apportion",
    "audit_log",
    "audit_verify",
    "authenticate",
    "backtest",
    "backtest_figures",
    "call_race",
    "called_results",
    "certify",
    "check_article",
    "check_paths",
    "college",
    "compare_with",
    "election_forecast",
    "elections",
    "every_flip",
    "export",
    "flips_between",
    "forecast",
    "forecast_figures",
    "group",
    "has_errors",
    "history",
    "import_path",
    "import_paths",
    "import_polls",
    "imports",
    "ingest",
    "input_format",
    "latest_earlier",
    "list_checks",
    "load_samples",
    "load_states",
    "map_svg",
    "night_status",
    "open_night_store",
    "open_store",
    "poll_averages",
    "publish",
    "published_from_text",
    "rcv_config",
    "rcv_count",
    "rcv_format",
    "rcv_rankings",
    "read_poll_files",
    "read_polls",
    "read_published",
    "render_backtest",
    "render_check",
    "render_college",
    "render_flips",
    "render_forecast",
    "render_history",
    "render_poll_list",
    "render_polls",
    "render_results",
    "report",
    "require_complete",
    "results",
    "results_document",
    "revoke_token",
    "rla_batches",
    "rla_compare",
    "rla_compare_chart",
    "rla_election_contests",
    "rla_manifest",
    "rla_raire",
    "rla_record",
    "rla_stored_contest",
    "served_by",
    "set_expected",
    "store_path",
    "stored_polls",
    "stored_states",
    "tabulate",
    "tokens",
    "write_map",
    "write_page",
]
