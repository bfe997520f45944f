// Draws the connections pages' graphs with cytoscape.js from each page's JSON island. The list or
// table on the page carries the same content; without this file (or without cytoscape) nothing is lost.
// On the graph explorer, selecting a record adds the records linked to it (fetched as JSON).
//
// Up to a few hundred records the drawing uses cytoscape's own force-directed layout (cose) with every
// name shown. Beyond that (the explorer draws up to 2,000 records) cose is too slow — its repulsion
// compares every pair of records on every step, seconds for 2,000 — so the positions come from
// `spread` below, d3-force's force-directed layout, whose repulsion is summed over a quadtree
// (Barnes–Hut), and the drawing trades detail for speed: names appear when zoomed in, and the
// relationships are plain lines drawn beneath cytoscape's records (Lines).

const cytoscape = window.cytoscape;
const d3 = window.d3; // d3-force and the d3 modules it uses, as classic scripts (vendor/d3)
const LARGE = 200; // records: above this, the large-graph layout and style
const EDGE_LENGTH = 150; // the large layout's ideal distance between linked records
const STEPS = 30; // the large layout's steps: enough to untangle from `start`'s rings, quick for 2,000 records
const THETA = 0.9; // a square this small for its distance pushes as one record (Barnes–Hut)
const PUSH = 600; // how hard each record pushes the others away (d3's many-body strength, negated)
const GRAVITY = 0.02; // the weak pull to the middle (d3's x and y forces' strength)
const COOLED = 0.001; // the simulation's heat (d3's alpha) after the last step: d3's own alphaMin

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
// Large graphs: names only for the centre, the expanded records, the one under the pointer and, once
// zoomed in far enough to read them, those in view (measuring 2,000 names up front takes seconds).
// Each property costs time on every element, so each selector says only what it needs. The
// relationships are drawn beneath (see Lines), as plain lines; the tables say it all.
const LARGE_STYLE = [
  { selector: "node", style: { "background-color": "#005eb8", "width": 28, "height": 28 } },
  { selector: "node.app-centre", style: { "background-color": "#330072", "width": 48, "height": 48 } },
  { selector: "node.app-expanded", style: { "border-width": 3, "border-color": "#ffeb3b" } },
  { selector: "node.app-centre, node.app-expanded, node.app-pointed, node.app-named", style: {
    "label": "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 120,
    "text-valign": "bottom", "text-margin-y": 4, "color": "#212b32" } },
  { selector: "node.app-centre, node.app-expanded, node.app-pointed", style: { "font-weight": "bold", "z-index": 10 } },
];
const LINE_COLOUR = "#d5dade"; // light: thousands of lines, and the records above them
// One canvas pixel per CSS pixel, no motion blur: what cytoscape suggests for big graphs.
const LARGE_OPTIONS = { pixelRatio: 1, motionBlur: false };
const READABLE_ZOOM = 0.8; // names of 11 px drawn at 9 px or more
const NAMED_AT_ONCE = 150; // more names than this in view would only overlap: zoom in further
const SETTLED_MS = 150; // naming waits until zooming or panning has paused

function elements(graph, classes = {}, positions = null) {
  return [
    ...graph.nodes.map((node) => ({ group: "nodes", data: { ...node }, classes: classes[node.id] || "",
      position: positions ? positions.get(node.id) : undefined })),
    ...graph.edges.map((edge) => ({ group: "edges", data: { ...edge } })),
  ];
}

function say(area, text) {
  const status = document.getElementById(`${area.id}-status`);
  if (status) status.textContent = text;
}

function count(number, one, many) {
  return `${number.toLocaleString("en-GB")} ${number === 1 ? one : many}`;
}

function counted({ cy, area, lines }) {
  area.dataset.nodes = String(cy.nodes().length);
  area.dataset.edges = String(lines ? lines.ends.length : cy.edges().length);
}

// -- the large-graph layout ---------------------------------------------------------------------------

