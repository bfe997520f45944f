"""The connections pages: paths between two records, a record's neighbourhood, contacts, brokers and communities."""

from __future__ import annotations

import html
import json
import re

import pytest

import graphsvc.queries.connections
from graphsvc.auth import ROLES
from graphsvc.errors import TooExpensive
from graphsvc.queries.memo import StillComputing

FROM, TO = "person-victor-ambrose", "person-nadia-farrow"
THEME = "theme-workforce-race-equality"
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>")
ISLAND = re.compile(r'<script type="application/json" id="([a-z-]+)-data">(.*?)</script>', re.S)


def page_text(answer) -> str:
    return words_of(answer.text)


def words_of(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)))


def island(answer) -> dict:
    found = ISLAND.search(answer.text)
    assert found, "the page carries its graph as a JSON island"
    return json.loads(html.unescape(found.group(2)))


def assert_no_inline_code(answer) -> None:
    """Every script either loads a file or is a JSON island (data, which the CSP does not run)."""
    for attributes in SCRIPT_TAG.findall(answer.text):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert "<style" not in answer.text and " style=" not in answer.text


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reaches_the_connections_pages_from_the_header(seeded, person_as, role):
    browser = person_as(role)
    home = browser.get("/")
    assert 'href="/connections"' in home.text and ">Connections<" in home.text
    for path in ("/connections", "/connections/contacts", "/connections/brokers", "/connections/communities",
                 f"/records/{FROM}/graph"):
        answer = browser.get(path)
        assert answer.status_code == 200, path
        assert len(re.findall(r"<h1[ >]", answer.text)) == 1
        assert_no_inline_code(answer)


def test_strangers_are_sent_to_sign_in(seeded, anonymous):
    for path in ("/connections", f"/records/{FROM}/graph", f"/records/{FROM}/graph.json", "/connections/brokers"):
        answer = anonymous.get(path)
        assert answer.status_code == 302 and answer.location.startswith("/sign-in?next=")


def test_typing_a_name_offers_the_matching_records_as_choices(seeded, person_as):
    answer = person_as("viewer").get("/connections?from_q=Victor+Ambrose&to_q=Nadia")
    assert answer.status_code == 200
    assert re.search(rf'name="from" type="radio" value="{FROM}"', answer.text)
    assert re.search(rf'name="to" type="radio" value="{TO}"', answer.text)
    assert "shortest path" not in answer.text  # nothing asked yet: both ends still to choose

    nothing = person_as("viewer").get("/connections?from_q=Zzyzxqq")
    assert "No records match “Zzyzxqq”" in page_text(nothing)


def test_a_chosen_end_is_kept_while_the_other_is_chosen(seeded, person_as):
    answer = person_as("viewer").get(f"/connections?from={FROM}&to_q=Nadia")
    assert f'<input type="hidden" name="from" value="{FROM}">' in answer.text
    assert 'href="/connections?to=' not in answer.text  # no `to` chosen yet to keep when changing `from`
    assert re.search(rf'name="to" type="radio" value="{TO}"', answer.text)


def test_the_paths_page_lists_the_paths_the_api_gives_in_order_and_draws_them(seeded, person_as, client_as):
    api = client_as("viewer").get(f"/api/v1/paths?from={FROM}&to={TO}").get_json()
    assert api["paths"], "the demo connects these two people"
    answer = person_as("viewer").get(f"/connections?from={FROM}&to={TO}")
    assert answer.status_code == 200
    text = page_text(answer)
    assert "How Victor Ambrose connects to Nadia Farrow" in text

    listed = re.findall(r'<ol class="app-path">(.*?)</ol>', answer.text, re.S)
    assert len(listed) == len(api["paths"])
    for shown, path in zip(listed, api["paths"], strict=True):
        assert re.findall(r'href="/records/([^"]+)"', shown) == [node["id"] for node in path["nodes"]]
        words = words_of(shown)
        for rel in path["relationships"]:
            assert rel["type"].replace("_", " ").lower() in words
        for node in path["nodes"]:
            assert node["name"] in words
    assert "→" in answer.text

    drawn = island(answer)
    assert {node["id"] for node in drawn["nodes"]} == {n["id"] for p in api["paths"] for n in p["nodes"]}
    assert {edge["id"] for edge in drawn["edges"]} == {r["id"] for p in api["paths"] for r in p["relationships"]}
    assert "vendor/cytoscape/cytoscape.min.js" in answer.text and "connections.js" in answer.text
    assert_no_inline_code(answer)


