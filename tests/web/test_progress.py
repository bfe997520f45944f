"""Progress updates on an action's page, the form that records one, and the register's column.

The demo's actions, people and updates are fictional. A-08 (`action-a08`) has two seeded updates;
A-13 (`action-a13`) one; A-03 none; A-01 is done.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from graphsvc.progress import updates_of
from tests.web.conftest import csrf_token

ACTION = "action-a13"
FORM = f"/actions/{ACTION}/updates/new"
TODAY = dt.datetime.now(dt.UTC).date()
TOMORROW = TODAY + dt.timedelta(days=1)


def page_text(answer) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.text))


def section(answer) -> str:
    """The words of the action page's "Progress updates" section, up to the next section."""
    text = page_text(answer)
    return text[text.index("Progress updates"):text.index("Open flags")]


def form_data(browser, **values) -> dict:
    data = {"csrf_token": csrf_token(browser, FORM), "date-day": str(TODAY.day), "date-month": str(TODAY.month),
            "date-year": str(TODAY.year)}
    return {**data, **values}


def test_an_action_page_lists_its_updates_newest_first_with_rag_in_words(seeded, person_as):
    answer = person_as("viewer").get("/records/action-a08")
    assert answer.status_code == 200
    shown = section(answer)
    newer, older = shown.index("25 November 2026: Five of eight partners"), shown.index("5 October 2026: Three")
    assert newer < older
    assert "Reported RAG: Red" in shown and "Reported RAG: Amber" in shown  # words, not colour alone
    for words in ("Chair to write to the remaining three partners.", "Three partners have not replied",
                  "Example data", "Recorded by seed", "Due 30 November 2026."):
        assert words in shown, words
    assert "No progress updates have been recorded" in section(person_as("viewer").get("/records/action-a03"))


def test_viewers_see_no_button_and_are_refused_the_form(seeded, person_as, service):
    viewer = person_as("viewer")
    assert f'href="{FORM}"' not in viewer.get(f"/records/{ACTION}").text
    assert viewer.get(FORM).status_code == 403
    answer = viewer.post(FORM, data={**form_data(viewer), "rag": "green", "csrf_token": csrf_token(viewer, "/")})
    assert answer.status_code == 403
    assert len(updates_of(service.graph(), ACTION)) == 1


def test_coordinators_get_the_button_and_the_form(seeded, person_as, service):
    coordinator = person_as("coordinator")
    assert f'href="{FORM}"' in coordinator.get(f"/records/{ACTION}").text
    answer = coordinator.get(FORM)
    assert answer.status_code == 200
    assert "<title>Record a progress update – Map the borough" in answer.text
    text = page_text(answer)
    assert "Due date 31 March 2027" in text and "Example data" in text
    assert re.search(rf'name="date-day"[^>]*value="{TODAY.day}"', answer.text)  # today, ready to change
    for rag in ("red", "amber", "green"):
        assert re.search(rf'name="rag" type="radio" value="{rag}"', answer.text)
    rule = service.vocabulary.node_type("ProgressUpdate").properties["rag"].description
    assert rule.split(":")[1].strip()[:40] in text  # the RAG rule is the radios' hint
    for name in ("done", "next", "blockers", "revision_reason"):
        assert f'<textarea class="nhsuk-textarea" id="{name}" name="{name}"' in answer.text
    assert 'name="revised_due_date-day"' in answer.text and 'name="example"' not in answer.text
    assert "Summary (optional)" in text
    closed = coordinator.get("/actions/action-a01/updates/new")
    assert closed.status_code == 200 and 'name="revised_due_date-day"' not in closed.text
    assert "but not a new due date" in page_text(closed)


def test_unknown_actions_and_other_records_are_404(seeded, person_as):
    coordinator = person_as("coordinator")
    assert coordinator.get("/actions/action-nobody/updates/new").status_code == 404
    assert coordinator.get("/actions/person-sam-whitlock/updates/new").status_code == 404


def test_errors_are_shown_in_the_summary_and_beside_the_fields_with_the_typed_values_kept(seeded, person_as, service):
    coordinator = person_as("coordinator")
    answer = coordinator.post(FORM, data=form_data(
        coordinator, **{"date-day": str(TOMORROW.day), "date-month": str(TOMORROW.month),
                        "date-year": str(TOMORROW.year), "done": "Mapped two more partners.",
                        "revised_due_date-day": "30", "revised_due_date-month": "6",
                        "revised_due_date-year": "2027"}))
    assert answer.status_code == 422
    text = page_text(answer)
    assert "<title>Error: Record a progress update" in answer.text and "There is a problem" in text
    assert "cannot be after today" in text  # the service's words, not the form's date message
    assert "RAG status: Choose red, amber or green" in text and 'href="#rag"' in answer.text
    assert "Say why the due date moved" in text
    assert 'href="#revision_reason"' in answer.text and 'href="#date-day"' in answer.text
    assert "Mapped two more partners.</textarea>" in answer.text
    assert re.search(r'name="revised_due_date-year"[^>]*value="2027"', answer.text)
    assert re.search(rf'name="date-day"[^>]*value="{TOMORROW.day}"', answer.text)
    unreadable = coordinator.post(FORM, data=form_data(coordinator, rag="green", **{"date-month": "13"}))
    assert unreadable.status_code == 422 and "Enter a real date" in page_text(unreadable)
    assert len(updates_of(service.graph(), ACTION)) == 1


