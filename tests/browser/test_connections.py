"""A leader's journey through the connections pages in a real browser (issue 11, journey 3).

They find how two demo people are connected by typing their names and choosing them, read the paths
as a list and see them drawn, then open one person's graph explorer and expand a record by clicking
it in the drawing. Every page is checked by axe-core; any console error fails the test.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import check_page, screenshot

FROM, TO = "person-victor-ambrose", "person-nadia-farrow"
EXPANDED = "group-governance"  # a group both belong to, drawn on the explorer around Victor Ambrose


def test_a_leader_finds_how_two_people_connect_and_explores_the_graph(page: Page, sign_in):
    page.goto("/connections")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    sign_in(page, "viewer")
    expect(page).to_have_url(re.compile(r"/connections$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("How am I connected to …")
    check_page(page)

    # Type part of each name; the page offers the matching records to choose from.
    start = page.locator("#from_q")
    start.click()
    start.press_sequentially("Victor")
    page.locator("#to_q").click()
    page.locator("#to_q").press_sequentially("Nadia Farrow")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"from_q=Victor.*to_q=Nadia"))
    check_page(page)
    page.get_by_label(re.compile(r"^Victor Ambrose \(Person\)")).check()
    page.get_by_label(re.compile(r"^Nadia Farrow \(Person\)")).check()
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(rf"from={FROM}.*to={TO}"))
    expect(page.get_by_role("heading", level=2, name="How Victor Ambrose connects to Nadia Farrow")).to_be_visible()
    paths = page.locator("ol.app-path")
    expect(paths.first).to_be_visible()
    expect(paths.first.locator("a").first).to_have_text("Victor Ambrose")
    expect(paths.first.locator("a").last).to_have_text("Nadia Farrow")
    # Several paths of two steps tie; one of them is through the group both are members of.
    expect(paths.filter(has_text="member of").first).to_be_visible()
    # The same paths drawn: cytoscape fills the area with its canvas.
    drawing = page.locator("#paths-graph")
    expect(drawing).to_have_attribute("data-ready", "true")
    expect(drawing.locator("canvas").first).to_be_attached()
    drawn = page.evaluate("() => window.appGraphs['paths-graph'].nodes().map(node => node.id()).sort()")
    listed = sorted(set(page.locator("ol.app-path a").evaluate_all(
        "links => links.map(link => link.getAttribute('href').replace('/records/', ''))")))
    assert drawn == listed
    check_page(page)
    screenshot(page, "connections")

    # Explore around Victor Ambrose, and expand a record by clicking it in the drawing.
    page.get_by_role("link", name="Explore the records around Victor Ambrose").click()
    expect(page).to_have_url(re.compile(rf"/records/{FROM}/graph$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Around Victor Ambrose")
    explorer = page.locator("#neighbourhood-graph")
    expect(explorer).to_have_attribute("data-ready", "true")
    expect(page.locator("table").first.get_by_role("link", name="Example Borough Anti-Racism Governance Group",
                                                     exact=True)).to_be_visible()
    check_page(page)
    explorer.scroll_into_view_if_needed()
    before = page.evaluate("() => window.appGraphs['neighbourhood-graph'].nodes().length")
    where = page.evaluate(f"""() => {{
        const cy = window.appGraphs['neighbourhood-graph'];
        cy.fit(cy.getElementById('{EXPANDED}'), 200);
        const point = cy.getElementById('{EXPANDED}').renderedPosition();
        const box = cy.container().getBoundingClientRect();
        return {{x: box.left + point.x, y: box.top + point.y}};
    }}""")
    # The page settles after scrolling (cytoscape reads where its canvas is on the next frame).
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.mouse.click(where["x"], where["y"])
    expect(page.locator("#neighbourhood-graph-status")).to_contain_text(
        "linked to Example Borough Anti-Racism Governance Group")
    after = page.evaluate("() => window.appGraphs['neighbourhood-graph'].nodes().length")
    assert after > before
    assert page.evaluate(f"() => window.appGraphs['neighbourhood-graph'].getElementById('{EXPANDED}')"
                         ".hasClass('app-expanded')")
    check_page(page)
    screenshot(page, "connections-graph")

    # Filtering is a plain form: its state is in the address, to bookmark or share.
    page.get_by_label("How far to look").select_option("2")
    page.get_by_text("Relationship types (all)").click()
    page.get_by_label("Member of", exact=True).check()
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"depth=2&limit=500&types=MEMBER_OF"))
    expect(page.locator("#relationships + table tbody tr").first).to_contain_text("member of")
    check_page(page)

    # The other connections pages, from the pages' own links: who to talk to, brokers, communities.
    page.get_by_role("navigation", name="Connections").get_by_role("link", name="Who should I talk to").click()
    page.get_by_label("Theme").select_option(label="Workforce race equality")
    page.locator("#person_q").press_sequentially("Victor")
    page.get_by_role("button", name="Find people").click()
    page.get_by_label(re.compile(r"^Victor Ambrose \(Person\)")).check()
    page.get_by_role("button", name="Find people").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Who Victor Ambrose could talk to about")
    expect(page.locator(".app-contacts__item").first).to_be_visible()
    check_page(page)
    for name, heading in (("Brokers", "Brokers: who connects others"),
                          ("Communities", "Communities: who works closely together")):
        page.get_by_role("navigation", name="Connections").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator("main a[href^='/records/']").first).to_be_visible()
        check_page(page)