def test_an_end_that_no_longer_exists_asks_to_choose_again(seeded, person_as):
    answer = person_as("viewer").get(f"/connections?from=person-nobody&to={TO}")
    assert answer.status_code == 200
    assert "That record no longer exists" in page_text(answer)
    assert "shortest path" not in answer.text


def test_the_graph_json_is_the_tables_content(seeded, person_as):
    browser = person_as("viewer")
    page = browser.get(f"/records/{FROM}/graph?depth=2")
    data = browser.get(f"/records/{FROM}/graph.json?depth=2").get_json()
    assert data["center"]["id"] == FROM and data["depth"] == 2

    record_rows = re.search(r'<h2 id="records">.*?<tbody[^>]*>(.*?)</tbody>', page.text, re.S).group(1)
    assert re.findall(r'<td class="nhsuk-table__cell"><a href="/records/([^"/]+)">', record_rows) == \
        [node["id"] for node in data["nodes"]]
    rel_rows = re.search(r'<h2 id="relationships">.*?<tbody[^>]*>(.*?)</tbody>', page.text, re.S).group(1)
    rows = re.findall(r"<tr.*?</tr>", rel_rows, re.S)
    shown = [tuple(re.findall(r'<a href="/records/([^"]+)">', row)) for row in rows]
    assert shown == [(rel["from"], rel["to"]) for rel in data["relationships"]]
    drawn = island(page)
    assert drawn == data["graph"]
    assert [node["id"] for node in drawn["nodes"]] == [node["id"] for node in data["nodes"]]
    assert_no_inline_code(page)


def test_the_graph_explorer_filters_by_relationship_and_record_type(seeded, person_as):
    browser = person_as("viewer")
    everything = browser.get(f"/records/{FROM}/graph.json?depth=2").get_json()
    narrowed = browser.get(f"/records/{FROM}/graph.json?depth=2&types=MEMBER_OF&node_types=Group").get_json()
    assert {rel["type"] for rel in narrowed["relationships"]} == {"MEMBER_OF"}
    assert {node["type"] for node in narrowed["nodes"]} <= {"Person", "Group"}
    assert {node["type"] for node in narrowed["nodes"] if node["id"] != FROM} == {"Group"}
    assert len(narrowed["nodes"]) < len(everything["nodes"])
    page = browser.get(f"/records/{FROM}/graph?depth=2&types=MEMBER_OF&node_types=Group")
    assert 'id="types-MEMBER_OF" name="types" type="checkbox" value="MEMBER_OF" checked' in page.text
    assert 'value="2" selected' in page.text
    # Out-of-range depth and unknown types fall back to the defaults rather than failing.
    odd = browser.get(f"/records/{FROM}/graph.json?depth=9&types=NOT_A_TYPE").get_json()
    assert odd["depth"] == 1 and odd["nodes"] == browser.get(f"/records/{FROM}/graph.json").get_json()["nodes"]


def test_the_graph_of_a_missing_record_is_not_found(seeded, person_as):
    answer = person_as("viewer").get("/records/person-nobody/graph")
    assert answer.status_code == 404 and "Page not found" in answer.text


def test_contacts_for_a_chosen_person_and_theme_match_the_api(seeded, person_as, client_as):
    api = client_as("viewer").get(f"/api/v1/people/{FROM}/contacts?theme={THEME}").get_json()
    answer = person_as("viewer").get(f"/connections/contacts?theme={THEME}&person={FROM}")
    assert answer.status_code == 200
    assert f'<option value="{THEME}" selected>' in answer.text
    headings = re.findall(r'<h3 class="nhsuk-card__heading nhsuk-heading-s"><a href="/records/([^"]+)"', answer.text)
    assert headings == [item["person"]["id"] for item in api["contacts"]]
    assert api["contacts"], "someone near Victor Ambrose works on workforce race equality in the demo"


