"""Small builders shared by tests: minimal valid bodies for any node type, from the vocabulary."""

from __future__ import annotations

from graphsvc.vocabulary import NodeType, PropertySpec

SAMPLE_VALUES = {
    "string": "Sample text",
    "text": "A longer sample description.",
    "date": "2026-03-01",
    "partial_date": "2026-03",
    "integer": 3,
    "number": 2.5,
    "boolean": True,
    "email": "someone@example.org",
    "url": "https://example.org/page",
}


def sample_value(spec: PropertySpec):
    if spec.type == "enum":
        return spec.values[0]
    value = SAMPLE_VALUES[spec.type]
    return max(value, spec.minimum) if spec.minimum is not None else value


def minimal_body(node_type: NodeType, **extra) -> dict:
    """Only the required properties, each with a valid sample value."""
    body = {name: sample_value(spec) for name, spec in node_type.properties.items() if spec.required}
    body[node_type.main_property] = f"Sample {node_type.name}"
    body.update(extra)
    return body


def full_body(node_type: NodeType, **extra) -> dict:
    """Every property with a valid sample value."""
    body = {name: sample_value(spec) for name, spec in node_type.properties.items()}
    body[node_type.main_property] = f"Full {node_type.name}"
    body.update(extra)
    return body


class GraphBuilder:
    """A tiny chainable builder of graphs in the projection's shape (for unit tests of analyses)."""

    node_defaults: dict = {}

    def __init__(self):
        import networkx as nx

        self.graph, self.count = nx.MultiDiGraph(), 0

    def node(self, node_id, node_type, **props):
        self.graph.add_node(node_id, type=node_type, **{**self.node_defaults, **props})
        return self

    def rel(self, source, rel_type, target, **props):
        self.count += 1
        self.graph.add_edge(source, target, key=f"r{self.count}", type=rel_type, **props)
        return self


def api_post(client, path: str, body: dict) -> None:
    """Create through the API (``path`` under /api/v1), failing with the answer if it was refused."""
    response = client.post(f"/api/v1/{path}", json=body)
    assert response.status_code in (200, 201), (path, response.get_json())


def api_link(client, rel_type: str, source: str, target: str) -> None:
    """Create one relationship through the API."""
    api_post(client, "relationships", {"type": rel_type, "from": source, "to": target})
