// The model of one pass (the stepper, over the trace) and of its picture (boxes and edge pieces
// in scene units, and the state of each at a position).

// ----- the stepper over one pass of the trace ----------------------------------------------

// One pass: the engine's order and which gradients each step sent come from the trace; the
// texts and places come from the view the core made.
function PassModel(tracePass, view) {
  const nodes = tracePass.nodes, count = nodes.length;
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  this.trace = tracePass;
  this.view = view;
  this.count = count;
  this.index = index;
  this.kind = nodes.map((node) => node.kind);
  this.steps = tracePass.steps.map((step) => index.get(step.node));
  this.executedAt = new Int32Array(count).fill(-1);
  this.steps.forEach((node, k) => { this.executedAt[node] = k; });
  const edges = tracePass.edges;
  this.edgeNode = Int32Array.from(edges, (edge) => index.get(edge.node)); // sends the gradient
  this.edgeNext = Int32Array.from(edges, (edge) => index.get(edge.next)); // data flows from here
  const sent = new Map(); // node -> its step's grad_inputs
  tracePass.steps.forEach((step) => sent.set(step.node, step.grad_inputs));
  this.sends = Uint8Array.from(edges, (edge) => {
    const grads = sent.get(edge.node);
    return grads !== undefined && edge.slot < grads.length && grads[edge.slot] !== null ? 1 : 0;
  });
  this.magnitude = view.edges.magnitude.map((value) => (value === null ? null : jsonNumber(value)));
  this.sums = new Map(); // node -> its inputs that receive several gradients, by input number
  for (const inflow of view.sums) {
    if (!this.sums.has(inflow.node)) this.sums.set(inflow.node, []);
    this.sums.get(inflow.node).push(inflow);
  }
  for (const inflows of this.sums.values()) inflows.sort((a, b) => a.input - b.input);
}

PassModel.prototype.stepCount = function () { return this.steps.length; };

PassModel.prototype.hasRun = function (node, position) {
  const at = this.executedAt[node];
  return at >= 0 && at < position;
};

PassModel.prototype.state = function (node, position) {
  const at = this.executedAt[node];
  if (at < 0) return UNREACHED;
  if (at === position - 1) return ACTIVE;
  return at < position ? DONE : WAITING;
};

PassModel.prototype.active = function (position) {
  return position > 0 ? this.steps[position - 1] : -1;
};

PassModel.prototype.delivered = function (edge, position) {
  return this.sends[edge] === 1 && this.hasRun(this.edgeNode[edge], position);
};

PassModel.prototype.subtitle = function (node, position) {
  const nodes = this.view.nodes;
  return this.kind[node] === "accumulate_grad" && this.hasRun(node, position) ? nodes.after[node] : nodes.subtitle[node];
};

// "3 + 4 = 7" once a node has received gradients from more than one consumer; an input's
// part each, joined by "; " (explorer/core/view/scene.py running_sum_text)
PassModel.prototype.runningSum = function (node, position) {
  const inflows = this.sums.get(node);
  if (inflows === undefined) return "";
  const parts = [];
  for (const inflow of inflows) {
    let low = 0, high = inflow.steps.length; // how many terms were sent before the position
    while (low < high) {
      const middle = (low + high) >> 1;
      if (inflow.steps[middle] < position) low = middle + 1; else high = middle;
    }
    if (low < 2) continue;
    const total = inflow.totals[low - 1];
    parts.push(inflow.scalar[low - 1] ? inflow.terms.slice(0, low).join(" + ") + " = " + total : "sum of " + low + ": " + total);
  }
  return parts.join("; ");
};

PassModel.prototype.header = function (position) {
  return this.view.headers[position];
};

PassModel.prototype.tooltip = function (node, position) {
  const tips = this.view.tips;
  const lines = tips.lines[node].slice();
  lines.push("state: " + this.state(node, position));
  if (this.hasRun(node, position)) {
    lines.push("received: " + tips.received[node]);
    lines.push("sent: " + tips.sent[node]);
  }
  return lines.join("\n");
};