// A small seeded random number generator: the same graph is drawn the same way each time.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Where each record starts: rings by steps from the first record, each record near the one that
// reached it, so the force layout starts untangled and needs few steps. Positions in `fixed` stay.
function start(ids, links, fixed, origin, next) {
  const at = new Map(fixed);
  const queue = [];
  const first = ids.find((id) => at.has(id)) || ids[0];
  if (!at.has(first)) at.set(first, { x: origin.x, y: origin.y });
  for (const id of ids) if (at.has(id)) queue.push(id);
  for (let head = 0; head < queue.length; head += 1) {
    const from = queue[head];
    const fresh = links.get(from).filter((id) => !at.has(id));
    const base = at.get(from);
    const radius = EDGE_LENGTH * Math.sqrt(fresh.length + 1); // room for them all around it
    fresh.forEach((id, index) => {
      const angle = (2 * Math.PI * index) / fresh.length + next();
      const distance = radius * (0.5 + next() / 2);
      at.set(id, { x: base.x + distance * Math.cos(angle), y: base.y + distance * Math.sin(angle) });
      queue.push(id);
    });
  }
  for (const id of ids) if (!at.has(id)) at.set(id, { x: origin.x + 400 * next(), y: origin.y + 400 * next() });
  return at;
}

// The force-directed layout is d3-force's (vendor/d3, loaded before this file): linked records pull
// towards EDGE_LENGTH apart, every record pushes every other away — summed over d3-quadtree's Barnes–Hut
// quadtree, so a step costs about n log n rather than n² — and a weak pull to the middle keeps unlinked
// records near. It runs STEPS steps at once, cooling over them (no timer, no animation). Records in
// `fixed` keep their positions.
function spread(graph, fixed = new Map(), origin = { x: 0, y: 0 }) {
  const ids = graph.nodes.map((node) => node.id);
  const links = new Map(ids.map((id) => [id, []]));
  const ends = [];
  for (const edge of graph.edges) {
    if (!links.has(edge.source) || !links.has(edge.target) || edge.source === edge.target) continue;
    links.get(edge.source).push(edge.target);
    links.get(edge.target).push(edge.source);
    ends.push({ source: edge.source, target: edge.target });
  }
  const next = random(ids.length);
  const placed = start(ids, links, fixed, origin, next);
  const nodes = ids.map((id) => {
    const { x, y } = placed.get(id);
    return fixed.has(id) ? { id, x, y, fx: x, fy: y } : { id, x, y };
  });
  const simulation = d3.forceSimulation(nodes)
    .randomSource(next) // d3 nudges records that coincide: seeded too
    .alphaDecay(1 - Math.pow(COOLED, 1 / STEPS)) // cool from 1 to COOLED over the STEPS steps
    .force("link", d3.forceLink(ends).id((node) => node.id).distance(EDGE_LENGTH))
    .force("charge", d3.forceManyBody().theta(THETA).strength(-PUSH))
    .force("x", d3.forceX(origin.x).strength(GRAVITY))
    .force("y", d3.forceY(origin.y).strength(GRAVITY))
    .stop();
  simulation.tick(STEPS);
  return new Map(nodes.map((node) => [node.id, { x: node.x, y: node.y }]));
}

// -- drawing and expanding ----------------------------------------------------------------------------

// On a large graph, name the records in view once zoomed in far enough for the names to be read
// (and for few records to be in view: more would only overlap).
function nameInView(cy) {
  const named = cy.nodes(".app-named");
  const box = cy.extent();
  const inView = cy.zoom() < READABLE_ZOOM ? cy.collection() : cy.nodes().filter((node) => {
    const at = node.position();
    return at.x >= box.x1 && at.x <= box.x2 && at.y >= box.y1 && at.y <= box.y2;
  });
  const shown = inView.length > NAMED_AT_ONCE ? cy.collection() : inView;
  cy.batch(() => {
    named.difference(shown).removeClass("app-named");
    shown.addClass("app-named");
    readable(cy, cy.nodes(".app-centre, .app-expanded, .app-pointed"));
  });
}

