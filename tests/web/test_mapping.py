"""The mapping pages: initiatives (search and filters), the overlap queue (a page at a time) and its
reviews, a record's possible overlaps, coverage."""

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
PAIR_SECTION = re.compile(r'<section class="app-pair nhsuk-card" id="pair-(\d+)"')
SHOWING = re.compile(r"Showing (\d+) to (\d+) of (\d+) pairs?\.")


@pytest.fixture
def demo(seeded, person_as):
    return person_as


def initiative_ids(page) -> list[str]:
    return RESULT_LINK.findall(page.text)


def total(page) -> int:
    return int(MATCHES.search(page.text).group(1))


def pair_numbers(page) -> list[int]:
    return [int(number) for number in PAIR_SECTION.findall(page.text)]


def showing(page) -> tuple[int, int, int]:
    first, last, of = SHOWING.search(page.text).groups()
    return int(first), int(last), int(of)


def overlaps_section(page) -> str:
    """The record page's "Possible overlaps" section, up to the next heading of its level."""
    text = html.unescape(page.text)
    start = text.index('<h2 id="overlaps">')
    return text[start:text.index("<h2", start + 1)]


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


def test_a_review_that_fails_on_a_later_page_shows_its_error_there(demo, monkeypatch):
    monkeypatch.setattr("graphsvc.web.mapping.QUEUE_PAGE_SIZE", 2)
    coordinator = demo("coordinator")
    (third,) = coordinator.get("/overlaps?page=2&format=json").get_json()["pairs"]
    answer = review(coordinator, None, "Not sure.", a=third["a"]["id"], b=third["b"]["id"], page="2")
    assert answer.status_code == 400
    assert pair_numbers(answer) == [3]  # the posted page, with the posted pair's form on it
    assert 'href="#decision-3"' in answer.text and 'id="decision-3-error"' in answer.text
    assert "Not sure." in answer.text


# -- paging the queue ----------------------------------------------------------------------------------

@pytest.fixture
def pages_of_two(demo, monkeypatch):
    """The demo's three initiative pairs, two to a page."""
    monkeypatch.setattr("graphsvc.web.mapping.QUEUE_PAGE_SIZE", 2)
    return demo


def test_the_queue_shows_a_page_of_pairs_with_the_total_and_a_link_to_the_next(pages_of_two):
    viewer = pages_of_two("viewer")
    first = viewer.get("/overlaps")
    assert first.status_code == 200
    assert pair_numbers(first) == [1, 2] and showing(first) == (1, 2, 3)
    assert 'href="/overlaps?page=2"' in first.text and "nhsuk-pagination" in first.text
    second = viewer.get("/overlaps?page=2")
    assert pair_numbers(second) == [3] and showing(second) == (3, 3, 3)
    assert 'href="/overlaps?page=1"' in second.text and 'href="/overlaps?page=3"' not in second.text
    assert viewer.get("/overlaps?page=9").text.count("app-pair nhsuk-card") == 1  # past the end: the last page
    assert pair_numbers(viewer.get("/overlaps?page=nonsense")) == [1, 2]


def test_the_queue_pages_every_pair_above_the_minimum_score_once(pages_of_two, client):
    viewer = pages_of_two("viewer")
    every = client.get("/api/v1/overlaps?limit=1000").get_json()["overlaps"]
    shown = [(pair["a"]["id"], pair["b"]["id"]) for number in (1, 2)
             for pair in viewer.get(f"/overlaps?page={number}&format=json").get_json()["pairs"]]
    assert shown == [(pair["a"]["id"], pair["b"]["id"]) for pair in every]


def test_the_queue_links_keep_the_initiative_and_the_reviewed_pairs(pages_of_two, monkeypatch):
    monkeypatch.setattr("graphsvc.web.mapping.QUEUE_PAGE_SIZE", 1)
    coordinator = pages_of_two("coordinator")
    assert review(coordinator, "distinct", back=HOSPITALS).status_code == 303
    first = coordinator.get(f"/overlaps?id={HOSPITALS}&include_reviewed=yes")
    assert showing(first) == (1, 1, 1)  # one pair, reviewed as distinct, shown because asked for
    whole = coordinator.get("/overlaps?include_reviewed=yes")
    assert showing(whole) == (1, 1, 3)
    assert 'href="/overlaps?include_reviewed=yes&page=2"' in whole.text
    assert 'name="include_reviewed" value="yes"' in whole.text  # carried by each review form too
    second = coordinator.get("/overlaps?include_reviewed=yes&page=2")
    assert 'name="page" value="2"' in second.text


