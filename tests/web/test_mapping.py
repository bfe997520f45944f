"""The mapping pages: initiatives (search and filters), the overlap queue and its reviews, coverage."""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import authorised_client
from tests.web.conftest import csrf_token

HOSPITALS, COMMUNITY = "init-maternity-equity-hospitals", "init-maternity-equity-community"
HOSPITALS_NAME, COMMUNITY_NAME = "Equitable Maternity Care Programme", "Maternity Equity and Continuity Project"
MATERNITY = "theme-maternity-neonatal"
CELL = re.compile(r'<td class="nhsuk-table__cell app-coverage__cell[^"]*">\s*'
                  r'(?:<a href="([^"]+)"[^>]*>(\d+)</a>|(None))')
ROW = re.compile(r'<tr class="nhsuk-table__row">\s*<th scope="row"(.*?)</tr>', re.S)
RESULT_LINK = re.compile(r'<h2 class="nhsuk-heading-s nhsuk-u-margin-bottom-1"><a href="/records/([^"]+)">')
MATCHES = re.compile(r"(\d+) initiatives? match")


@pytest.fixture
def demo(seeded, person_as):
    return person_as


def initiative_ids(page) -> list[str]:
    return RESULT_LINK.findall(page.text)


def total(page) -> int:
    return int(MATCHES.search(page.text).group(1))


def review(browser, decision=None, note="", a=COMMUNITY, b=HOSPITALS, token=None, **extra):
    data = {"a": a, "b": b, "note": note, "csrf_token": token or csrf_token(browser, "/overlaps"), **extra}
    if decision is not None:
        data["decision"] = decision
    return browser.post("/overlaps/review", data=data)


# -- initiatives ---------------------------------------------------------------------------------------

def test_initiatives_lists_every_initiative_with_status_and_example_tag(demo, service):
    viewer = demo("viewer")
    page = viewer.get("/initiatives")
    assert page.status_code == 200
    everything = service.list_nodes("Initiative", limit=1000)[1]
    assert total(page) == everything
    assert len(initiative_ids(page)) == min(20, everything)
    assert "Example data" in page.text and "Active" in page.text
    assert 'name="theme"' in page.text and 'name="lead"' in page.text  # the filter form, by GET


def test_initiatives_filters_by_theme_status_lead_and_words(demo, service):
    viewer = demo("viewer")
    maternity = viewer.get(f"/initiatives?theme={MATERNITY}")
    assert {HOSPITALS, COMMUNITY} <= set(initiative_ids(maternity))
    assert "Theme: Maternity and neonatal outcomes" in html.unescape(maternity.text)
    led = viewer.get(f"/initiatives?theme={MATERNITY}&lead=org-example-hospitals")
    assert initiative_ids(led) == [HOSPITALS]
    assert "Led by" in led.text and "Fiona Marchetti" in led.text
    words = viewer.get("/initiatives?q=maternity+equity")
    assert initiative_ids(words) == [node.id for node in service.list_nodes("Initiative", "maternity equity")[0]]
    assert total(words) < total(viewer.get("/initiatives"))
    both = viewer.get("/initiatives?q=maternity&lead=org-example-community-health")
    assert initiative_ids(both) == [COMMUNITY]
    nothing = viewer.get(f"/initiatives?theme={MATERNITY}&status=closed")
    assert total(nothing) == 0 and "No initiatives match" in nothing.text
    by_place = viewer.get("/initiatives?place=place-riverside&population=population-black-african")
    assert {HOSPITALS, COMMUNITY} <= set(initiative_ids(by_place))


def test_initiatives_refuses_an_unknown_status_with_an_error_summary(demo):
    page = demo("viewer").get("/initiatives?status=finished")
    assert page.status_code == 400
    assert "There is a problem" in page.text and 'href="#status"' in page.text
    assert "<title>Error: Initiatives" in page.text


def test_initiatives_pages_keep_the_filters(demo, monkeypatch):
    monkeypatch.setattr("graphsvc.web.mapping.PAGE_SIZE", 5)
    viewer = demo("viewer")
    first = viewer.get("/initiatives?status=active")
    assert total(first) > 5 and len(initiative_ids(first)) == 5
    assert 'href="/initiatives?status=active&page=2"' in first.text  # the filters kept, no empty parameters
    second = viewer.get("/initiatives?status=active&page=2")
    assert not set(initiative_ids(first)) & set(initiative_ids(second))


# -- overlaps ------------------------------------------------------------------------------------------

def test_overlap_queue_shows_the_maternity_pair_side_by_side(demo):
    page = demo("viewer").get("/overlaps")
    assert page.status_code == 200
    text = html.unescape(page.text)
    first = text.index('id="pair-1"')
    pair = text[first:text.index("</section>", first)]
    for expected in (HOSPITALS_NAME, COMMUNITY_NAME, "Fiona Marchetti", "Ben Carrow", "Example Hospitals NHS Trust",
                     "Example Community Health NHS Trust", "Maternity and neonatal outcomes", "Black Caribbean",
                     "Riverside", "Example Voices", "Text similarity", "Example data"):
        assert expected in pair, expected
    assert re.search(r"Strong overlap \(0\.\d\d\)", pair)
    assert 'action="/overlaps/review"' not in text  # viewers read; coordinators decide