// The names always shown (the centre, expanded records, the one pointed at) stay readable however far
// out the reader has zoomed: their size is set for the zoom, on those few records only.
function readable(cy, nodes) {
  const scale = Math.max(1, 1 / cy.zoom());
  nodes.style({ "font-size": 11 * scale, "text-max-width": 120 * scale, "text-margin-y": 4 * scale });
}

function whenSettled(work) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(work, SETTLED_MS);
  };
}

// -- the relationships of a large graph ---------------------------------------------------------------

// cytoscape styles, measures and caches every element it draws: for the ~9,000 relationships among
// 2,000 records that is over a second, most of the wait before the first picture. On a large graph the
// relationships are drawn instead as one path on a canvas beneath cytoscape's, redrawn with each of
// its frames (a few milliseconds); the records stay cytoscape's, to select, zoom, pan and expand.
class Lines {
  constructor(cy, area) {
    this.cy = cy;
    this.ends = []; // [source, target] cytoscape nodes of each relationship
    this.ids = new Set();
    this.canvas = document.createElement("canvas");
    this.canvas.setAttribute("aria-hidden", "true"); // the drawing's text equivalent is the tables
    // Set through the CSS object model, which the content security policy allows (cytoscape does the same).
    Object.assign(this.canvas.style, { position: "absolute", left: "0", top: "0" });
    area.prepend(this.canvas); // before cytoscape's canvases, so beneath them
    cy.on("render", () => this.draw());
  }

  add(edges) {
    for (const edge of edges) {
      const source = this.cy.getElementById(edge.source);
      const target = this.cy.getElementById(edge.target);
      if (this.ids.has(edge.id) || source.empty() || target.empty()) continue;
      this.ids.add(edge.id);
      this.ends.push([source, target]);
    }
  }

  draw() {
    const { cy, canvas } = this;
    if (canvas.width !== cy.width() || canvas.height !== cy.height()) {
      canvas.width = cy.width();
      canvas.height = cy.height();
    }
    const context = canvas.getContext("2d");
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, canvas.width, canvas.height);
    const zoom = cy.zoom();
    const pan = cy.pan();
    context.setTransform(zoom, 0, 0, zoom, pan.x, pan.y);
    context.lineWidth = 1 / zoom; // one pixel at any zoom
    context.strokeStyle = LINE_COLOUR;
    context.beginPath();
    for (const [source, target] of this.ends) {
      const from = source.position();
      const to = target.position();
      context.moveTo(from.x, from.y);
      context.lineTo(to.x, to.y);
    }
    context.stroke();
  }
}

// -- expanding a record -------------------------------------------------------------------------------

async function expand(drawing, node) {
  const { cy, area, lines } = drawing;
  if (node.hasClass("app-expanded")) {
    window.location.assign(`/records/${encodeURIComponent(node.id())}`);
    return;
  }
  const started = performance.now();
  const params = new URLSearchParams(window.location.search);
  params.set("depth", "1");
  const answer = await fetch(`/records/${encodeURIComponent(node.id())}/graph.json?${params}`,
    { headers: { Accept: "application/json" }, credentials: "same-origin" });
  const found = answer.ok ? await answer.json() : null;
  if (!found || found.error) {
    const why = found ? `: ${found.error}` : ".";
    say(area, `Could not add the records linked to ${node.data("label")}${why}`);
    return;
  }
  const fresh = elements(found.graph).filter((item) => cy.getElementById(item.data.id).empty());
  const added = fresh.filter((item) => item.group === "nodes").length;
  const large = cy.nodes().length + added > LARGE;
  if (large) place(cy, node, found.graph, fresh);
  cy.add(lines ? fresh.filter((item) => item.group === "nodes") : fresh);
  if (lines) lines.add(found.graph.edges);
  node.addClass("app-expanded");
  if (large) readable(cy, node);
  if (!large) {
    cy.layout({ name: "cose", animate: false, fit: true, randomize: false, nodeDimensionsIncludeLabels: true }).run();
  }
  counted(drawing);
  cy.one("render", () => { area.dataset.expandMs = String(Math.round(performance.now() - started)); });
  say(area, `Added ${count(added, "record", "records")} linked to ${node.data("label")}. Select it again to open it.`);
}

