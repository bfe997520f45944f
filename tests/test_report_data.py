"""The report as data states only what the report states: its date, its author, its numbering."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPORT = (Path(__file__).resolve().parents[2] / "shared" / "source" / "cop-evaluation-summary-report-2025-03.md")


@pytest.fixture
def report_seeded(runner):
    result = runner.invoke(args=["seed", "--dataset", "report"])
    assert result.exit_code == 0, result.output


def test_the_report_is_dated_as_it_dates_itself_and_credits_its_author(report_seeded, client):
    source = client.get("/api/v1/sources/source-cop-evaluation-2025-03").get_json()
    assert source["published"] == "2025-03"  # "March 2025": no invented day
    [authored] = client.get("/api/v1/relationships?type=AUTHORED").get_json()["items"]
    assert (authored["from"], authored["to"]) == ("org-healthwatch-greenwich", "source-cop-evaluation-2025-03")


@pytest.mark.parametrize("plural", ["findings", "recommendations"])
def test_lists_come_back_in_report_order_by_default(report_seeded, client, plural):
    items = client.get(f"/api/v1/{plural}?limit=100").get_json()["items"]
    assert [item["number"] for item in items] == list(range(1, 18))
    backwards = client.get(f"/api/v1/{plural}?limit=100&sort=-number").get_json()["items"]
    assert [item["number"] for item in backwards] == list(range(17, 0, -1))


@pytest.mark.skipif(not REPORT.exists(), reason="the evaluation report is not beside this checkout")
@pytest.mark.parametrize("plural, text", [("findings", "statement"), ("recommendations", "title")])
def test_numbers_follow_the_order_the_report_states_them_in(report_seeded, client, plural, text):
    report = re.sub(r"\*\*", "", REPORT.read_text(encoding="utf-8"))
    items = client.get(f"/api/v1/{plural}?limit=100&sort=number").get_json()["items"]
    positions = [report.index(item[text]) for item in items]
    assert positions == sorted(positions)


def test_partial_dates_are_checked(client):
    for good in ("2025", "2025-03", "2025-03-14"):
        assert client.post("/api/v1/sources", json={"title": f"Report {good}", "published": good}).status_code == 201
    for bad in ("2025-13", "2025-02-30", "March 2025", "25-03"):
        answer = client.post("/api/v1/sources", json={"title": "Bad", "published": bad})
        assert answer.status_code == 422 and "published" in answer.get_json()["errors"], bad