def test_contacts_ask_for_a_person_when_the_signed_in_one_is_not_a_record(seeded, person_as):
    answer = person_as("viewer").get(f"/connections/contacts?theme={THEME}")
    assert 'name="person_q"' in answer.text  # "viewer-token" is no Person: choose one by name
    chosen = person_as("viewer").get(f"/connections/contacts?theme={THEME}&person_q=Victor")
    assert re.search(rf'name="person" type="radio" value="{FROM}"', chosen.text)
    not_a_person = person_as("viewer").get(f"/connections/contacts?theme={THEME}&person={THEME}")
    assert "Choose a person" in page_text(not_a_person)


def test_brokers_and_communities_render_on_the_demo_in_plain_words(seeded, person_as, client_as):
    api = client_as("viewer").get("/api/v1/brokers").get_json()
    brokers = person_as("viewer").get("/connections/brokers")
    assert brokers.status_code == 200
    assert "sit on the shortest routes between others" in page_text(brokers)
    first = api["brokers"][0]
    assert f'href="/records/{first["id"]}"' in brokers.text

    communities = person_as("viewer").get("/connections/communities")
    api = client_as("viewer").get("/api/v1/communities").get_json()
    assert communities.status_code == 200
    text = page_text(communities)
    assert "more closely linked to each other than to the rest" in text
    for community in api["communities"]:
        assert community["label"] in text


def test_communities_still_being_computed_show_a_refresh_link(seeded, person_as, monkeypatch):
    def busy(*args, **kwargs):
        raise StillComputing("communities")
    monkeypatch.setattr(graphsvc.queries.connections, "communities", busy)
    monkeypatch.setattr(graphsvc.queries.connections, "brokers", busy)
    for path, words in (("/connections/communities", "being computed"), ("/connections/brokers", "being worked out")):
        answer = person_as("viewer").get(path)
        assert answer.status_code == 200
        assert words in page_text(answer)
        assert f'<a href="{path}">Refresh this page</a>' in answer.text


# -- the explorer's limit, and large neighbourhoods --------------------------------------------------

def limit_choices(answer) -> list[int]:
    select = re.search(r'<select[^>]*name="limit"[^>]*>(.*?)</select>', answer.text, re.S)
    assert select, "the explorer's form offers a limit"
    return [int(value) for value in re.findall(r'<option value="(\d+)"', select.group(1))]


def table_rows(answer, heading: str) -> str:
    return re.search(rf'<h2 id="{heading}">.*?<tbody[^>]*>(.*?)</tbody>', answer.text, re.S).group(1)


def test_the_explorer_offers_the_limits_the_api_allows(seeded, person_as, client_as):
    page = person_as("viewer").get(f"/records/{FROM}/graph")
    offered = limit_choices(page)
    assert offered == sorted(offered) and 500 in offered and max(offered) == 2000
    assert 'value="500" selected' in page.text  # the API's default
    api = client_as("viewer")
    assert api.get(f"/api/v1/nodes/{FROM}/neighbourhood?limit={max(offered)}").status_code == 200
    assert api.get(f"/api/v1/nodes/{FROM}/neighbourhood?limit={max(offered) + 1}").status_code == 422
    chosen = person_as("viewer").get(f"/records/{FROM}/graph?limit=2000")
    assert 'value="2000" selected' in chosen.text
    for odd in ("5000", "abc", "0"):  # an edited address falls back to the default rather than failing
        assert person_as("viewer").get(f"/records/{FROM}/graph.json?limit={odd}").get_json()["limit"] == 500


