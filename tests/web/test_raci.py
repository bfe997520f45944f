"""Responsible, consulted and informed on an action's page (issue 11, governance journey)."""

from __future__ import annotations

import re

import pytest

from graphsvc.accountability import parties
from tests.web.conftest import csrf_token
from tests.web.pickers import assert_marked_for_search_as_you_type

ACTION = "action-a02"
PAGE = f"/actions/{ACTION}/raci"


def page_text(answer) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.text))


def section(answer, role: str) -> str:
    """The words under one role's heading, up to the next heading."""
    heading = f"{role.capitalize()} {role.capitalize()} for this action"
    return page_text(answer).split(heading)[1].split(" Consulted ")[0]


def ids(service, role: str) -> set[str]:
    return {party["id"] for party in parties(service, ACTION)[role]}


@pytest.mark.parametrize("role, status", [("viewer", 403), ("coordinator", 403), ("governance", 200), ("admin", 200)])
def test_only_governance_may_open_or_post_the_raci_page(seeded, person_as, service, role, status):
    browser = person_as(role)
    assert browser.get(PAGE).status_code == status
    if status == 403:
        token = csrf_token(browser, "/")
        answer = browser.post(PAGE, data={"csrf_token": token, "operation": "remove", "role": "responsible",
                                          "party": "person-sam-whitlock"})
        assert answer.status_code == 403
        assert "person-sam-whitlock" in ids(service, "responsible")


def test_the_page_lists_each_role_with_a_remove_button(seeded, person_as):
    answer = person_as("governance").get(PAGE)
    text = page_text(answer)
    assert "<title>Responsible, consulted and informed" in answer.text
    assert "Sam Whitlock" in text and "Comfort Asante-Reid" in text
    responsible = section(answer, "responsible")
    assert "Sam Whitlock" in responsible and "Remove Sam Whitlock as responsible" in responsible
    assert answer.text.count('name="operation" value="remove"') == 3
    assert "Example data" in text


def test_the_search_lists_people_groups_and_organisations_as_radio_choices(seeded, person_as):
    browser = person_as("governance")
    answer = browser.get(PAGE + "?q=victor")
    assert answer.status_code == 200
    assert 'name="party" type="radio" value="person-victor-ambrose"' in answer.text or re.search(
        r'name="party"[^>]*value="person-victor-ambrose"', answer.text)
    assert re.search(r'name="role"[^>]*value="consulted"', answer.text)
    assert "No person, group or organisation matches" in browser.get(PAGE + "?q=zebra+quartz").text
    assert browser.get(PAGE + "?q=" + "x" * 201).status_code == 200  # the error shows; nothing breaks
    assert "characters or fewer" in browser.get(PAGE + "?q=" + "x" * 201).text


def test_the_search_is_marked_for_search_as_you_type(seeded, person_as):
    """picker.js takes `#party-results` from the page the search form loads (the same address)."""
    assert_marked_for_search_as_you_type(person_as("governance").get(PAGE + "?q=victor").text, PAGE + "#add",
                                         "party-results", "party")


def test_governance_adds_a_party_and_the_history_records_it(seeded, person_as, service):
    browser = person_as("governance")
    answer = browser.post(PAGE, data={"csrf_token": csrf_token(browser, PAGE), "operation": "add",
                                      "role": "informed", "party": "person-victor-ambrose", "q": "victor"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(PAGE)
    assert "person-victor-ambrose" in ids(service, "informed")
    shown = browser.get(PAGE)
    assert "Victor Ambrose is now informed for this action." in page_text(shown)
    assert "Victor Ambrose" in section(shown, "informed")
    # Adding again is harmless and says so.
    again = browser.post(PAGE, data={"csrf_token": csrf_token(browser, PAGE), "operation": "add",
                                     "role": "informed", "party": "person-victor-ambrose"})
    assert again.status_code == 302
    assert "already informed" in page_text(browser.get(PAGE))
    history = page_text(browser.get(f"/records/{ACTION}"))
    assert "governance-token" in history


def test_governance_removes_a_party(seeded, person_as, service):
    browser = person_as("governance")
    answer = browser.post(PAGE, data={"csrf_token": csrf_token(browser, PAGE), "operation": "remove",
                                      "role": "consulted", "party": "person-comfort-asante-reid"})
    assert answer.status_code == 302
    assert ids(service, "consulted") == set()
    assert "Comfort Asante-Reid is no longer consulted" in page_text(browser.get(PAGE))


def test_changes_without_the_csrf_token_are_refused(seeded, person_as, service):
    browser = person_as("governance")
    answer = browser.post(PAGE, data={"operation": "remove", "role": "responsible", "party": "person-sam-whitlock"})
    assert answer.status_code == 400
    answer = browser.post(PAGE, data={"operation": "add", "role": "informed", "party": "person-victor-ambrose"})
    assert answer.status_code == 400
    assert "person-sam-whitlock" in ids(service, "responsible")
    assert "person-victor-ambrose" not in ids(service, "informed")


def test_errors_are_shown_in_the_summary_and_beside_the_fields(seeded, person_as, service):
    browser = person_as("governance")
    token = csrf_token(browser, PAGE)
    missing = browser.post(PAGE, data={"csrf_token": token, "operation": "add", "party": "person-victor-ambrose",
                                       "q": "victor"})
    assert missing.status_code == 400
    assert "There is a problem" in missing.text and "Choose responsible, consulted or informed." in missing.text
    nobody = browser.post(PAGE, data={"csrf_token": token, "operation": "add", "role": "informed"})
    assert nobody.status_code == 400 and "Choose a person, group or organisation." in nobody.text
    wrong_type = browser.post(PAGE, data={"csrf_token": token, "operation": "add", "role": "informed",
                                          "party": "rec-impact-framework"})
    assert wrong_type.status_code == 400 and "There is a problem" in wrong_type.text
    assert "rec-impact-framework" not in ids(service, "informed")
    not_there = browser.post(PAGE, data={"csrf_token": token, "operation": "remove", "role": "informed",
                                         "party": "person-victor-ambrose"})
    assert not_there.status_code == 400 and "is not recorded as informed" in not_there.text
    assert browser.get("/actions/no-such-action/raci").status_code == 404
    assert browser.get("/actions/person-victor-ambrose/raci").status_code == 404


def test_an_action_page_links_governance_to_the_raci_page(seeded, person_as):
    assert f'href="{PAGE}"' in person_as("governance").get(f"/records/{ACTION}").text
    assert PAGE not in person_as("coordinator").get(f"/records/{ACTION}").text
