"""Finding what you need: `q` on every collection, the cross-type search, filters on any property
and sorting, over the API and the store port (SQLite and a live Neo4j)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from graphsvc.store.search import RANK, fold, search_fields, search_text
from graphsvc.store.sqlite import SqliteStore
from tests.stores import VOCABULARY, empty_store

# -- search over the API -----------------------------------------------------------------------------


def ids(answer) -> list[str]:
    assert answer.status_code == 200, answer.get_json()
    return [item["id"] for item in answer.get_json()["items"]]


def post(client, plural: str, **body):
    answer = client.post(f"/api/v1/{plural}", json=body)
    assert answer.status_code == 201, answer.get_json()


def test_q_finds_a_person_by_job_title(client):
    post(client, "people", id="ada", name="Ada Example", job_title="Lead Midwife", seniority="senior")
    post(client, "people", id="bo", name="Bo Sample", job_title="Finance Director")
    assert ids(client.get("/api/v1/people?q=midwife")) == ["ada"]
    assert ids(client.get("/api/v1/people?q=director")) == ["bo"]


def test_main_property_prefix_ranks_before_substring_before_other_fields(client):
    post(client, "initiatives", id="other-field", name="Anti-racism training", description="Run with community groups")
    post(client, "initiatives", id="substring", name="Voices of the community")
    post(client, "initiatives", id="prefix", name="Community voices")
    post(client, "initiatives", id="unrelated", name="Board development")
    # alphabetically the order would be other-field, prefix, substring: rank decides
    assert ids(client.get("/api/v1/initiatives?q=community")) == ["prefix", "substring", "other-field"]


def test_search_ignores_case_and_accents(client):
    post(client, "people", id="zoe", name="Zoë Ångström-Example", job_title="Équipe lead")
    for query in ("zoe", "ZOË", "angstrom", "EQUIPE", "zoe ångstrom"):
        assert ids(client.get(f"/api/v1/people?q={query}")) == ["zoe"], query


def test_every_word_must_match_anywhere_in_the_record(client):
    post(client, "initiatives", id="both", name="Maternity equity")
    post(client, "initiatives", id="spread", name="Maternity voices", description="Equity in birth outcomes")
    post(client, "initiatives", id="one-word", name="Maternity kitchen")
    # "both" holds every word in its name, "spread" only across its fields
    assert ids(client.get("/api/v1/initiatives?q=equity+maternity")) == ["both", "spread"]
    assert ids(client.get("/api/v1/initiatives?q=maternity+equity")) == ["both", "spread"]
    assert ids(client.get("/api/v1/initiatives?q=maternity+zebra")) == []


def test_q_still_matches_text_in_the_main_property_literally(client):
    post(client, "themes", id="pct", name="100% coverage")
    post(client, "themes", id="under", name="snake_case names")
    assert ids(client.get("/api/v1/themes?q=%25")) == ["pct"]
    assert ids(client.get("/api/v1/themes?q=_")) == ["under"]


def test_cross_type_search_ranks_labels_snippets_and_filters_types(client):
    post(client, "themes", id="theme", name="Maternity and neonatal outcomes")
    post(client, "actions", id="action", title="Publish the plan", description="A maternity equity plan for 2026")
    post(client, "initiatives", id="initiative", name="Better maternity care")
    post(client, "places", id="place", name="North ward")
    answer = client.get("/api/v1/search?q=maternity").get_json()
    assert [item["id"] for item in answer["items"]] == ["theme", "initiative", "action"] and answer["total"] == 3
    theme, initiative, action = answer["items"]
    assert (theme["type"], theme["label"], theme["name"]) == ("Theme", "Maternity and neonatal outcomes",
                                                              "Maternity and neonatal outcomes")
    assert action["label"] == "Publish the plan" and "maternity equity plan" in action["snippet"]
    assert "snippet" not in initiative
    assert ids(client.get("/api/v1/search?q=maternity&types=Action,Initiative")) == ["initiative", "action"]
    assert ids(client.get("/api/v1/search?q=maternity&limit=1&offset=1")) == ["initiative"]


@pytest.mark.parametrize("query", ["", "q=", "q=%20%20", "q=x&types=Nope", "q=x&limit=0", "q=x&colour=red"])
def test_bad_search_queries_are_422(client, query):
    answer = client.get(f"/api/v1/search?{query}")
    assert answer.status_code == 422 and answer.get_json()["errors"]


def test_search_redacts_contact_details_as_the_collections_do(client, client_as):
    post(client, "people", id="ada", name="Ada Example", email="ada@example.org")
    viewer = client_as("viewer").get("/api/v1/search?q=ada").get_json()["items"]
    assert [item["id"] for item in viewer] == ["ada"] and "email" not in viewer[0]
    coordinator = client_as("coordinator").get("/api/v1/search?q=ada").get_json()["items"]
    assert coordinator[0]["email"] == "ada@example.org"
    # an e-mail address is not searched, so a search cannot reveal it either
    assert ids(client_as("viewer").get("/api/v1/search?q=example.org")) == []


def test_search_text_never_appears_in_answers(client, service):
    post(client, "people", id="ada", name="Ada Example", job_title="Lead Midwife")
    answers = [client.get(path).get_data(as_text=True) for path in (
        "/api/v1/people?q=ada", "/api/v1/people/ada", "/api/v1/nodes/ada", "/api/v1/search?q=midwife",
        "/api/v1/history?subject=ada")]
    assert all("Ada Example" in text for text in answers)
    assert not any("search_text" in text or "lead midwife" in text for text in answers)
    assert "search_text" not in service.graph().nodes["ada"]


# -- filters and sorting over the API ----------------------------------------------------------------

ACTION_DUES = {"a-jan": "2026-01-15", "a-feb": "2026-02-10", "a-mar": "2026-03-31", "a-apr": "2026-04-01",
               "a-none": None}


@pytest.fixture
def actions(client):
    for action_id, due in ACTION_DUES.items():
        post(client, "actions", id=action_id, title=f"Action {action_id}", **({"due_date": due} if due else {}))


def test_actions_due_in_a_date_range_inclusive(client, actions):
    quarter = "/api/v1/actions?due_date_from=2026-01-01&due_date_to=2026-03-31&sort=due_date"
    assert ids(client.get(quarter)) == ["a-jan", "a-feb", "a-mar"]
    assert ids(client.get("/api/v1/actions?due_date_from=2026-03-31")) == ["a-apr", "a-mar"]  # by title
    # a month as the end of a range takes in the whole month
    assert ids(client.get("/api/v1/actions?due_date_from=2026-02&due_date_to=2026-03")) == ["a-feb", "a-mar"]


def test_sort_by_due_date_puts_missing_dates_last_either_way(client, actions):
    assert ids(client.get("/api/v1/actions?sort=due_date")) == ["a-jan", "a-feb", "a-mar", "a-apr", "a-none"]
    assert ids(client.get("/api/v1/actions?sort=-due_date")) == ["a-apr", "a-mar", "a-feb", "a-jan", "a-none"]
    assert ids(client.get("/api/v1/actions?sort=-due_date&limit=2&offset=3")) == ["a-jan", "a-none"]


def test_recommendations_come_in_report_order_unless_sorted_otherwise(client):
    for rec_id, number, title in [("r3", 3, "Agree a governance model"), ("r1", 1, "Publish the programme"),
                                  ("r-none", None, "Appoint a champion"), ("r2", 2, "Map existing initiatives")]:
        post(client, "recommendations", id=rec_id, title=title, **({"number": number} if number else {}))
    assert ids(client.get("/api/v1/recommendations")) == ["r1", "r2", "r3", "r-none"]
    assert ids(client.get("/api/v1/recommendations?sort=number")) == ["r1", "r2", "r3", "r-none"]
    assert ids(client.get("/api/v1/recommendations?sort=-number")) == ["r3", "r2", "r1", "r-none"]
    assert ids(client.get("/api/v1/recommendations?sort=title")) == ["r3", "r-none", "r2", "r1"]
    assert ids(client.get("/api/v1/recommendations?sort=-title")) == ["r1", "r2", "r-none", "r3"]
    assert ids(client.get("/api/v1/recommendations?number_from=2&number_to=3")) == ["r2", "r3"]
    # with q, best match first; ties keep report order
    assert ids(client.get("/api/v1/recommendations?q=p")) == ["r1", "r2", "r-none"]


def test_exact_filters_on_any_property(client):
    post(client, "people", id="board", name="Ada Example", seniority="board", example=True)
    post(client, "people", id="manager", name="Bo Sample", seniority="manager", job_title="Ward manager")
    assert ids(client.get("/api/v1/people?seniority=board")) == ["board"]
    assert ids(client.get("/api/v1/people?example=true")) == ["board"]
    assert ids(client.get("/api/v1/people?job_title=Ward%20manager")) == ["manager"]
    assert ids(client.get("/api/v1/people?job_title=ward")) == []  # exact, not contains


def test_partial_dates_filter_and_sort_as_text(client):
    for source_id, published in [("s-2025", "2025"), ("s-2025-03", "2025-03"), ("s-2024", "2024-11-02")]:
        post(client, "sources", id=source_id, title=f"Report {source_id}", published=published)
    assert ids(client.get("/api/v1/sources?published_from=2025")) == ["s-2025", "s-2025-03"]
    assert ids(client.get("/api/v1/sources?published_to=2024")) == ["s-2024"]
    assert ids(client.get("/api/v1/sources?sort=-published")) == ["s-2025-03", "s-2025", "s-2024"]


@pytest.mark.parametrize("query, field, allowed", [
    ("colour=red", "colour", "due_date_from"),
    ("sort=colour", "sort", "due_date"),
    ("sort=description", "sort", "created_at"),  # long text is searched, not sorted
    ("due_date=2026-01-01", "due_date", "due_date_to"),  # dates filter by range
    ("due_date_from=soon", "due_date_from", "YYYY"),
])
def test_unknown_filters_and_sort_fields_are_422_listing_what_is_allowed(client, query, field, allowed):
    answer = client.get(f"/api/v1/actions?{query}")
    assert answer.status_code == 422
    errors = answer.get_json()["errors"]
    assert allowed in " ".join(errors[field])


def test_filtering_or_sorting_on_email_needs_a_coordinator(client, client_as):
    post(client, "people", id="ada", name="Ada Example", email="ada@example.org")
    for query in ("email=ada@example.org", "sort=email", "sort=-email"):
        refused = client_as("viewer").get(f"/api/v1/people?{query}")
        assert refused.status_code == 403 and refused.get_json()["code"] == 403
    assert ids(client_as("coordinator").get("/api/v1/people?email=ada@example.org")) == ["ada"]
    assert ids(client_as("viewer").get("/api/v1/people?seniority=board")) == []


# -- the store port, run over every engine -----------------------------------------------------------


@pytest.fixture(params=["sqlite", "neo4j"])
def store(request, tmp_path):
    store = empty_store(request.param, tmp_path, request)
    with store.transaction("test") as tx:
        tx.create_node("Person", "zoe", {"name": "Zoë Example", "job_title": "Lead Midwife", "email": "z@example.org"})
        tx.create_node("Person", "bo", {"name": "Bo Sample", "job_title": "Midwifery manager"})
        tx.create_node("Action", "due-late", {"title": "Zoe's plan", "due_date": "2026-06-01"})
        tx.create_node("Action", "due-soon", {"title": "Midwife rota", "due_date": "2026-02-01"})
        tx.create_node("Action", "undated", {"title": "Later work", "description": "for the midwife team"})
    yield store
    store.close()


def found(page) -> list[str]:
    return [node.id for node in page[0]]


def test_store_finds_by_words_ranked_case_and_accent_blind(store):
    assert found(store.find_nodes("Person", text="MIDWIF")) == ["bo", "zoe"]  # rank ties: by name
    assert found(store.find_nodes("Person", text="midwife zoe")) == ["zoe"]
    assert found(store.find_nodes("Action", text="midwife")) == ["due-soon", "undated"]
    assert found(store.find_nodes("Person", text="example.org")) == []  # e-mail is not searched
    assert store.find_nodes("Person", text="zoë", limit=1) == (store.find_nodes("Person", text="ZOE")[0], 1)


def test_store_filters_ranges_and_sorts_with_missing_values_last(store):
    assert found(store.find_nodes("Action", ranges={"due_date": ("2026-01-01", "2026-03-31")})) == ["due-soon"]
    assert found(store.find_nodes("Action", ranges={"due_date": (None, "2026-06")})) == ["due-soon", "due-late"]
    assert found(store.find_nodes("Action", sort=["due_date"])) == ["due-soon", "due-late", "undated"]
    assert found(store.find_nodes("Action", sort="-due_date")) == ["due-late", "due-soon", "undated"]
    assert found(store.find_nodes("Action", sort=["-title"])) == ["due-late", "due-soon", "undated"]
    assert found(store.find_nodes("Person", equals={"job_title": "Lead Midwife"})) == ["zoe"]
    assert found(store.find_nodes("Action", text="midwife", sort=[RANK, "-due_date"])) == ["due-soon", "undated"]
    assert found(store.find_nodes("Action", sort=["created_at"], limit=2)) == ["due-late", "due-soon"]


def test_store_searches_across_types(store):
    # a title starting with the word first, then the rest by label, whatever their type
    items, total = store.search("midwife")
    assert [n.id for n in items] == ["due-soon", "bo", "undated", "zoe"] and total == 4
    assert found(store.search("zoe")) == ["due-late", "zoe"]  # both start with it: by label
    assert found(store.search("midwife", types=["Action"])) == ["due-soon", "undated"]
    assert found(store.search("midwife", types=["Action"], limit=1, offset=1)) == ["undated"]
    assert store.search("nothing-like-this") == ([], 0)


# -- the stored search text ----------------------------------------------------------------------------


def test_search_text_is_folded_main_property_first():
    fields = search_fields(VOCABULARY)
    assert fields["Person"] == ("name", "job_title")  # not the e-mail, which is sensitive
    assert "url" not in fields["Resource"] and fields["Finding"][0] == "statement"
    assert search_text({"name": "Zoë  Example", "job_title": "LEAD\nMidwife"}, fields["Person"]) == \
        "zoe example\nlead midwife"
    assert search_text({"name": "Ada"}, fields["Person"]) == "ada\n"
    assert fold("Straße") == "strasse"


def test_sqlite_adds_and_fills_search_text_in_an_older_store(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:  # the nodes table as stores were made before search_text
        conn.execute("CREATE TABLE nodes (id TEXT PRIMARY KEY, type TEXT NOT NULL, label TEXT NOT NULL DEFAULT '', "
                     "props TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
                     "version INTEGER NOT NULL DEFAULT 1)")
        conn.execute("INSERT INTO nodes VALUES ('ada', 'Person', 'Ada Example', ?, 't', 't', 1)",
                     (json.dumps({"name": "Ada Example", "job_title": "Lead Midwife"}),))
    main = {name: t.main_property for name, t in VOCABULARY.node_types.items()}
    store = SqliteStore(path, main, search_fields=search_fields(VOCABULARY))
    assert found(store.find_nodes("Person", text="midwife")) == ["ada"]
    store.close()
    names_only = SqliteStore(path, main)  # fewer fields searched: the stored text is refilled to match
    assert found(names_only.find_nodes("Person", text="midwife")) == []
    assert found(names_only.find_nodes("Person", text="ada")) == ["ada"]
    names_only.close()


def test_neo4j_search_sends_folded_words_as_parameters_only():
    from graphsvc.store.neo4j import Neo4jStore
    from tests.test_neo4j_store import NAME_OF, RecordingDriver

    driver = RecordingDriver()
    store = Neo4jStore("bolt://example:7687", "neo4j", "pw", VOCABULARY, "graph", driver=driver)
    store.search("Zoë  MIDWIFE", types=["Person"], limit=5)
    store.find_nodes("Action", text="Zoë", ranges={"due_date": ("2026-01", "2026-03")}, sort="-due_date")
    assert [NAME_OF[text] for text, _ in driver.sent] == ["COUNT_SEARCH", "PAGE_SEARCH", "count_nodes:Action",
                                                          "page_nodes:Action"]
    search_args, page_args = driver.sent[1][1], driver.sent[3][1]
    assert (search_args["words"], search_args["phrase"], search_args["types"]) == (["zoe", "midwife"],
                                                                                  "zoe midwife", ["Person"])
    assert page_args["low"] == {"due_date": "2026-01"} and page_args["high"]["due_date"].startswith("2026-03")
    assert (page_args["sort_field"], page_args["descending"], page_args["ranked"]) == ("p_due_date", True, False)
    assert not any("zoe" in text.lower() for text, _ in driver.sent)