def test_the_explorer_says_when_the_neighbourhood_was_cut_at_the_limit(seeded, person_as):
    browser = person_as("viewer")
    data = browser.get(f"/records/{FROM}/graph.json?depth=3&limit=100").get_json()
    assert data["truncated"] and len(data["nodes"]) == 100  # 150 records are within 3 steps in the demo
    page = browser.get(f"/records/{FROM}/graph?depth=3&limit=100")
    text = page_text(page)
    assert "The neighbourhood was cut at the limit" in text and "only the 100 nearest are shown" in text
    assert "Choose a higher limit" in text
    assert "Records (100, cut at the limit)" in text
    whole = browser.get(f"/records/{FROM}/graph?depth=3&limit=2000")
    assert not browser.get(f"/records/{FROM}/graph.json?depth=3&limit=2000").get_json()["truncated"]
    assert "cut at the limit" not in page_text(whole)


def next_page(answer, table: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)">Next page<span class="nhsuk-u-visually-hidden"> of {table}', answer.text)
    return html.unescape(found.group(1)) if found else None


def test_long_tables_come_a_page_at_a_time_and_every_row_can_be_reached(seeded, person_as):
    browser = person_as("viewer")
    path = f"/records/{FROM}/graph?depth=3&limit=2000"
    data = browser.get(path.replace("/graph?", "/graph.json?")).get_json()
    assert (len(data["nodes"]), len(data["relationships"])) == (179, 526)  # the demo, 3 steps from Victor
    page = browser.get(path)
    assert "Showing relationships 1 to 200 of 526 (page 1 of 3)." in page_text(page)
    assert 'aria-label="Pages of the records table"' not in page.text  # 179 records: one page
    shown, pages = [], 0
    while path:
        page = browser.get(path)
        assert island(page) == data["graph"]  # every page draws the whole neighbourhood
        assert re.findall(r'<td class="nhsuk-table__cell"><a href="/records/([^"/]+)">',
                          table_rows(page, "records")) == [node["id"] for node in data["nodes"]]
        rows = re.findall(r"<tr.*?</tr>", table_rows(page, "relationships"), re.S)
        shown += [tuple(re.findall(r'<a href="/records/([^"]+)">', row)) for row in rows]
        path, pages = next_page(page, "relationships"), pages + 1
        assert path is None or ("depth=3" in path and "limit=2000" in path and path.endswith("#relationships"))
    assert pages == 3 and shown == [(rel["from"], rel["to"]) for rel in data["relationships"]]
    last = browser.get(f"/records/{FROM}/graph?depth=3&limit=2000&relationships_page=99")
    assert "Showing relationships 401 to 526 of 526 (page 3 of 3)." in page_text(last)
    assert "Previous page" in last.text and next_page(last, "relationships") is None
    odd = browser.get(f"/records/{FROM}/graph?depth=3&limit=2000&relationships_page=abc")
    assert "(page 1 of 3)" in page_text(odd)


def test_a_neighbourhood_too_costly_to_read_asks_to_narrow_it(seeded, person_as, monkeypatch):
    read = graphsvc.queries.connections.neighbourhood

    def costly(service, node_id, depth=1, types=None, limit=500, **kwargs):
        if limit > 1:
            raise TooExpensive("This neighbourhood would scan too many relationships; narrow it.")
        return read(service, node_id, depth, types, limit, **kwargs)
    monkeypatch.setattr(graphsvc.queries.connections, "neighbourhood", costly)
    browser = person_as("viewer")
    page = browser.get(f"/records/{FROM}/graph?depth=3")
    assert page.status_code == 200
    assert "would scan too many relationships" in page_text(page)
    assert 'name="limit"' in page.text  # the form is there, to narrow the question
    data = browser.get(f"/records/{FROM}/graph.json?depth=3").get_json()
    assert data["error"] and [node["id"] for node in data["nodes"]] == [FROM] and data["relationships"] == []


# -- ?format=json: each connections page's context, the very data it shows ---------------------------

def as_json(browser, path: str, status: int = 200):
    answer = browser.get(path + ("&" if "?" in path else "?") + "format=json")
    assert answer.status_code == status, path
    assert answer.content_type == "application/json"
    return answer.get_json()