PassModel.prototype.narration = function (position) {
  const stories = this.view.narration;
  return position < stories.length ? stories[position] : [this.header(position)];
};

// Nodes whose torch name, variable or module path contains the query (explorer/core/view/search.py)
PassModel.prototype.find = function (query) {
  const needle = query.trim().toLowerCase();
  if (!needle) return [];
  const found = [];
  this.trace.nodes.forEach((node, i) => {
    if ([node.name, node.variable, node.module].some((field) => String(field || "").toLowerCase().includes(needle))) {
      found.push(i);
    }
  });
  return found;
};

// ----- what is drawn: the pass as it is, or with its groups folded -------------------------

const FIRST = 0, SLANT = 1, RUN = 2, CURVE = 3; // kinds of edge pieces

// Boxes and edge pieces in scene units, for one pass in one of its layouts, folded or not.
function Picture(model, style, folded) {
  const view = model.view, count = model.count, layout = view.layouts[style];
  const fold = folded ? layout.folded : null;
  this.model = model;
  this.style = style;
  this.folded = Boolean(fold);
  this.orientation = view.orientation;
  this.display = new Int32Array(count); // node -> the box standing for it
  const boxes = []; // [reference, x, y, w]; reference >= 0: a node, < 0: -(group + 1)
  if (fold) {
    this.display.fill(-1);
    for (let i = 0; i < count; i++) {
      if (fold.x[i] !== null) { this.display[i] = boxes.length; boxes.push([i, fold.x[i], fold.y[i], fold.w[i]]); }
    }
    fold.groups.members.forEach((members, g) => {
      const box = boxes.length;
      boxes.push([-(g + 1), fold.groups.x[g], fold.groups.y[g], fold.groups.w[g]]);
      for (const member of members) this.display[member] = box;
    });
  } else {
    for (let i = 0; i < count; i++) { this.display[i] = i; boxes.push([i, layout.x[i], layout.y[i], layout.w[i]]); }
  }
  this.size = boxes.length;
  this.reference = Int32Array.from(boxes, (box) => box[0]);
  this.x = Float64Array.from(boxes, (box) => box[1]);
  this.y = Float64Array.from(boxes, (box) => box[2]);
  this.w = Float64Array.from(boxes, (box) => box[3]);
  this.members = fold ? fold.groups.members : [];
  this.groupTitles = fold ? fold.groups.title : [];
  this.groupSubtitles = fold ? fold.groups.subtitle : [];
  this.groupLabels = fold ? fold.groups.label : [];
  this.groupIds = fold ? fold.groups.id : [];
  this.buildEdges(fold ? fold.bends : layout.bends);
  this.buildPieces();
  this.bounds = this.measure();
}

// Each edge from the bottom of its source box to the top of its target's through its bends; in
// a left-to-right layout, or against the flow, from side to side (explorer/ui/canvas/scene_painter.py)
Picture.prototype.buildEdges = function (bends) {
  const model = this.model, edges = [], points = [], starts = [0];
  for (let e = 0; e < model.edgeNode.length; e++) {
    if (bends[e] === null) continue; // inside a folded group
    const source = this.display[model.edgeNext[e]], target = this.display[model.edgeNode[e]];
    if (source < 0 || target < 0 || source === target) continue;
    const sx = this.x[source], sy = this.y[source], tx = this.x[target], ty = this.y[target];
    const sideways = this.orientation === "LR" || sy >= ty;
    points.push(sideways ? sx + this.w[source] / 2 : sx, sideways ? sy : sy + NODE_HEIGHT / 2);
    for (const value of bends[e]) points.push(value);
    points.push(sideways ? tx - this.w[target] / 2 : tx, sideways ? ty : ty - NODE_HEIGHT / 2);
    edges.push(e);
    starts.push(points.length / 2);
  }
  this.edges = Int32Array.from(edges); // picture edge -> trace edge
  this.points = Float64Array.from(points);
  this.starts = Int32Array.from(starts); // picture edge k: points starts[k] .. starts[k+1]-1
};

