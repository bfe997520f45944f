// Draws the connections pages' graphs with cytoscape.js from each page's JSON island. The list or
// table on the page carries the same content; without this file (or without cytoscape) nothing is lost.
// On the graph explorer, selecting a record adds the records linked to it (fetched as JSON).

const cytoscape = window.cytoscape;

// cytoscape adds a <style> element (position: relative for its container) unless one with this id is
// already there; our content security policy refuses inline styles, so app.css says it and this marks it done.
if (!document.getElementById("__________cytoscape_stylesheet")) {
  const done = document.createElement("meta");
  done.id = "__________cytoscape_stylesheet";
  document.head.append(done);
}

const STYLE = [
  { selector: "node", style: {
    "label": "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 120,
    "text-valign": "bottom", "text-margin-y": 4, "color": "#212b32",
    "background-color": "#005eb8", "width": 18, "height": 18 } },
  { selector: "node.app-centre", style: { "background-color": "#330072", "width": 26, "height": 26 } },
  { selector: "node.app-end", style: { "background-color": "#330072", "width": 24, "height": 24 } },
  { selector: "node.app-expanded", style: { "border-width": 3, "border-color": "#ffeb3b" } },
  { selector: "edge", style: {
    "label": "data(label)", "font-size": 9, "color": "#4c6272", "curve-style": "bezier",
    "target-arrow-shape": "triangle", "width": 1.5, "line-color": "#aeb7bd",
    "target-arrow-color": "#aeb7bd", "text-rotation": "autorotate" } },
];

function elements(graph, classes = {}) {
  return [
    ...graph.nodes.map((node) => ({ group: "nodes", data: { ...node }, classes: classes[node.id] || "" })),
    ...graph.edges.map((edge) => ({ group: "edges", data: { ...edge } })),
  ];
}

function say(area, text) {
  const status = document.getElementById(`${area.id}-status`);
  if (status) status.textContent = text;
}

async function expand(cy, area, node) {
  if (node.hasClass("app-expanded")) {
    window.location.assign(`/records/${encodeURIComponent(node.id())}`);
    return;
  }
  const params = new URLSearchParams(window.location.search);
  params.set("depth", "1");
  const answer = await fetch(`/records/${encodeURIComponent(node.id())}/graph.json?${params}`,
    { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!answer.ok) {
    say(area, `Could not add the records linked to ${node.data("label")}.`);
    return;
  }
  const found = (await answer.json()).graph;
  const fresh = elements(found).filter((item) => cy.getElementById(item.data.id).empty());
  cy.add(fresh);
  node.addClass("app-expanded");
  const added = fresh.filter((item) => item.group === "nodes").length;
  say(area, `Added ${added} ${added === 1 ? "record" : "records"} linked to ${node.data("label")}. Select it again to open it.`);
  cy.layout({ name: "cose", animate: false, fit: true, randomize: false, nodeDimensionsIncludeLabels: true }).run();
}

function draw(area) {
  const island = document.getElementById(area.dataset.graph);
  if (!island || typeof cytoscape !== "function") return;
  const graph = JSON.parse(island.textContent);
  const classes = {};
  if (graph.nodes.length) {
    classes[graph.nodes[0].id] = area.dataset.expand ? "app-centre app-expanded" : "app-end";
  }
  area.hidden = false;
  const cy = cytoscape({
    container: area, elements: elements(graph, classes), style: STYLE,
    layout: { name: graph.nodes.length > 200 ? "breadthfirst" : "cose", animate: false,
              nodeDimensionsIncludeLabels: true, padding: 20 },
  });
  area.dataset.ready = "true";
  cy.on("tap", "node", (event) => {
    if (area.dataset.expand) {
      expand(cy, area, event.target).catch(() => say(area, "Could not add the linked records."));
    } else {
      window.location.assign(`/records/${encodeURIComponent(event.target.id())}`);
    }
  });
  window.appGraphs = { ...(window.appGraphs || {}), [area.id]: cy };
}

document.querySelectorAll(".app-graph[data-graph]").forEach(draw);