// On a large graph the records already drawn stay where they are (a full layout would take seconds
// and lose the reader's place): the new ones settle around the record expanded.
function place(cy, node, graph, fresh) {
  const fixed = new Map(graph.nodes.filter((item) => !cy.getElementById(item.id).empty())
    .map((item) => [item.id, { ...cy.getElementById(item.id).position() }]));
  const positions = spread(graph, fixed, node.position());
  for (const item of fresh) {
    if (item.group === "nodes") item.position = positions.get(item.data.id);
  }
}

// The zoom and pan that fit the positions in the area, worked out from the positions: cytoscape's own
// fit measures every element's drawn size first, most of a second at 2,000 records.
function framing(area, positions, padding = 30) {
  let left = Infinity; let top = Infinity; let right = -Infinity; let bottom = -Infinity;
  for (const at of positions.values()) {
    left = Math.min(left, at.x); right = Math.max(right, at.x);
    top = Math.min(top, at.y); bottom = Math.max(bottom, at.y);
  }
  const width = area.clientWidth;
  const height = area.clientHeight;
  const zoom = Math.min((width - 2 * padding) / Math.max(right - left, 1),
    (height - 2 * padding) / Math.max(bottom - top, 1));
  return { zoom, pan: { x: width / 2 - (zoom * (left + right)) / 2, y: height / 2 - (zoom * (top + bottom)) / 2 } };
}

function options(area, graph, classes) {
  if (graph.nodes.length <= LARGE) {
    return { elements: elements(graph, classes), style: STYLE,
      layout: { name: "cose", animate: false, nodeDimensionsIncludeLabels: true, padding: 20 } };
  }
  const positions = spread(graph);
  return { elements: elements({ nodes: graph.nodes, edges: [] }, classes, positions), style: LARGE_STYLE,
    ...LARGE_OPTIONS, ...framing(area, positions), layout: { name: "preset", fit: false } };
}

function draw(area) {
  const island = document.getElementById(area.dataset.graph);
  if (!island || typeof cytoscape !== "function") return;
  const graph = JSON.parse(island.textContent);
  if (graph.nodes.length > LARGE && typeof d3?.forceSimulation !== "function") return; // no layout: the tables say it
  const classes = {};
  if (graph.nodes.length) {
    classes[graph.nodes[0].id] = area.dataset.expand ? "app-centre app-expanded" : "app-end";
  }
  area.hidden = false;
  const cy = cytoscape({ container: area, ...options(area, graph, classes) });
  const drawing = { cy, area, lines: graph.nodes.length > LARGE ? new Lines(cy, area) : null };
  if (drawing.lines) {
    drawing.lines.add(graph.edges);
    say(area, `Drawn ${count(cy.nodes().length, "record", "records")}. Zoom in to read their names.`);
    cy.on("viewport", whenSettled(() => nameInView(cy)));
    cy.on("mouseover", "node", (event) => readable(cy, event.target.addClass("app-pointed")));
    cy.on("mouseout", "node", (event) => event.target.removeClass("app-pointed"));
    readable(cy, cy.nodes(".app-centre"));
  }
  counted(drawing);
  cy.one("render", () => {
    area.dataset.readyMs = String(Math.round(performance.now())); // since the page was asked for
    area.dataset.ready = "true";
  });
  cy.on("tap", "node", (event) => {
    if (area.dataset.expand) {
      expand(drawing, event.target).catch(() => say(area, "Could not add the linked records."));
    } else {
      window.location.assign(`/records/${encodeURIComponent(event.target.id())}`);
    }
  });
  window.appGraphs = { ...(window.appGraphs || {}), [area.id]: cy };
}

document.querySelectorAll(".app-graph[data-graph]").forEach(draw);
