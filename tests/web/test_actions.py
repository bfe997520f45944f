"""The action register and handing an action to an accountable owner (issue 11, governance journey)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

import graphsvc.queries.settings
from tests.web.conftest import csrf_token
from tests.web.pickers import assert_marked_for_search_as_you_type

OWNERLESS = "action-a18"
OWNER_PAGE = f"/actions/{OWNERLESS}/owner"
NEW_OWNER = "person-victor-ambrose"
ETAG_FIELD = re.compile(r'name="etag" value="([^"]+)"')


@pytest.fixture
def demo(seeded, person_as, monkeypatch):
    """The shipped report and demo, judged on the day its planted flags are written for."""
    monkeypatch.setattr(graphsvc.queries.settings, "today", lambda: dt.date(2026, 12, 1))
    return person_as


def page_text(answer) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.text))


def register_references(answer) -> list[str]:
    """The references in the register's rows, in order (first cell of each body row)."""
    return re.findall(r'<tr class="nhsuk-table__row">\s*<td class="nhsuk-table__cell">([^<]+)</td>', answer.text)


# -- the register ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["viewer", "coordinator", "governance", "admin"])
def test_the_register_lists_every_action_with_owner_due_date_rag_in_words_and_flags(demo, role):
    answer = demo(role).get("/actions")
    assert answer.status_code == 200
    assert "<title>Action register – graphsvc</title>" in answer.text
    references = register_references(answer)
    assert len(references) == 21 and references[:3] == ["A-01", "A-02", "A-03"]
    assert references.index("A-2" if "A-2" in references else "A-02") < references.index("A-10")
    text = page_text(answer)
    # overdue, its owner, its recommendation, the RAG as a word with the reason, the flag.
    row = text[text.index("A-02 "):text.index("A-03 ")]
    for expected in ("Produce the CoP Introduction Pack", "Create a CoP Introduction Pack", "Nadia Farrow",
                     "31 October 2026", "In progress", "Red", "overdue", "Action overdue", "Example data"):
        assert expected in row, expected
    a18 = text[text.index("A-18 "):text.index("A-19 ")]
    assert "No owner" in a18 and "no accountable owner" in a18 and "Action without owner" in a18
    assert 'href="/actions.csv?"' in answer.text and 'href="/actions.xlsx?"' in answer.text
    # Only governance may hand actions over; everyone else sees no such control.
    assert ('href="/actions/action-a18/owner"' in answer.text) == (role in ("governance", "admin"))
    assert "@example.org" not in answer.text


def test_the_register_filters_by_status_and_rag_and_keeps_them_in_the_form(demo):
    answer = demo("viewer").get("/actions?rag=red&status=in_progress&status=blocked")
    assert answer.status_code == 200
    references = register_references(answer)
    assert references and "A-18" not in references  # red, but not started
    assert {"A-02", "A-06", "A-08", "A-10"} <= set(references)
    assert all(ref not in references for ref in ("A-01", "A-03", "A-21"))
    assert re.search(r'value="red"\s+checked', answer.text)
    assert re.search(r'value="blocked"\s+checked', answer.text)
    assert 'href="/actions.csv?status=in_progress&amp;status=blocked&amp;rag=red"' in answer.text
    # Values outside the vocabulary are ignored rather than failing the page.
    assert register_references(demo("viewer").get("/actions?rag=purple&sort=nonsense")) == register_references(
        demo("viewer").get("/actions"))


def test_the_register_sorts_by_due_date_and_rag(demo):
    browser = demo("viewer")
    by_due = register_references(browser.get("/actions?sort=due"))
    due_dates = {row["Reference"]: row["Due date"] for row in csv.DictReader(io.StringIO(
        browser.get("/actions.csv").get_data(as_text=True).lstrip("\ufeff")))}
    dated = [due_dates[ref] for ref in by_due if due_dates[ref]]
    assert dated == sorted(dated) and len(dated) == 20
    assert by_due[-1] == "A-14"  # no due date: last
    by_rag = register_references(browser.get("/actions?sort=rag"))
    text = page_text(browser.get("/actions?sort=rag"))
    assert by_rag[-1] == "A-21" and "Cancelled" in text  # cancelled sorts last
    assert set(by_rag[:7]) == set(register_references(browser.get("/actions?rag=red")))