// Every piece of every edge with its bounding box: a frame tests pieces, not whole edges (an
// edge from a weight used at every turn of a loop runs down the whole graph). Middle pieces
// running straight down are "runs": many edges share them, and they are drawn merged.
Picture.prototype.buildPieces = function () {
  const count = this.edges.length, total = this.starts[count] - count, p = this.points;
  this.pieceEdge = new Int32Array(total);
  this.pieceKind = new Uint8Array(total);
  this.pieceStart = new Int32Array(total); // index of its first point
  this.pieceBox = new Float64Array(total * 4);
  let n = 0;
  for (let k = 0; k < count; k++) {
    const first = this.starts[k], last = this.starts[k + 1] - 1;
    for (let a = first; a < last; a++, n++) {
      const ax = p[2 * a], ay = p[2 * a + 1], bx = p[2 * a + 2], by = p[2 * a + 3];
      this.pieceEdge[n] = k;
      this.pieceStart[n] = a;
      this.pieceKind[n] = a === last - 1 ? CURVE : a === first ? FIRST : ax === bx ? RUN : SLANT;
      this.pieceBox[4 * n] = Math.min(ax, bx); this.pieceBox[4 * n + 1] = Math.min(ay, by);
      this.pieceBox[4 * n + 2] = Math.max(ax, bx); this.pieceBox[4 * n + 3] = Math.max(ay, by);
    }
  }
  this.pieceCount = total;
};

Picture.prototype.measure = function () {
  if (this.size === 0) return [-100, -50, 100, 50];
  let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
  for (let i = 0; i < this.size; i++) {
    left = Math.min(left, this.x[i] - this.w[i] / 2); right = Math.max(right, this.x[i] + this.w[i] / 2);
    top = Math.min(top, this.y[i] - NODE_HEIGHT / 2); bottom = Math.max(bottom, this.y[i] + NODE_HEIGHT / 2);
  }
  return [left - 40, top - 40, right + 40, bottom + 40];
};

// The last piece's curve: leaves and arrives along the flow (down, or right when sideways)
Picture.prototype.curve = function (k) {
  const last = this.starts[k + 1] - 1, p = this.points;
  const x0 = p[2 * last - 2], y0 = p[2 * last - 1], x3 = p[2 * last], y3 = p[2 * last + 1];
  if (this.orientation === "LR") {
    const middle = (x0 + x3) / 2;
    return [x0, y0, middle, y0, middle, y3, x3, y3];
  }
  const middle = (y0 + y3) / 2;
  return [x0, y0, x0, middle, x3, middle, x3, y3];
};

// The state of every box and edge at one position: what a frame needs, worked out per step.
Picture.prototype.at = function (position, theme) {
  const model = this.model, size = this.size;
  const states = new Array(size), flowIn = new Map(), flowOut = new Map();
  for (let i = 0; i < size; i++) {
    const reference = this.reference[i];
    states[i] = reference >= 0 ? model.state(reference, position) : this.groupState(-reference - 1, position);
  }
  const count = this.edges.length;
  const delivered = new Uint8Array(count), colours = new Array(count);
  for (let k = 0; k < count; k++) {
    const e = this.edges[k];
    delivered[k] = model.delivered(e, position) ? 1 : 0;
    const magnitude = model.magnitude[e];
    colours[k] = delivered[k] ? gradientColour(theme, magnitude) : theme.edge_idle;
    if (this.folded && delivered[k] && magnitude !== null) {
      const source = this.display[model.edgeNext[e]], target = this.display[model.edgeNode[e]];
      if (!flowIn.has(source)) flowIn.set(source, []);
      if (!flowOut.has(target)) flowOut.set(target, []);
      flowIn.get(source).push(magnitude);
      flowOut.get(target).push(magnitude);
    }
  }
  return { position: position, theme: theme, states: states, delivered: delivered, colours: colours,
    flowIn: flowIn, flowOut: flowOut, runs: null };
};

