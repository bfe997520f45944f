"""The impact summary page and the trace pages on the demo: content in words, links down the chain and to
records, example marks, `?format=json`, 404 for a wrong id and field errors for a bad date."""

from __future__ import annotations

import re

JUDGED = "judged_on=2026-12-01"


def test_the_impact_page_is_a_table_per_area_linking_each_trace(seeded, person_as):
    page = person_as("viewer").get(f"/impact?{JUDGED}")
    assert page.status_code == 200
    html = page.text
    assert 'class="nhsuk-header__navigation-link" href="/impact"' in html
    assert re.findall(r'<h2 id="area-\d">([^<]+)</h2>', html)[:2] == ["Purpose of the CoP",
                                                                     "Safe Space and Psychological Safety"]
    assert html.count('<table class="nhsuk-table">') == 5
    assert 'href="/recommendations/rec-clarify-purpose/trace"' in html
    assert "17 recommendations: 14 with work, 12 with outcomes" in html  # counts in words
    assert "What the columns mean" in html and "Yes when an action that is not cancelled" in html
    row = re.search(r'data-id="rec-communicate-goals">(.*?)</tr>', html, re.S).group(1)
    assert row.count(">No</td>") == 5  # an unanswered recommendation: "No" in every column, in words


def test_the_recommendation_trace_reads_as_a_chain_with_its_breaks_linked(seeded, person_as):
    html = person_as("viewer").get(f"/recommendations/rec-formalise-joining/trace?{JUDGED}").text
    assert "<h1>13. Formalise the joining process</h1>" in html and "Where the chain breaks" in html
    link = re.search(r'<a href="#(break-\d+)">No outcome: Run a termly induction for new members</a>', html)
    assert link and f'id="{link.group(1)}"' in html  # the summary links down to the break beside the action
    assert "does not say which outcome it contributes to" in html
    assert "RAG: Green" in html and "Reported by the owner: No progress reported" in html
    assert 'href="/records/person-sam-whitlock"' in html and "Example data" in html


def test_indicators_link_to_their_pages_with_their_state_in_words(seeded, person_as):
    html = person_as("viewer").get(f"/recommendations/rec-resource-hub/trace?{JUDGED}").text
    assert 'href="/records/indicator-member-confidence"' in html
    assert "Not judged: no values yet" in html and "The chain breaks here: no data" in html
    assert 'href="/records/action-a09"' in html and 'href="/records/outcome-individual-confidence"' in html


def test_the_initiative_trace_shows_its_leads_and_outcomes(seeded, person_as):
    html = person_as("viewer").get(f"/initiatives/init-cop-programme-2026-27/trace?{JUDGED}").text
    assert "Led by" in html and 'href="/records/group-example-cop"' in html
    assert "Outcome:</span> <a href=\"/records/outcome-individual-confidence\"" in html


def test_the_trace_page_as_json_carries_the_trace(seeded, person_as):
    data = person_as("viewer").get(f"/recommendations/rec-communicate-goals/trace?{JUDGED}&format=json").get_json()
    assert data["trace"]["subject"]["id"] == "rec-communicate-goals"
    assert [(b["kind"], b["href"]) for b in data["trace"]["breaks"]] == [("recommendation-without-action", "#break-1")]
    summary = person_as("viewer").get(f"/impact?{JUDGED}&format=json").get_json()["summary"]
    assert summary["totals"]["count"] == 17 and summary["areas"][0]["anchor"] == "area-1"


def test_wrong_ids_and_bad_dates(seeded, person_as):
    viewer = person_as("viewer")
    assert viewer.get("/recommendations/init-cop-programme-2026-27/trace").status_code == 404
    assert viewer.get("/initiatives/nothing-here/trace").status_code == 404
    page = viewer.get("/impact?judged_on=tomorrow")
    assert page.status_code == 400 and "There is a problem" in page.text and 'href="#judged_on"' in page.text
    assert viewer.get("/recommendations/rec-resource-hub/trace?judged_on=2026-13-40").status_code == 400


def test_strangers_are_sent_to_sign_in(app):
    for path in ("/impact", "/recommendations/rec-1/trace"):
        answer = app.test_client().get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/sign-in")
