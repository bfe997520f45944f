"""Tokens and roles: who may read, map, govern and administer."""

from __future__ import annotations

import re

from graphsvc.app import get_service
from tests.conftest import authorised_client


def test_reads_need_a_token_and_public_endpoints_stay_public(anonymous):
    answer = anonymous.get("/api/v1/themes")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert "graphsvc token create" in answer.get_json()["message"]
    for path in ("/api/v1/health", "/api/v1/openapi.json", "/api/v1/docs"):
        assert anonymous.get(path).status_code == 200, path


def test_bad_malformed_and_revoked_tokens_are_401(app, client, tokens):
    for header in ("Bearer gsv_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", tokens["viewer"]):
        probe = app.test_client()
        probe.environ_base["HTTP_AUTHORIZATION"] = header
        assert probe.get("/api/v1/themes").status_code == 401, header
    viewer = authorised_client(app, tokens["viewer"])
    assert viewer.get("/api/v1/themes").status_code == 200
    assert client.delete("/api/v1/tokens/viewer-token").status_code == 200
    assert viewer.get("/api/v1/themes").status_code == 401


def test_roles_are_ordered(client_as):
    body = {"name": "Access to care"}
    assert client_as("viewer").get("/api/v1/themes").status_code == 200
    refused = client_as("viewer").post("/api/v1/themes", json=body)
    assert refused.status_code == 403 and "coordinator" in refused.get_json()["message"]
    for role in ("coordinator", "governance", "admin"):
        assert client_as(role).post("/api/v1/themes", json=body).status_code == 201, role
    for role in ("viewer", "coordinator", "governance"):
        assert client_as(role).get("/api/v1/tokens").status_code == 403, role


def test_unauthenticated_callers_learn_nothing_else(anonymous):
    # 401 comes before body checks: no hint about validation, size or content type
    assert anonymous.post("/api/v1/themes", data="x", content_type="text/plain").status_code == 401
    assert anonymous.post("/api/v1/themes", json={"bogus": 1}).status_code == 401


def test_email_is_shown_only_to_coordinators_and_above(client, client_as):
    client.post("/api/v1/people", json={"id": "p-1", "name": "Alex Rowe", "email": "alex@example.org"})
    assert "email" not in client_as("viewer").get("/api/v1/people/p-1").get_json()
    assert "email" not in client_as("viewer").get("/api/v1/nodes/p-1").get_json()
    assert "email" not in client_as("viewer").get("/api/v1/people").get_json()["items"][0]
    assert client_as("coordinator").get("/api/v1/people/p-1").get_json()["email"] == "alex@example.org"


def test_token_api_shows_a_token_once_and_never_its_hash(app, client):
    made = client.post("/api/v1/tokens", json={"name": "Coordinator Maya", "role": "coordinator"})
    assert made.status_code == 201
    token = made.get_json()["token"]
    assert token.startswith("gsv_") and len(token) > 40
    listed = client.get("/api/v1/tokens").get_json()
    assert any(t["name"] == "Coordinator Maya" for t in listed)
    assert token not in str(listed) and all("token_hash" not in t and "token" not in t for t in listed)
    assert client.post("/api/v1/tokens", json={"name": "Coordinator Maya", "role": "viewer"}).status_code == 409
    assert client.post("/api/v1/tokens", json={"name": "x", "role": "owner"}).status_code == 422
    assert client.delete("/api/v1/tokens/nobody").status_code == 404
    maya = authorised_client(app, token)
    maya.post("/api/v1/themes", json={"id": "theme-1", "name": "Digital inclusion"})
    assert get_service(app).store.history(subject="theme-1")[0].actor == "Coordinator Maya"


def test_tokens_are_stored_only_as_hashes(app, client, tmp_path):
    token = client.post("/api/v1/tokens", json={"name": "t", "role": "viewer"}).get_json()["token"]
    raw = (tmp_path / "graph.sqlite3").read_bytes() + (tmp_path / "graph.sqlite3-wal").read_bytes()
    assert token.encode() not in raw


def test_cli_token_commands_and_first_admin(runner):
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0 and "admin token was created" in first.output
    admin = re.search(r"gsv_[A-Za-z0-9_-]+", first.output).group(0)
    assert "admin token" not in runner.invoke(args=["init"]).output  # only once
    made = runner.invoke(args=["token", "create", "--name", "Board chair", "--role", "governance"])
    assert made.exit_code == 0 and made.output.strip().startswith("gsv_")
    listing = runner.invoke(args=["token", "list"]).output
    assert "Board chair" in listing and "governance" in listing and admin not in listing
    assert runner.invoke(args=["token", "revoke", "Board chair"]).exit_code == 0
    assert "revoked" in runner.invoke(args=["token", "list"]).output
    assert runner.invoke(args=["token", "revoke", "nobody"]).exit_code != 0
    assert runner.invoke(args=["token", "create", "--name", "x", "--role", "owner"]).exit_code != 0


def test_security_headers(client):
    answer = client.get("/api/v1/themes")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_coordinators_record_overlap_reviews_and_only_governance_changes_them(client, client_as):
    for node_id in ("init-a", "init-b"):
        client.post("/api/v1/initiatives", json={"id": node_id, "name": f"Initiative {node_id}"})
    body = {"a": "init-a", "b": "init-b", "decision": "distinct"}
    assert client_as("coordinator").post("/api/v1/overlaps/reviews", json=body).status_code == 201
    changed = {**body, "decision": "duplicate"}
    assert client_as("coordinator").post("/api/v1/overlaps/reviews", json=changed).status_code == 403
    assert client_as("governance").post("/api/v1/overlaps/reviews", json=changed).status_code == 201


def test_accountability_and_action_status_need_governance(client, client_as):
    client.post("/api/v1/actions", json={"id": "a-1", "title": "Publish the programme"})
    client.post("/api/v1/people", json={"id": "p-1", "name": "Kim Lowe"})
    coordinator, governance = client_as("coordinator"), client_as("governance")
    assert coordinator.patch("/api/v1/actions/a-1", json={"title": "Publish the 2027 programme"}).status_code == 200
    assert coordinator.patch("/api/v1/actions/a-1", json={"status": "done"}).status_code == 403
    assert coordinator.post("/api/v1/actions", json={"title": "x", "status": "done"}).status_code == 403
    assert governance.patch("/api/v1/actions/a-1", json={"status": "in_progress"}).status_code == 200
    link = {"type": "ACCOUNTABLE_FOR", "from": "p-1", "to": "a-1"}
    assert coordinator.post("/api/v1/relationships", json=link).status_code == 403
    made = governance.post("/api/v1/relationships", json=link)
    assert made.status_code == 201
    assert coordinator.delete(f"/api/v1/relationships/{made.get_json()['id']}").status_code == 403
    assert governance.delete(f"/api/v1/relationships/{made.get_json()['id']}").status_code == 204


def test_cors_is_off_unless_origins_are_configured(tmp_path, client):
    from graphsvc import create_app

    assert "Access-Control-Allow-Origin" not in client.get(
        "/api/v1/health", headers={"Origin": "https://elsewhere.example"}).headers
    app = create_app({"DATABASE": str(tmp_path / "cors.sqlite3"), "CORS_ORIGINS": ["https://map.example"]})
    browser = app.test_client()
    preflight = browser.options("/api/v1/themes", headers={
        "Origin": "https://map.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://map.example"
    other = browser.get("/api/v1/health", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