def test_the_register_groups_rows_by_the_reports_areas(demo):
    answer = demo("viewer").get("/actions?group=area")
    assert answer.status_code == 200
    areas = re.findall(r'<h2 id="area-\d+">([^<]+)</h2>', answer.text)
    assert areas[0] == "Purpose of the CoP"
    assert "Reflection and Impact: Moving from Learning to Action" in areas
    section = answer.text.split("Reflection and Impact: Moving from Learning to Action</h2>")[1].split("<h2")[0]
    assert {"A-17", "A-18", "A-19"} <= set(register_references_in(section))
    assert re.search(r'value="area"\s+checked', answer.text)


def register_references_in(html: str) -> list[str]:
    return re.findall(r'<tr class="nhsuk-table__row">\s*<td class="nhsuk-table__cell">([^<]+)</td>', html)


def test_the_register_downloads_as_csv_with_the_same_filters(demo):
    answer = demo("viewer").get("/actions.csv?rag=red")
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["RAG"] for row in rows} == {"red"}
    a18 = next(row for row in rows if row["Reference"] == "A-18")
    assert a18["Accountable owner"] == "" and "action-without-owner" in a18["Open flags"]
    assert a18["Example data"] == "example (fictional)"


def test_the_register_downloads_as_excel_guarded_against_formulas(demo, service):
    service.update_node("action-a19", {"title": '=HYPERLINK("https://example.org")'}, "test")
    answer = demo("viewer").get("/actions.xlsx")
    assert answer.status_code == 200
    assert answer.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(answer.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header[:4] == ["Reference", "Action", "Recommendations", "Accountable owner"]
    by_reference = {row[0]: dict(zip(header, row, strict=False)) for row in rows[1:]}
    assert len(by_reference) == 21
    assert by_reference["A-02"]["Accountable owner"] == "Nadia Farrow"
    assert by_reference["A-02"]["RAG"] == "red"
    assert by_reference["A-19"]["Action"] == "'=HYPERLINK(\"https://example.org\")"  # shown as text
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # never a formula


# -- changing the accountable owner ----------------------------------------------------------------

@pytest.mark.parametrize("role, status", [("viewer", 403), ("coordinator", 403), ("governance", 200),
                                          ("admin", 200)])
def test_only_governance_may_open_the_owner_form(demo, role, status):
    browser = demo(role)
    assert browser.get(OWNER_PAGE).status_code == status
    if status == 403:
        token = csrf_token(browser, "/actions")
        answer = browser.post(OWNER_PAGE, data={"csrf_token": token, "owner": NEW_OWNER, "etag": '"owner-none"'})
        assert answer.status_code == 403
        assert "You do not have permission" in answer.text


def test_the_owner_form_searches_people_groups_and_organisations_without_javascript(demo):
    browser = demo("governance")
    answer = browser.get(OWNER_PAGE)
    assert answer.status_code == 200
    assert "No accountable owner" in page_text(answer)
    assert 'name="owner"' not in answer.text  # nothing to choose until a search
    answer = browser.get(OWNER_PAGE + "?q=victor")
    assert answer.status_code == 200
    assert re.search(rf'type="radio"[^>]*value="{NEW_OWNER}"|value="{NEW_OWNER}"[^>]*type="radio"', answer.text)
    assert "Victor Ambrose" in answer.text and 'name="csrf_token"' in answer.text
    assert ETAG_FIELD.search(answer.text).group(1) == "&#34;owner-none&#34;"
    answer = browser.get(OWNER_PAGE + "?q=borough+council")
    assert 'value="org-example-borough-council"' in answer.text  # organisations too
    answer = browser.get(OWNER_PAGE + "?q=zebra+quartz")
    assert 'name="owner"' not in answer.text and "No person, group or organisation matches" in answer.text


def test_the_owner_form_marks_its_search_for_search_as_you_type(demo):
    """picker.js takes the results area from the page the search form loads: the page must name it,
    say how many matched, and keep the hint for people without JavaScript."""
    browser = demo("governance")
    assert_marked_for_search_as_you_type(browser.get(OWNER_PAGE + "?q=victor").text, "/actions/action-a18/owner",
                                         "owner-results", "owner")
    assert 'data-picker-matches="0"' in browser.get(OWNER_PAGE).text
    assert browser.get("/static/web/picker.js").status_code == 200
    assert "picker.js" not in browser.get("/actions").text  # only the pages with a picker load it


def test_the_owner_form_is_refused_without_its_csrf_token(demo):
    browser = demo("governance")
    answer = browser.post(OWNER_PAGE, data={"owner": NEW_OWNER, "etag": '"owner-none"'})
    assert answer.status_code == 400
    assert "problem with that request" in answer.text
    assert "No accountable owner" in page_text(browser.get(OWNER_PAGE))


def test_saving_without_a_choice_shows_the_error_summary(demo):
    browser = demo("governance")
    token = csrf_token(browser, OWNER_PAGE)
    answer = browser.post(OWNER_PAGE, data={"csrf_token": token, "etag": '"owner-none"'})
    assert answer.status_code == 400
    assert "<title>Error: Change accountable owner" in answer.text
    assert "There is a problem" in answer.text and "Choose who is accountable for this action." in answer.text


def test_governance_hands_the_ownerless_action_to_an_owner_and_the_flag_goes(demo):
    browser = demo("governance")
    assert 'href="/records/action-a18"' in browser.get("/").text
    form = browser.get(OWNER_PAGE + "?q=victor").text
    etag = ETAG_FIELD.search(form).group(1).replace("&#34;", '"')
    answer = browser.post(OWNER_PAGE, data={"csrf_token": csrf_token(browser, OWNER_PAGE), "owner": NEW_OWNER,
                                             "etag": etag, "q": "victor"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/records/action-a18")
    record = browser.get("/records/action-a18")
    assert f'href="/records/{NEW_OWNER}"' in record.text
    assert "governance-token" in page_text(record)  # the history says who changed it
    home = browser.get("/")
    assert 'href="/records/action-a18"' not in home.text.split('id="action-overdue"')[0]
    assert "Victor Ambrose" in page_text(browser.get(OWNER_PAGE))  # the form shows the new owner


def test_a_stale_form_is_refused_and_says_the_owner_changed(demo):
    browser = demo("governance")
    form = browser.get(OWNER_PAGE + "?q=victor").text
    stale = ETAG_FIELD.search(form).group(1).replace("&#34;", '"')
    token = csrf_token(browser, OWNER_PAGE)
    first = browser.post(OWNER_PAGE, data={"csrf_token": token, "owner": NEW_OWNER, "etag": stale})
    assert first.status_code == 302
    answer = browser.post(OWNER_PAGE, data={"csrf_token": token, "owner": "person-nadia-farrow", "etag": stale})
    assert answer.status_code == 409
    assert "Someone changed this action" in answer.text and "There is a problem" in answer.text
    assert "Victor Ambrose" in page_text(answer)  # the owner as it is now
    assert re.search(r'value="person-nadia-farrow"\s+checked', answer.text)  # the choice is kept


def test_handing_to_someone_who_has_left_warns(demo):
    browser = demo("governance")
    token = csrf_token(browser, OWNER_PAGE)
    answer = browser.post(OWNER_PAGE, data={"csrf_token": token, "owner": "person-gareth-pimm",
                                             "etag": '"owner-none"'})
    assert answer.status_code == 200
    text = page_text(answer)
    assert "Accountable owner changed" in text and "Gareth Pimm" in text and "has ended" in text
    assert 'href="/records/action-a18"' in answer.text


def test_an_unknown_action_or_owner_is_reported(demo):
    browser = demo("governance")
    assert browser.get("/actions/no-such-action/owner").status_code == 404
    assert browser.get("/actions/person-victor-ambrose/owner").status_code == 404  # not an action
    token = csrf_token(browser, OWNER_PAGE)
    answer = browser.post(OWNER_PAGE, data={"csrf_token": token, "owner": "rec-impact-framework",
                                             "etag": '"owner-none"'})
    assert answer.status_code == 400
    assert "There is a problem" in answer.text and "cannot be accountable" in answer.text


def test_an_action_page_links_governance_to_the_owner_form(seeded, person_as):
    governance = person_as("governance").get("/records/action-a18").text
    assert 'href="/actions/action-a18/owner"' in governance
    coordinator = person_as("coordinator").get("/records/action-a18").text
    assert "/actions/action-a18/owner" not in coordinator and 'href="/records/action-a18/edit"' in coordinator


def test_a_long_register_is_read_a_page_at_a_time(seeded, person_as, monkeypatch):
    from graphsvc.web import actions

    monkeypatch.setattr(actions, "REGISTER_PAGE_SIZE", 5)
    browser = person_as("viewer")
    first = browser.get("/actions").text
    assert "Showing actions 1 to 5 of" in first and "Next page" in first and "Previous page" not in first
    second = browser.get("/actions?page=2").text
    assert "Showing actions 6 to 10 of" in second and "Previous page" in second
    assert "Showing actions 1 to 5" in browser.get("/actions?page=abc").text  # nonsense pages fall back to 1
