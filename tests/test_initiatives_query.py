"""The initiatives read: filters by linked records agree with what the coverage matrix counts."""

from __future__ import annotations

import networkx as nx

from graphsvc.analysis.coverage import coverage, initiatives_covering
from graphsvc.queries.initiatives import find_initiatives, initiative_choices


def test_initiatives_covering_rolls_up_sub_themes_like_coverage():
    g = nx.MultiDiGraph()
    g.add_nodes_from([("i", {"type": "Initiative", "status": "active"}), ("j", {"type": "Initiative"}),
                      ("parent", {"type": "Theme", "name": "Parent"}), ("child", {"type": "Theme", "name": "Child"}),
                      ("p", {"type": "Population", "name": "P"})])
    g.add_edge("child", "parent", type="PART_OF")
    g.add_edge("i", "child", type="ADDRESSES")
    g.add_edge("j", "parent", type="ADDRESSES")
    g.add_edge("i", "p", type="SERVES")
    assert initiatives_covering(g, "parent", {"ADDRESSES"}) == {"i", "j"}
    assert initiatives_covering(g, "parent", {"ADDRESSES"}, rollup=False) == {"j"}
    assert initiatives_covering(g, "child", {"ADDRESSES"}) == {"i"}
    assert initiatives_covering(g, "p", {"ADDRESSES"}) == set() == initiatives_covering(g, "gone", {"ADDRESSES"})
    matrix = coverage(g, "Theme", "Population", {"ADDRESSES"}, {"SERVES"}, status=None)
    assert matrix["cells"] == [[1], [1]]  # Child, Parent (by name) x P: only "i" serves P


def test_find_initiatives_combines_words_status_links_and_leads(seeded, service):
    maternity = find_initiatives(service, linked={"Theme": ["theme-maternity-neonatal"]})
    ids = {row["id"] for row in maternity["initiatives"]}
    assert {"init-maternity-equity-hospitals", "init-maternity-equity-community"} <= ids
    assert maternity["total"] == len(ids)
    led = find_initiatives(service, "maternity", "active", {"Place": ["place-riverside"]},
                           ["org-example-hospitals"])
    assert [row["id"] for row in led["initiatives"]] == ["init-maternity-equity-hospitals"]
    (row,) = led["initiatives"]
    assert row["status"] == "active" and row["example"] is True
    assert {lead["name"] for lead in row["leads"]} >= {"Fiona Marchetti", "Example Hospitals NHS Trust"}
    assert find_initiatives(service, linked={"Theme": ["theme-nothing"]}) == {"initiatives": [], "total": 0}
    choices = initiative_choices(service)
    assert "org-example-hospitals" in {option["id"] for option in choices["lead"]}
    assert "theme-maternity-neonatal" in {option["id"] for option in choices["Theme"]}