// The runs at a position, merged: one line per colour where edges overlap (worked out once per
// step, at the first frame that draws them): [style, x, top, bottom] in flat arrays by style.
Picture.prototype.mergedRuns = function (frame) {
  if (frame.runs) return frame.runs;
  const found = [];
  for (let n = 0; n < this.pieceCount; n++) {
    if (this.pieceKind[n] !== RUN) continue;
    const k = this.pieceEdge[n];
    found.push([frame.colours[k] + (frame.delivered[k] ? "|3.2" : "|1.6"), this.pieceBox[4 * n], this.pieceBox[4 * n + 1], this.pieceBox[4 * n + 3]]);
  }
  found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));
  const runs = new Map();
  let open = null;
  for (const run of found) {
    if (open && open[0] === run[0] && open[1] === run[1] && run[2] <= open[3]) {
      open[3] = Math.max(open[3], run[3]);
      continue;
    }
    if (open) runs.get(open[0]).push(open[1], open[2], open[3]);
    if (!runs.has(run[0])) runs.set(run[0], []);
    open = run.slice();
  }
  if (open) runs.get(open[0]).push(open[1], open[2], open[3]);
  frame.runs = runs;
  return runs;
};

// A folded group's state from its members' (explorer/core/view/folding.py)
Picture.prototype.groupState = function (group, position) {
  const seen = new Set();
  for (const member of this.members[group]) seen.add(this.model.state(member, position));
  if (seen.has(ACTIVE)) return ACTIVE;
  if (seen.has(DONE) && !seen.has(WAITING)) return DONE;
  if (seen.size === 1 && seen.has(UNREACHED)) return UNREACHED;
  return WAITING;
};

function norm(values) {
  return Math.sqrt(values.reduce((total, value) => total + value * value, 0));
}

// The lines of text of box i: title, torch line, subtitle, running sum (as the core's scene
// gives them; a folded group's flow in and out stands as its running sum)
Picture.prototype.lines = function (i, frame) {
  const reference = this.reference[i], model = this.model, position = frame.position;
  if (reference >= 0) {
    const nodes = model.view.nodes;
    return [nodes.title[reference], nodes.torch[reference], model.subtitle(reference, position), model.runningSum(reference, position)];
  }
  const group = -reference - 1, entering = frame.flowIn.get(i) || [], leaving = frame.flowOut.get(i) || [];
  const flow = entering.length || leaving.length
    ? "grad in \u2016\u00b7\u2016=" + formatG(norm(entering), 4) + " \u2192 out \u2016\u00b7\u2016=" + formatG(norm(leaving), 4) : "";
  return [this.groupTitles[group], "", this.groupSubtitles[group], flow];
};

Picture.prototype.kindOf = function (i) {
  const reference = this.reference[i];
  return reference >= 0 ? this.model.kind[reference] : "group";
};

Picture.prototype.isRoot = function (i) {
  const reference = this.reference[i], roots = this.model.view.nodes.root;
  if (reference >= 0) return roots[reference];
  return this.members[-reference - 1].some((member) => roots[member]);
};

Picture.prototype.tooltip = function (i, position) {
  const reference = this.reference[i];
  if (reference >= 0) return this.model.tooltip(reference, position);
  const group = -reference - 1;
  return this.groupTitles[group] + "\n" + this.groupSubtitles[group] + "\ndouble-click to unfold";
};

// Boxes matching a search, in the graph's order (a folded member shows as its group)
Picture.prototype.find = function (query) {
  const found = new Set();
  for (const node of this.model.find(query)) if (this.display[node] >= 0) found.add(this.display[node]);
  const needle = query.trim().toLowerCase();
  if (needle) {
    this.groupLabels.forEach((label, g) => {
      if (label.toLowerCase().includes(needle)) {
        for (let i = 0; i < this.size; i++) if (this.reference[i] === -(g + 1)) found.add(i);
      }
    });
  }
  return Array.from(found);
};