def test_changes_without_the_csrf_token_are_refused(seeded, person_as, service):
    coordinator = person_as("coordinator")
    data = {key: value for key, value in form_data(coordinator, rag="green").items() if key != "csrf_token"}
    assert coordinator.post(FORM, data=data).status_code == 400
    assert len(updates_of(service.graph(), ACTION)) == 1


def test_a_saved_update_shows_on_the_action_page_with_a_banner_and_the_original_due_date(seeded, person_as, service):
    coordinator = person_as("coordinator")
    answer = coordinator.post(FORM, data=form_data(
        coordinator, rag="amber", summary="Voluntary sector mapping slipped", blockers="Two networks have not replied.",
        **{"revised_due_date-day": "30", "revised_due_date-month": "6", "revised_due_date-year": "2027",
           "revision_reason": "Waiting for the networks' lists.", "example": "yes"}))
    assert answer.status_code == 302 and answer.headers["Location"] == f"/records/{ACTION}#progress"
    page = coordinator.get(f"/records/{ACTION}")
    text = page_text(page)
    assert ("Your progress update on Map the borough's anti-racism and health equity initiatives has been recorded. "
            "Its due date is now 30 June 2027.") in text.replace("&#39;", "'")
    shown = section(page)
    assert "Due 30 June 2027 (originally 31 March 2027)." in shown
    assert shown.index("Voluntary sector mapping slipped") < shown.index("Most initiatives mapped")
    for words in ("Reported RAG: Amber", "Two networks have not replied.", "Due date revised to 30 June 2027",
                  "Why: Waiting for the networks", "Recorded by coordinator-token"):
        assert words in shown.replace("&#39;", "'"), words
    [newest, _] = updates_of(service.graph(), ACTION)
    assert newest["example"] is True and newest["date"] == TODAY.isoformat()  # follows the action, not the form
    assert "Original due date" in text and "Last update" in text  # in the action's details too
    assert "has been recorded" not in page_text(coordinator.get(f"/records/{ACTION}"))  # the banner shows once


def test_the_register_shows_each_actions_latest_update_date_and_reported_rag(seeded, person_as):
    answer = person_as("viewer").get("/actions")
    text = page_text(answer)
    assert "Latest update" in text
    a08 = text[text.index("A-08 "):text.index("A-09 ")]
    assert "25 November 2026 Reported Red" in a08
    assert "None recorded" in text[text.index("A-03 "):text.index("A-04 ")]
    data = person_as("viewer").get("/actions?format=json").get_json()
    rows = {row["reference"]: row for group in data["groups"] for row in group["rows"]}
    assert rows["A-08"]["latest"] == {"date": "25 November 2026", "rag_label": "Red", "rag_colour": "red"}
    assert rows["A-08"]["latest_update"]["id"] == "update-a08-2026-11-25" and rows["A-03"]["latest"] is None


def test_the_register_and_its_spreadsheet_show_a_revised_due_dates_original(seeded, person_as):
    coordinator = person_as("coordinator")
    coordinator.post(FORM, data=form_data(coordinator, rag="amber", **{
        "revised_due_date-day": "30", "revised_due_date-month": "6", "revised_due_date-year": "2027",
        "revision_reason": "Later lists."}))
    text = page_text(coordinator.get("/actions"))
    assert "30 June 2027 (originally 31 March 2027)" in text[text.index("A-13 "):text.index("A-14 ")]
    sheet = load_workbook(io.BytesIO(coordinator.get("/actions.xlsx").data), read_only=True).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    a13 = dict(zip(header, next(row for row in rows if row[0] == "A-13"), strict=True))
    assert (a13["Due date"], a13["Original due date"]) == ("2027-06-30", "2027-03-31")
    assert (a13["Latest update"], a13["Reported RAG"]) == (TODAY.isoformat(), "amber")


@pytest.mark.parametrize("path", [FORM, f"/records/{ACTION}"])
def test_the_pages_give_their_context_as_json_without_forms_or_markup(seeded, person_as, path):
    data = person_as("coordinator").get(path + "?format=json").get_json()
    assert data and "csrf" not in str(data).lower() and "<" not in str(data)
    if path == FORM:
        assert [field["name"] for field in data["fields"]][:3] == ["summary", "date", "rag"]
        assert data["action"]["id"] == ACTION
    else:
        assert data["progress"]["updates"][0]["summary"] == "Most initiatives mapped"