def test_one_initiatives_overlaps(demo):
    page = demo("viewer").get(f"/overlaps?id={HOSPITALS}")
    assert page.status_code == 200
    assert f"Overlaps of {HOSPITALS_NAME}" in page.text and COMMUNITY_NAME in page.text
    assert demo("viewer").get("/overlaps?id=init-nobody").status_code == 404


def test_a_viewer_may_not_record_a_review(demo):
    viewer = demo("viewer")
    answer = review(viewer, "aligned", token=csrf_token(viewer, "/initiatives"))
    assert answer.status_code == 403
    assert "Reviewed:" not in viewer.get("/overlaps").text


def test_a_review_without_the_csrf_token_is_refused(demo):
    coordinator = demo("coordinator")
    answer = coordinator.post("/overlaps/review", data={"a": COMMUNITY, "b": HOSPITALS, "decision": "aligned"})
    assert answer.status_code == 400
    assert "Reviewed:" not in coordinator.get("/overlaps").text


def test_a_coordinator_records_aligned_and_the_pair_shows_as_reviewed(demo, client):
    coordinator = demo("coordinator")
    form = coordinator.get("/overlaps").text
    assert 'action="/overlaps/review"' in form and 'name="csrf_token"' in form
    answer = review(coordinator, "aligned", "Same work: the two trusts will plan it together.")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/overlaps?recorded=aligned"
    page = coordinator.get(answer.headers["Location"])
    assert "Your decision (aligned) is recorded." in page.text
    assert "Reviewed: Aligned" in page.text and "coordinator-token" in page.text
    assert "Same work: the two trusts will plan it together." in html.unescape(page.text)
    (pair,) = [entry for entry in client.get(f"/api/v1/overlaps?id={HOSPITALS}").get_json()["overlaps"]]
    assert pair["review"]["decision"] == "aligned" and pair["review"]["by"] == "coordinator-token"


def test_distinct_takes_the_pair_out_of_the_queue_and_back_to_its_initiative(demo):
    coordinator = demo("coordinator")
    answer = review(coordinator, "distinct", back=HOSPITALS)
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/overlaps?id={HOSPITALS}&recorded=distinct"
    assert COMMUNITY_NAME not in coordinator.get(f"/overlaps?id={HOSPITALS}").text
    shown = coordinator.get(f"/overlaps?id={HOSPITALS}&include_reviewed=yes").text
    assert COMMUNITY_NAME in shown and "Reviewed: Distinct" in shown


def test_changing_a_decision_is_for_governance_and_says_so(demo):
    coordinator = demo("coordinator")
    assert review(coordinator, "aligned").status_code == 303
    refused = review(coordinator, "duplicate")
    assert refused.status_code == 403
    text = html.unescape(refused.text)
    assert "There is a problem" in text and "Changing the review" in text and 'href="#decision-1"' in text
    assert "Reviewed: Aligned" in coordinator.get("/overlaps").text  # nothing changed
    governance = demo("governance")
    assert review(governance, "duplicate", "Recorded twice.").status_code == 303
    assert "Reviewed: Duplicate" in governance.get("/overlaps").text


def test_a_review_with_no_decision_shows_the_error_beside_the_radios(demo):
    coordinator = demo("coordinator")
    answer = review(coordinator, None, "I am not sure yet.")
    assert answer.status_code == 400
    text = html.unescape(answer.text)
    assert "<title>Error: Overlap queue" in text
    assert 'href="#decision-1"' in text and "Select aligned, duplicate or distinct." in text
    assert 'id="decision-1-error"' in text and "I am not sure yet." in text  # what was typed is kept


def test_a_review_of_an_unknown_decision_is_an_error_not_a_record(demo):
    coordinator = demo("coordinator")
    answer = review(coordinator, "merged")
    assert answer.status_code == 400
    assert "Reviewed:" not in coordinator.get("/overlaps").text


# -- coverage ------------------------------------------------------------------------------------------

def page_cells(text: str) -> list[list[tuple[str | None, int]]]:
    """The matrix as shown: per row, per column, (link, count), with None shown as 0 and no link."""
    return [[(link or None, int(count) if count else 0) for link, count, _ in CELL.findall(row)]
            for row in ROW.findall(text)]


@pytest.mark.parametrize("query", ["", "?rows=Place&cols=Theme&status=any", "?rows=Organisation&cols=Population"])
def test_coverage_counts_are_the_apis(demo, tokens, app, query):
    page = demo("viewer").get(f"/coverage{query}")
    assert page.status_code == 200
    api_query = query.replace("?", "&").lstrip("&")
    answer = authorised_client(app, tokens["viewer"]).get(f"/api/v1/coverage?{api_query}").get_json()
    shown = page_cells(page.text)
    assert [[count for _, count in row] for row in shown] == answer["cells"]
    assert page.text.count(">None</td>") == len(answer["empty"])
    assert '<th scope="col"' in page.text and '<th scope="row"' in page.text


def test_each_coverage_cell_links_to_its_initiatives(demo):
    viewer = demo("viewer")
    for row in page_cells(viewer.get("/coverage").text):
        for link, count in row:
            if count:
                assert "status=active" in link
                assert total(viewer.get(html.unescape(link))) == count, link


def test_coverage_refuses_an_axis_the_api_does_not_allow(demo):
    page = demo("viewer").get("/coverage?rows=Person")
    assert page.status_code == 400
    assert "There is a problem" in page.text and 'href="#rows"' in page.text
    assert "<table" not in page.text
