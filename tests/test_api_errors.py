"""One error shape everywhere, and no client input that causes a 500."""

from __future__ import annotations

import pytest

ERROR_KEYS = {"code", "status", "message", "errors"}


def assert_error(answer, status):
    assert answer.status_code == status, answer.get_data(as_text=True)
    body = answer.get_json()
    assert set(body) == ERROR_KEYS and body["code"] == status and body["message"]
    assert "Traceback" not in answer.get_data(as_text=True)
    return body


def test_not_json_is_415(client):
    assert_error(client.post("/api/v1/themes", data="name=Access", content_type="application/x-www-form-urlencoded"),
                 415)
    assert_error(client.post("/api/v1/themes", data='{"name": "Access"}', content_type="text/plain"), 415)
    assert_error(client.patch("/api/v1/themes/x", data="name"), 415)
    assert_error(client.post("/api/v1/relationships"), 415)


def test_malformed_json_is_400_and_non_object_is_422(client):
    body = assert_error(client.post("/api/v1/themes", data="{bad", content_type="application/json"), 400)
    assert "JSON" in body["message"]
    assert_error(client.post("/api/v1/themes", json=["a", "b"]), 422)
    assert_error(client.post("/api/v1/relationships", json="LEADS"), 422)


def test_body_over_one_mebibyte_is_413(client):
    huge = '{"name": "' + "x" * (1024 * 1024) + '"}'
    assert_error(client.post("/api/v1/themes", data=huge, content_type="application/json"), 413)
    assert client.get("/api/v1/themes").get_json()["total"] == 0


def test_wrong_method_is_405_and_unknown_path_is_404(client):
    assert_error(client.put("/api/v1/themes", json={}), 405)
    assert_error(client.delete("/api/v1/themes"), 405)
    assert_error(client.post("/api/v1/health", json={}), 405)
    assert_error(client.get("/api/v1/no-such-collection"), 404)
    assert_error(client.get("/api/v1/themes/missing"), 404)


def test_unknown_property_and_wrong_enum_are_field_level_422(client):
    body = assert_error(client.post("/api/v1/groups", json={"name": "G", "kind": "club", "colour": "red"}), 422)
    assert set(body["errors"]) == {"kind", "colour"}
    assert "community_of_practice" in body["errors"]["kind"][0]
    assert "kind" in body["message"] and "colour" in body["message"]


@pytest.mark.parametrize("payload", [
    {"name": None}, {"name": 12}, {"name": {"nested": True}}, {"name": "x", "id": 5},
    {"name": "x" * 5000}, {"name": "ok", "description": ["list"]}, {"name": "\u0000"},
])
def test_odd_values_never_cause_server_errors(client, payload):
    answer = client.post("/api/v1/themes", json=payload)
    assert answer.status_code in (201, 422)
    assert set(answer.get_json()) >= ({"id"} if answer.status_code == 201 else ERROR_KEYS)


def test_unexpected_errors_are_500_json_without_traceback(app, client, monkeypatch):
    from graphsvc.app import get_service

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(get_service(app), "list_nodes", explode)
    body = assert_error(client.get("/api/v1/themes"), 500)
    assert "secret internal detail" not in body["message"]