def test_the_paths_page_as_json_carries_the_paths_it_lists(seeded, person_as):
    browser = person_as("viewer")
    page = browser.get(f"/connections?from={FROM}&to={TO}")
    data = as_json(browser, f"/connections?from={FROM}&to={TO}")
    assert data["page_title"] == "How Victor Ambrose connects to Nadia Farrow"
    assert [end["chosen"]["id"] for end in data["ends"]] == [FROM, TO]
    listed = re.findall(r'<ol class="app-path">(.*?)</ol>', page.text, re.S)
    assert [re.findall(r'href="/records/([^"]+)"', shown) for shown in listed] == \
        [[node["id"] for node in path["nodes"]] for path in data["answer"]["paths"]]
    assert data["graph"] == island(page)
    choosing = as_json(browser, "/connections?from_q=Victor+Ambrose")
    assert FROM in [choice["id"] for choice in choosing["ends"][0]["choices"]] and choosing["answer"] is None


def test_the_explorer_as_json_is_its_tables_content(seeded, person_as):
    browser = person_as("viewer")
    path = f"/records/{FROM}/graph?depth=2&types=MEMBER_OF"
    page, data = browser.get(path), as_json(browser, path)
    assert data == browser.get(f"/records/{FROM}/graph.json?depth=2&types=MEMBER_OF").get_json()
    assert re.findall(r'<td class="nhsuk-table__cell"><a href="/records/([^"/]+)">', table_rows(page, "records")) == \
        [node["id"] for node in data["nodes"]]
    assert {rel["type"] for rel in data["relationships"]} == {"MEMBER_OF"}
    assert data["graph"] == island(page)
    assert [choice["value"] for choice in data["rel_type_choices"] if choice["checked"]] == ["MEMBER_OF"]
    assert (data["depth"], data["limit"], data["truncated"]) == (2, 500, False)
    missing = browser.get("/records/person-nobody/graph?format=json")
    assert missing.status_code == 404  # the status the page answers with


def test_the_contacts_page_as_json_carries_the_people_it_shows(seeded, person_as):
    browser = person_as("viewer")
    path = f"/connections/contacts?theme={THEME}&person={FROM}"
    page, data = browser.get(path), as_json(browser, path)
    headings = re.findall(r'<h3 class="nhsuk-card__heading nhsuk-heading-s"><a href="/records/([^"]+)"', page.text)
    assert headings == [item["person"]["id"] for item in data["answer"]["people"]] and headings
    assert data["theme"]["id"] == THEME and data["person"]["chosen"]["id"] == FROM
    assert THEME in [theme["id"] for theme in data["themes"]]


def test_the_brokers_and_communities_pages_as_json_carry_what_they_list(seeded, person_as):
    browser = person_as("viewer")
    page, data = browser.get("/connections/brokers"), as_json(browser, "/connections/brokers")
    listed = re.findall(r'<td class="nhsuk-table__cell"><a href="/records/([^"]+)"', page.text)
    assert listed == [broker["id"] for broker in data["brokers"]] and listed
    assert all(f"{broker['percent']}%" in page.text for broker in data["brokers"])

    page, data = browser.get("/connections/communities"), as_json(browser, "/connections/communities")
    text = page_text(page)
    assert data["communities"] and data["total"] >= len(data["communities"])
    for community in data["communities"]:
        assert community["label"] in text
        assert all(member["label"] in text for member in community["members"])


def test_pages_still_being_computed_say_so_in_json_too(seeded, person_as, monkeypatch):
    def busy(*args, **kwargs):
        raise StillComputing("brokers")
    monkeypatch.setattr(graphsvc.queries.connections, "brokers", busy)
    monkeypatch.setattr(graphsvc.queries.connections, "communities", busy)
    for path in ("/connections/brokers", "/connections/communities"):
        data = as_json(person_as("viewer"), path)
        assert data["busy"] and data["communities" if "communities" in path else "brokers"] == []


def test_strangers_get_no_json(seeded, anonymous):
    for path in ("/connections?format=json", f"/records/{FROM}/graph?format=json", "/connections/brokers?format=json"):
        answer = anonymous.get(path)
        assert answer.status_code == 302 and answer.location.startswith("/sign-in?next=")
