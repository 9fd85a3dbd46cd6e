"""The results API in-process: the JSON contract, other formats, and errors as JSON."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest

from electoral.api import load_samples
from electoral.server.app import create_app
from electoral.store import Store


class Client:
    """Requests to the app in-process, through httpx's ASGI transport."""

    def __init__(self, db: Path):
        self.app = create_app(db)

    def get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.get(path, params=params)
        return anyio.run(fetch)


@pytest.fixture
def client(db: Path) -> Client:
    with Store(db) as store:
        load_samples(store)
    return Client(db)


def test_elections_listed_with_their_source(client: Client) -> None:
    elections = client.get("/elections").json()
    assert [e["id"] for e in elections] == ["2004-CT-president", "2004-MA-president",
                                            "2004-MO-president", "2024-CT-president"]
    assert elections[0]["source"] == "bundled:2004-CT-president.sample.json"
    (record,) = client.get("/elections/2004-CT-president/imports").json()
    assert len(record["sha256"]) == 64


def test_results_follow_the_report_contract(client: Client) -> None:
    document = client.get("/elections/2004-MO-president/results", params={"by": "county"}).json()
    boone = next(r for r in document["rows"] if r["unit"] == "Boone")
    assert boone["margin"] == {"votes": 158, "percent": "0.21"}
    compared = client.get("/elections/2024-CT-president/results",
                          params={"by": "county", "compare": "2004-CT-president"}).json()
    assert compared["flips"] == [{"unit": "Windham", "from": "Democratic", "to": "Republican"}]


def test_other_formats(client: Client) -> None:
    csv = client.get("/elections/2004-CT-president/results.csv", params={"by": "county"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "Litchfield,44647,46.19,50160,51.89" in csv.text
    assert client.get("/elections/2004-CT-president/results.pdf").status_code == 422


def test_errors_are_json(client: Client) -> None:
    missing = client.get("/elections/1999-CT-president/results")
    assert missing.status_code == 404 and "electoral import" in missing.json()["error"]
    bad_level = client.get("/elections/2004-CT-president/results", params={"by": "galaxy"})
    assert bad_level.status_code == 422 and bad_level.json()["problems"]


def test_a_missing_store_is_said_and_not_made(db: Path) -> None:
    answer = Client(db).get("/elections")
    assert answer.status_code == 503 and answer.headers["retry-after"]
    assert answer.json() == {"error": "the server has no results store yet; its operator makes "
                             "one with `electoral import` (nothing was changed)",
                             "code": "no-store", "problems": []}
    assert not db.exists()


def test_text_and_csv_routes_keep_hostile_names_harmless(db: Path, tmp_path: Path) -> None:
    """Rich markup in a name never reaches Rich as markup (it raised, a 500); CSV runs no formula."""
    from typer.testing import CliRunner

    from electoral.cli import app

    source = tmp_path / "hostile.csv"
    source.write_text("election,unit,unit_name,unit_kind,parent,candidate,votes\n" + "".join(
        f"2024-CT-president,{unit},{name},county,CT,{who},{n}\n" for unit, name, who, n in (
            ("09001", "[/]", "[bold]Ann", 5), ("09001", "[/]", "@Bob", 9),
            ("09003", "=1+1", "[bold]Ann", 7), ("09003", "=1+1", "@Bob", 2))), encoding="utf-8")
    imported = CliRunner().invoke(app, ["import", str(source), "--db", str(db)])
    assert imported.exit_code == 0, imported.output
    client = Client(db)
    text = client.get("/elections/2024-CT-president/results.text", {"by": "county"})
    assert text.status_code == 200 and "[/]" in text.text and "[bold]Ann" in text.text
    table = client.get("/elections/2024-CT-president/results.csv", {"by": "county"})
    assert table.status_code == 200
    assert "'=1+1,7,77.78,2,22.22,0,0.00,5,55.56,9" in table.text
    assert "[/],5,35.71,9,64.29,0,0.00,-4,-28.57,14" in table.text
    assert "'@Bob votes" in table.text.splitlines()[0]
