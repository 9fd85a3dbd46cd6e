"""Election-night fixtures: Delaware's three counties as per-county native CSV files, and a store
with one token of each role."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx

from electoral import api

HEADER = "election,unit,unit_name,unit_kind,parent,fips,candidate,party,votes,vote_type\n"
COUNTIES = {"10001": "Kent", "10003": "New Castle", "10005": "Sussex"}
ELECTION = "2020-DE-president"


def county_file(fips: str, biden: int, trump: int, *, precincts: int = 0,
                election: str = ELECTION) -> bytes:
    """One county's returns, by vote type; with ``precincts``, that many precincts each
    holding the same figures (a large file)."""
    name = COUNTIES[fips]
    rows = []
    places = ([(fips, name, "county", "DE")] if not precincts else
              [(f"{fips}-{i:05d}", f"{name} {i}", "precinct", fips) for i in range(precincts)])
    for unit, unit_name, kind, parent in places:
        code = fips if kind == "county" else ""
        for who, party, votes in (("Biden", "DEM", biden), ("Trump", "REP", trump)):
            rows.append(f"{election},{unit},{unit_name},{kind},{parent},{code},{who},{party},"
                        f"{votes - votes // 3},election_day\n")
            rows.append(f"{election},{unit},{unit_name},{kind},{parent},{code},{who},{party},"
                        f"{votes // 3},absentee_by_mail\n")
    return (HEADER + "".join(rows)).encode()


TOKENS = {"desk": ("ingest", ()), "kent": ("ingest", ("10001",)), "caller": ("call", ()),
          "board": ("certify", ()), "root": ("admin", ())}


def make_store(db: Path) -> dict[str, str]:
    """A new store at ``db`` with the tokens of ``TOKENS``; their secrets by name."""
    with api.open_night_store(db, write=True) as store:
        return {name: api.add_token(store, name, role, scope)
                for name, (role, scope) in TOKENS.items()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Client:
    """Requests to an app in-process, through httpx's ASGI transport (as test_app.py)."""

    def __init__(self, app: object):
        self.app = app

    def request(self, method: str, path: str, **options: object) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.request(method, path, **options)  # type: ignore[arg-type]
        return anyio.run(fetch)

    def get(self, path: str, **options: object) -> httpx.Response:
        return self.request("GET", path, **options)

    def post(self, path: str, **options: object) -> httpx.Response:
        return self.request("POST", path, **options)

    def put(self, path: str, **options: object) -> httpx.Response:
        return self.request("PUT", path, **options)