def test_a_review_comes_back_to_the_page_it_was_made_on(pages_of_two):
    coordinator = pages_of_two("coordinator")
    (third,) = coordinator.get("/overlaps?page=2&format=json").get_json()["pairs"]
    pair = {"a": third["a"]["id"], "b": third["b"]["id"]}
    aligned = review(coordinator, "aligned", **pair, page="2")
    assert aligned.status_code == 303 and aligned.headers["Location"] == "/overlaps?page=2&recorded=aligned"
    assert "Reviewed: Aligned" in coordinator.get(aligned.headers["Location"]).text
    kept = review(coordinator, "aligned", **pair, page="2", include_reviewed="yes")
    assert kept.headers["Location"] == "/overlaps?include_reviewed=yes&page=2&recorded=aligned"


def test_a_distinct_review_emptying_the_last_page_comes_back_to_the_page_before(pages_of_two):
    coordinator = pages_of_two("coordinator")
    (third,) = coordinator.get("/overlaps?page=2&format=json").get_json()["pairs"]
    answer = review(coordinator, "distinct", a=third["a"]["id"], b=third["b"]["id"], page="2")
    assert answer.headers["Location"] == "/overlaps?page=2&recorded=distinct"
    page = coordinator.get(answer.headers["Location"])
    assert page.status_code == 200 and pair_numbers(page) == [1, 2] and showing(page) == (1, 2, 2)
    assert "Your decision (distinct) is recorded." in page.text and "nhsuk-pagination" not in page.text


# -- a record's possible overlaps ----------------------------------------------------------------------

def test_an_initiatives_page_shows_its_possible_overlaps_and_where_to_review_them(demo):
    section = overlaps_section(demo("coordinator").get(f"/records/{HOSPITALS}"))
    assert "Possible overlaps" in section
    assert f'<a href="/records/{COMMUNITY}">{COMMUNITY_NAME}</a>' in section
    assert re.search(r"Strong overlap \(0\.\d\d\)", section) and "Example data" in section
    for expected in ("Shared themes", "Maternity and neonatal outcomes", "Shared populations", "Black Caribbean",
                     "Shared places", "Riverside", "Shared partners", "Example Voices"):
        assert expected in section, expected
    assert f'<a href="/overlaps?id={HOSPITALS}">Review these overlaps' in section
    assert HOSPITALS_NAME not in section.split("</p>", 1)[1].split("Review these")[0]  # the other side only
    viewer = overlaps_section(demo("viewer").get(f"/records/{HOSPITALS}"))
    assert "Compare these overlaps side by side" in viewer and "Review these overlaps" not in viewer


def test_a_reviewed_pair_leaves_the_record_page_which_says_none_are_waiting(demo):
    coordinator = demo("coordinator")
    assert review(coordinator, "aligned").status_code == 303
    page = coordinator.get(f"/records/{HOSPITALS}")
    section = overlaps_section(page)
    assert "No possible overlaps with other initiatives are waiting for a decision." in section
    assert COMMUNITY_NAME not in section and f'href="/overlaps?id={HOSPITALS}">See the 1 reviewed pair' in section
    assert COMMUNITY_NAME in page.text  # now among its relationships, as aligned with it
    assert re.search(r"Aligned with( this initiative)?</h3>", page.text)


def test_a_record_page_names_the_closest_few_overlaps_and_how_many_there_are(demo, monkeypatch):
    monkeypatch.setattr("graphsvc.web.pages.RECORD_OVERLAPS", 1)
    section = overlaps_section(demo("viewer").get("/records/action-a09"))
    assert "Other actions whose recommendations, themes, outcomes, owners and descriptions coincide" in section
    assert "the closest 1 of 2" in section and section.count('class="app-overlaps__item"') == 1
    assert "Shared recommendations" in section and "Develop a Resource Hub" in section


def test_an_actions_overlaps_open_on_the_overlaps_page(demo):
    page = demo("coordinator").get("/overlaps?id=action-a09")
    assert page.status_code == 200
    assert "Pairs of actions" in page.text and "Accountable:" in page.text and "Led by:" not in page.text
    assert "Shared recommendations" in page.text and showing(page) == (1, 2, 2)
    assert 'name="back" value="action-a09"' in page.text
    alone = demo("viewer").get("/overlaps?id=action-a18")  # no pairs: still named by its title, not its id
    assert "Overlaps of Baseline survey of members&#39; confidence" in alone.text and "No pairs to show." in alone.text


def test_records_of_other_types_have_no_overlaps_section(demo):
    page = demo("viewer").get("/records/person-sam-whitlock")
    assert page.status_code == 200 and 'id="overlaps"' not in page.text
    assert demo("viewer").get("/records/person-sam-whitlock?format=json").get_json()["overlaps"] is None


def test_a_record_the_read_layer_will_not_compare_shows_none_not_an_error(demo, monkeypatch):
    from graphsvc.errors import Invalid

    def refuse(*args, **kwargs):
        raise Invalid("not compared")
    monkeypatch.setattr("graphsvc.web.pages.overlaps", refuse)
    page = demo("viewer").get(f"/records/{HOSPITALS}")
    assert page.status_code == 200
    assert "No possible overlaps with other initiatives are waiting for a decision." in overlaps_section(page)


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
