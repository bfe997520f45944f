"""Every write endpoint x {no token, bad token, revoked token, too low a role} -> 401/403; the right role -> success.

The cases are keyed by URL rule; a write endpoint without a case fails the suite, so a new endpoint
cannot skip the matrix.
"""

from __future__ import annotations

import itertools

import pytest

from graphsvc.auth import ROLES
from graphsvc.vocabulary import load_vocabulary
from tests.conftest import authorised_client
from tests.helpers import minimal_body

VOCABULARY = load_vocabulary()
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_ids = itertools.count()


def _node(admin, node_type, **extra):
    node_id = f"{node_type.name.lower()}-m{next(_ids)}"
    answer = admin.post(f"/api/v1/{node_type.plural}", json=minimal_body(node_type, id=node_id, **extra))
    assert answer.status_code == 201, answer.get_json()
    return node_id


def _typed(name):
    return VOCABULARY.node_type(name)


def _cases():
    """(method, rule, role needed, setup(admin) -> (path, json body or None, query))."""
    cases = []
    for node_type in VOCABULARY.node_types.values():
        base = f"/api/v1/{node_type.plural}"
        cases.append(("POST", base, "coordinator", lambda admin, t=node_type, b=base: (b, minimal_body(t), "")))
        cases.append(("PATCH", base + "/<node_id>", "coordinator",
                      lambda admin, t=node_type, b=base: (f"{b}/{_node(admin, t)}", {t.main_property: "Renamed"}, "")))
        cases.append(("DELETE", base + "/<node_id>", "coordinator",
                      lambda admin, t=node_type, b=base: (f"{b}/{_node(admin, t)}", None, "")))

    def relationship(admin):
        return "/api/v1/relationships", {"type": "LEADS", "from": _node(admin, _typed("Organisation")),
                                         "to": _node(admin, _typed("Initiative"))}, ""

    def existing_relationship(admin):
        path, body, _ = relationship(admin)
        return f"{path}/{admin.post(path, json=body).get_json()['id']}", None, ""

    def review(admin):
        return "/api/v1/overlaps/reviews", {"a": _node(admin, _typed("Initiative")),
                                            "b": _node(admin, _typed("Initiative")), "decision": "distinct"}, ""

    def review_undo(admin):
        path, body, _ = review(admin)
        admin.post(path, json=body)
        return path, None, f"?a={body['a']}&b={body['b']}"

    def accountable(admin):
        return (f"/api/v1/actions/{_node(admin, _typed('Action'))}/accountable",
                {"owner": _node(admin, _typed("Person"))}, "")

    def raci_add(admin):
        return (f"/api/v1/actions/{_node(admin, _typed('Action'))}/raci",
                {"role": "informed", "party": _node(admin, _typed("Person"))}, "")

    def raci_remove(admin):
        path, body, _ = raci_add(admin)
        admin.post(path, json=body)
        return path, None, f"?role=informed&party={body['party']}"

    def progress_update(admin):
        return (f"/api/v1/actions/{_node(admin, _typed('Action'))}/updates",
                {"date": "2026-12-01", "rag": "green", "done": "Held the first session."}, "")

    def measurement(admin):
        return (f"/api/v1/indicators/{_node(admin, _typed('Indicator'))}/measurements",
                {"period": "Q1 2026/27", "value": 41, "date": "2026-06-30"}, "")

    def measurement_import(admin):
        return ("/api/v1/indicators/measurements/import",
                {"rows": [{"indicator": _node(admin, _typed("Indicator")), "period": "Q1 2026/27", "value": 41,
                           "date": "2026-06-30"}]}, "")

    def meeting_held(admin):
        meeting = _node(admin, _typed("Meeting"), status="planned", date="2026-01-01")
        return f"/api/v1/meetings/{meeting}/held", {}, ""

    def meeting_decision(admin):
        meeting = _node(admin, _typed("Meeting"), status="planned", date="2026-01-01")
        return f"/api/v1/meetings/{meeting}/decisions", {"title": "Agree the terms of reference"}, ""

    def token_create(admin):
        return "/api/v1/tokens", {"name": f"matrix-{next(_ids)}", "role": "viewer"}, ""

    def token_revoke(admin):
        name = f"matrix-{next(_ids)}"
        admin.post("/api/v1/tokens", json={"name": name, "role": "viewer"})
        return f"/api/v1/tokens/{name}", None, ""

    def erasure(admin):
        return "/api/v1/erasures", {"id": _node(admin, _typed("Person"))}, ""

    def bulk_import(admin):
        return "/api/v1/import", {"nodes": [{"type": "Theme", "name": f"Imported {next(_ids)}"}]}, ""

    cases += [
        ("POST", "/api/v1/import", "coordinator", bulk_import),
        ("POST", "/api/v1/relationships", "coordinator", relationship),
        ("DELETE", "/api/v1/relationships/<rel_id>", "coordinator", existing_relationship),
        ("POST", "/api/v1/overlaps/reviews", "coordinator", review),
        ("DELETE", "/api/v1/overlaps/reviews", "governance", review_undo),
        ("PUT", "/api/v1/actions/<action_id>/accountable", "governance", accountable),
        ("POST", "/api/v1/actions/<action_id>/raci", "governance", raci_add),
        ("DELETE", "/api/v1/actions/<action_id>/raci", "governance", raci_remove),
        ("POST", "/api/v1/actions/<action_id>/updates", "coordinator", progress_update),
        ("POST", "/api/v1/indicators/<indicator_id>/measurements", "coordinator", measurement),
        ("POST", "/api/v1/indicators/measurements/import", "coordinator", measurement_import),
        ("POST", "/api/v1/meetings/<meeting_id>/held", "governance", meeting_held),
        ("POST", "/api/v1/meetings/<meeting_id>/decisions", "governance", meeting_decision),
        ("POST", "/api/v1/tokens", "admin", token_create),
        ("DELETE", "/api/v1/tokens/<name>", "admin", token_revoke),
        ("POST", "/api/v1/erasures", "admin", erasure),
    ]
    return cases


CASES = _cases()


def test_every_write_endpoint_has_a_case(app):
    covered = {(method, rule) for method, rule, _, _ in CASES}
    writes = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods & WRITE_METHODS}
    assert writes - covered == set(), "write endpoints missing from the auth matrix"


@pytest.mark.parametrize("method, rule, needed, setup", CASES, ids=[f"{m} {r}" for m, r, _, _ in CASES])
def test_write_endpoint_refuses_the_unentitled_and_serves_the_entitled(app, client, tokens, method, rule, needed,
                                                                       setup):
    path, body, query = setup(client)
    url = path + query

    def call(caller):
        return caller.open(url, method=method, json=body)

    assert call(app.test_client()).status_code == 401  # no token
    assert call(authorised_client(app, "gsv_" + "x" * 43)).status_code == 401  # bad token
    for role in ROLES[:ROLES.index(needed)]:
        assert call(authorised_client(app, tokens[role])).status_code == 403, role
    revoked = client.post("/api/v1/tokens", json={"name": f"revoked-{next(_ids)}", "role": "admin"}).get_json()
    client.delete(f"/api/v1/tokens/{revoked['name']}")
    assert call(authorised_client(app, revoked["token"])).status_code == 401  # revoked
    answer = call(authorised_client(app, tokens[needed]))
    assert 200 <= answer.status_code < 300, (answer.status_code, answer.get_json(silent=True))
