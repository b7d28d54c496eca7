// The interactive page of one trace: draws the scene the core computed (positions, texts,
// colours) on a canvas, and steps through backward in the engine's order.
// Data: #data-trace (schema explorer.trace/1) and #data-view (explorer.page/1, see view.py).
// No network: everything the page needs is in the file.
"use strict";
(function () {
  const DONE = "done", ACTIVE = "active", WAITING = "waiting", UNREACHED = "unreached";
  const FONT = '"DejaVu Sans", "Bitstream Vera Sans", Verdana, Geneva, sans-serif';
  const TITLE_PX = 15, BODY_PX = 13, LINE = 1.164; // DejaVu's ascent + descent, in ems
  const OVERVIEW_BELOW = 6; // pixels of box height under which boxes are drawn as plain blocks
  const TEXT_FROM = 6; // pixels of body text under which no text is drawn
  const READABLE = 0.8; // the first view is at least this zoom (titles of 12 px)
  const MAX_ZOOM = 4;
  const LABEL_SPOTS = [0.5, 0.35, 0.65, 0.22, 0.78];
  const LABEL_MARGIN = 150; // scene units a label may reach beyond its edge's last piece
  const PLAY_MS = 700;
  const NODE_HEIGHT = 62; // scene units, as in the window (explorer/web/placement.py)

  // ----- numbers as the core writes them ---------------------------------------------------

  function roundHalfEven(value) {
    const floor = Math.floor(value), rest = value - floor;
    if (rest > 0.5) return floor + 1;
    if (rest < 0.5) return floor;
    return floor % 2 === 0 ? floor : floor + 1;
  }

  // Python's "%.{digits}g"
  function formatG(value, digits) {
    if (Number.isNaN(value)) return "nan";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    if (value === 0) return Object.is(value, -0) ? "-0" : "0";
    const exponential = value.toExponential(digits - 1);
    const exponent = Number(exponential.slice(exponential.indexOf("e") + 1));
    if (exponent >= -4 && exponent < digits) {
      return stripZeros(value.toFixed(digits - 1 - exponent));
    }
    const mantissa = stripZeros(exponential.slice(0, exponential.indexOf("e")));
    const size = Math.abs(exponent);
    return mantissa + "e" + (exponent < 0 ? "-" : "+") + (size < 10 ? "0" : "") + size;
  }

  function stripZeros(text) {
    return text.indexOf(".") < 0 ? text : text.replace(/0+$/, "").replace(/\.$/, "");
  }

  function jsonNumber(value) { // the trace writes non-finite numbers as strings
    return typeof value === "string" ? Number(value) : value;
  }

  // ----- colours (explorer/core/themes.py) ---------------------------------------------------

  function channels(colour) {
    return [1, 3, 5].map((at) => parseInt(colour.slice(at, at + 2), 16));
  }

  function mix(first, second, amount) {
    const a = channels(first), b = channels(second);
    return "#" + a.map((x, i) => roundHalfEven(x + (b[i] - x) * amount).toString(16).padStart(2, "0")).join("");
  }

  const rampCache = new Map();

  function ramp(theme, step) {
    const key = theme.name + step;
    let colour = rampCache.get(key);
    if (colour === undefined) {
      const position = step / 64;
      colour = position < 0.5 ? mix(theme.grad_small, theme.grad_mid, position * 2)
        : mix(theme.grad_mid, theme.grad_large, position * 2 - 1);
      rampCache.set(key, colour);
    }
    return colour;
  }

  function gradientColour(theme, magnitude) {
    if (magnitude === null || magnitude === undefined) return theme.edge_idle;
    if (!Number.isFinite(magnitude)) return theme.grad_bad;
    if (magnitude === 0) return theme.grad_zero;
    const position = Math.min(Math.max((Math.log10(magnitude) + 4) / 8, 0), 1);
    return ramp(theme, roundHalfEven(position * 64));
  }

  function stateFill(theme, state, kind) {
    if (kind === "accumulate_grad" && (state === WAITING || state === UNREACHED)) {
      return state === WAITING ? theme.leaf_fill : theme.node_fill[state];
    }
    return theme.node_fill[state];
  }

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
    this.sums = new Map(); // node -> [[position, text], ...] in order
    for (const [position, node, text] of view.sums) {
      if (!this.sums.has(node)) this.sums.set(node, []);
      this.sums.get(node).push([position, text]);
    }
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

  PassModel.prototype.runningSum = function (node, position) {
    const changes = this.sums.get(node);
    if (changes === undefined) return "";
    let low = 0, high = changes.length; // the last change at or before the position
    while (low < high) {
      const middle = (low + high) >> 1;
      if (changes[middle][0] <= position) low = middle + 1; else high = middle;
    }
    return low === 0 ? "" : changes[low - 1][1];
  };

  PassModel.prototype.header = function (position) {
    const total = this.stepCount();
    if (position === 0) return "Step 0 / " + total + ": ready";
    const name = this.trace.nodes[this.active(position)].name;
    return "Step " + position + " / " + total + ": " + (name.endsWith("AccumulateGrad") ? "AccumulateGrad" : name);
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

  // Nodes whose torch name, variable or module path contains the query (explorer/core/search.py)
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

  // Boxes and edge polylines in scene units, for one pass in one of its layouts, folded or not.
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
    const size = boxes.length;
    this.size = size;
    this.reference = Int32Array.from(boxes, (box) => box[0]);
    this.x = Float64Array.from(boxes, (box) => box[1]);
    this.y = Float64Array.from(boxes, (box) => box[2]);
    this.w = Float64Array.from(boxes, (box) => box[3]);
    this.members = fold ? fold.groups.members : [];
    this.groupTitles = fold ? fold.groups.title : [];
    this.groupSubtitles = fold ? fold.groups.subtitle : [];
    this.groupLabels = fold ? fold.groups.label : [];
    this.buildEdges(fold ? fold.bends : layout.bends);
    this.bounds = this.measure();
  }

  Picture.prototype.buildEdges = function (bends) {
    const model = this.model, height = NODE_HEIGHT;
    const edges = [], points = [];
    const starts = [0];
    for (let e = 0; e < model.edgeNode.length; e++) {
      if (bends[e] === null) continue; // inside a folded group
      const source = this.display[model.edgeNext[e]], target = this.display[model.edgeNode[e]];
      if (source < 0 || target < 0 || source === target) continue;
      const sx = this.x[source], sy = this.y[source], tx = this.x[target], ty = this.y[target];
      const sideways = this.orientation === "LR" || sy >= ty;
      points.push(sideways ? sx + this.w[source] / 2 : sx, sideways ? sy : sy + height / 2);
      for (const value of bends[e]) points.push(value);
      points.push(sideways ? tx - this.w[target] / 2 : tx, sideways ? ty : ty - height / 2);
      edges.push(e);
      starts.push(points.length / 2);
    }
    this.edges = Int32Array.from(edges); // picture edge -> trace edge
    this.points = Float64Array.from(points);
    this.starts = Int32Array.from(starts); // picture edge k: points starts[k] .. starts[k+1]-1
    const count = edges.length;
    this.edgeBox = new Float64Array(count * 4); // the whole polyline
    this.lastBox = new Float64Array(count * 4); // its last piece (curve, arrowhead, label)
    for (let k = 0; k < count; k++) {
      let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
      for (let p = this.starts[k]; p < this.starts[k + 1]; p++) {
        const x = this.points[2 * p], y = this.points[2 * p + 1];
        if (x < left) left = x; if (x > right) right = x; if (y < top) top = y; if (y > bottom) bottom = y;
      }
      this.edgeBox.set([left, top, right, bottom], 4 * k);
      const a = this.starts[k + 1] - 2, b = a + 1;
      const ax = this.points[2 * a], ay = this.points[2 * a + 1], bx = this.points[2 * b], by = this.points[2 * b + 1];
      this.lastBox.set([Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by)], 4 * k);
    }
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

  // The state of every box and edge at one position: what a frame needs, worked out per step.
  Picture.prototype.at = function (position) {
    const model = this.model, size = this.size;
    const states = new Array(size), flowIn = new Map(), flowOut = new Map();
    for (let i = 0; i < size; i++) {
      const reference = this.reference[i];
      states[i] = reference >= 0 ? model.state(reference, position) : this.groupState(-reference - 1, position);
    }
    const count = this.edges.length;
    const delivered = new Uint8Array(count);
    for (let k = 0; k < count; k++) {
      const e = this.edges[k];
      delivered[k] = model.delivered(e, position) ? 1 : 0;
      const magnitude = model.magnitude[e];
      if (this.folded && delivered[k] && magnitude !== null) {
        const source = this.display[model.edgeNext[e]], target = this.display[model.edgeNode[e]];
        if (!flowIn.has(source)) flowIn.set(source, []);
        if (!flowOut.has(target)) flowOut.set(target, []);
        flowIn.get(source).push(magnitude);
        flowOut.get(target).push(magnitude);
      }
    }
    return { position: position, states: states, delivered: delivered, flowIn: flowIn, flowOut: flowOut };
  };

  // A folded group's state from its members' (explorer/core/groups.py)
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

  // The lines of text of box i: title, torch name (leaves), subtitle, running sum (as the
  // core's scene gives them)
  Picture.prototype.lines = function (i, frame) {
    const reference = this.reference[i], model = this.model, position = frame.position;
    if (reference >= 0) {
      const nodes = model.view.nodes;
      return [nodes.title[reference], nodes.torch[reference], model.subtitle(reference, position), model.runningSum(reference, position)];
    }
    const group = -reference - 1, entering = frame.flowIn.get(i) || [], leaving = frame.flowOut.get(i) || [];
    const flow = entering.length || leaving.length
      ? "grad in \u2016\u00b7\u2016=" + formatG(norm(entering), 4) + " \u2192 out \u2016\u00b7\u2016=" + formatG(norm(leaving), 4) : "";
    return [this.groupTitles[group], this.groupSubtitles[group], flow];
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

  // ----- drawing -----------------------------------------------------------------------------

  function Renderer(canvas) {
    this.canvas = canvas;
    this.context = canvas.getContext("2d", { alpha: false });
    this.scale = 1; this.tx = 0; this.ty = 0; // screen = scene * scale + translation
    this.width = 1; this.height = 1; this.ratio = 1;
    this.widths = new Map(); // text -> width at its size
    this.visibleBoxes = [];
  }

  Renderer.prototype.resize = function () {
    const box = this.canvas.getBoundingClientRect();
    this.ratio = window.devicePixelRatio || 1;
    this.width = Math.max(1, box.width); this.height = Math.max(1, box.height);
    this.canvas.width = Math.round(this.width * this.ratio);
    this.canvas.height = Math.round(this.height * this.ratio);
  };

  Renderer.prototype.area = function (margin) {
    const s = this.scale;
    return [-this.tx / s - margin, -this.ty / s - margin, (this.width - this.tx) / s + margin, (this.height - this.ty) / s + margin];
  };

  function meets(boxes, k, area) {
    const at = 4 * k;
    return boxes[at + 2] >= area[0] && boxes[at] <= area[2] && boxes[at + 3] >= area[1] && boxes[at + 1] <= area[3];
  }

  Renderer.prototype.textWidth = function (text, font) {
    const key = font + "\u0000" + text;
    let width = this.widths.get(key);
    if (width === undefined) {
      this.context.font = font;
      width = this.context.measureText(text).width;
      this.widths.set(key, width);
    }
    return width;
  };

  Renderer.prototype.draw = function (picture, frame, theme, marks) {
    const ctx = this.context, ratio = this.ratio, s = this.scale;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, this.width, this.height);
    this.visibleBoxes = [];
    if (!picture) return;
    ctx.setTransform(ratio * s, 0, 0, ratio * s, ratio * this.tx, ratio * this.ty);
    const area = this.area(0);
    const boxes = this.boxesIn(picture, area);
    this.visibleBoxes = boxes;
    if (s * NODE_HEIGHT < OVERVIEW_BELOW) {
      this.drawOverview(picture, frame, theme, area, boxes, marks);
    } else {
      const showText = s * BODY_PX >= TEXT_FROM;
      this.drawEdges(picture, frame, theme, area, showText);
      for (const i of boxes) this.drawBox(picture, frame, theme, i, showText, marks);
    }
  };

  Renderer.prototype.boxesIn = function (picture, area) {
    const found = [], half = NODE_HEIGHT / 2;
    for (let i = 0; i < picture.size; i++) {
      const x = picture.x[i], y = picture.y[i], w = picture.w[i] / 2;
      if (x + w >= area[0] && x - w <= area[2] && y + half >= area[1] && y - half <= area[3]) found.push(i);
    }
    return found;
  };

  Renderer.prototype.edgeColour = function (picture, frame, theme, k) {
    return frame.delivered[k] ? gradientColour(theme, picture.model.magnitude[picture.edges[k]]) : theme.edge_idle;
  };

  // Far out: every edge a thin straight polyline and every box a block, one path per colour.
  Renderer.prototype.drawOverview = function (picture, frame, theme, area, boxes, marks) {
    const ctx = this.context, paths = new Map();
    for (let k = 0; k < picture.edges.length; k++) {
      if (!meets(picture.edgeBox, k, area)) continue;
      const colour = this.edgeColour(picture, frame, theme, k);
      let path = paths.get(colour);
      if (path === undefined) { path = new Path2D(); paths.set(colour, path); }
      const first = picture.starts[k], last = picture.starts[k + 1];
      path.moveTo(picture.points[2 * first], picture.points[2 * first + 1]);
      for (let p = first + 1; p < last; p++) path.lineTo(picture.points[2 * p], picture.points[2 * p + 1]);
    }
    ctx.lineWidth = 1 / this.scale;
    for (const [colour, path] of paths) { ctx.strokeStyle = colour; ctx.stroke(path); }
    const fills = new Map(), half = NODE_HEIGHT / 2;
    for (const i of boxes) {
      const colour = stateFill(theme, frame.states[i], picture.kindOf(i));
      let path = fills.get(colour);
      if (path === undefined) { path = new Path2D(); fills.set(colour, path); }
      path.rect(picture.x[i] - picture.w[i] / 2, picture.y[i] - half, picture.w[i], NODE_HEIGHT);
    }
    for (const [colour, path] of fills) { ctx.fillStyle = colour; ctx.fill(path); }
    const active = boxes.filter((i) => frame.states[i] === ACTIVE || marks.has(i));
    ctx.lineWidth = 3 / this.scale;
    for (const i of active) {
      ctx.strokeStyle = frame.states[i] === ACTIVE ? theme.active_outline : theme.root_outline;
      ctx.strokeRect(picture.x[i] - picture.w[i] / 2, picture.y[i] - half, picture.w[i], NODE_HEIGHT);
    }
  };

  function bezierPoint(a, b, c, d, t) {
    const u = 1 - t;
    return u * u * u * a + 3 * u * u * t * b + 3 * u * t * t * c + t * t * t * d;
  }

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

  Renderer.prototype.drawEdges = function (picture, frame, theme, area, showText) {
    const ctx = this.context, near = [area[0] - LABEL_MARGIN, area[1] - LABEL_MARGIN, area[2] + LABEL_MARGIN, area[3] + LABEL_MARGIN];
    const strokes = new Map(), heads = new Map(), labels = [];
    for (let k = 0; k < picture.edges.length; k++) {
      if (!meets(picture.edgeBox, k, area)) continue;
      const colour = this.edgeColour(picture, frame, theme, k), delivered = frame.delivered[k] === 1;
      const style = colour + (delivered ? "|3.2" : "|1.6");
      let path = strokes.get(style);
      if (path === undefined) { path = new Path2D(); strokes.set(style, path); }
      const first = picture.starts[k], last = picture.starts[k + 1] - 1, p = picture.points;
      path.moveTo(p[2 * first], p[2 * first + 1]);
      for (let q = first + 1; q < last; q++) path.lineTo(p[2 * q], p[2 * q + 1]);
      const c = picture.curve(k);
      if (last - first > 1) path.lineTo(c[0], c[1]); else path.moveTo(c[0], c[1]);
      path.bezierCurveTo(c[2], c[3], c[4], c[5], c[6], c[7]);
      if (!meets(picture.lastBox, k, near)) continue;
      if (c[6] >= area[0] && c[6] <= area[2] && c[7] >= area[1] && c[7] <= area[3]) {
        let head = heads.get(colour);
        if (head === undefined) { head = new Path2D(); heads.set(colour, head); }
        arrowhead(head, c);
      }
      if (showText) {
        const model = picture.model, e = picture.edges[k];
        const text = delivered ? model.view.edges.sent[e] : model.view.edges.shape[e];
        if (text) labels.push([c, text, colour, delivered]);
      }
    }
    ctx.lineCap = "round";
    for (const [style, path] of strokes) {
      const [colour, width] = style.split("|");
      ctx.strokeStyle = colour; ctx.lineWidth = Number(width); ctx.stroke(path);
    }
    for (const [colour, head] of heads) { ctx.fillStyle = colour; ctx.fill(head); }
    const placed = new LabelGrid();
    for (const [c, text, colour, delivered] of labels) this.drawLabel(c, text, colour, delivered, theme, placed);
  };

  function arrowhead(path, c) {
    const t = 0.98, u = 1 - t; // the direction near the end of the curve
    const dx = 3 * u * u * (c[2] - c[0]) + 6 * u * t * (c[4] - c[2]) + 3 * t * t * (c[6] - c[4]);
    const dy = 3 * u * u * (c[3] - c[1]) + 6 * u * t * (c[5] - c[3]) + 3 * t * t * (c[7] - c[5]);
    const angle = Math.atan2(dy, dx), size = 11, tipX = c[6], tipY = c[7];
    path.moveTo(tipX, tipY);
    path.lineTo(tipX - size * Math.cos(angle - 0.4), tipY - size * Math.sin(angle - 0.4));
    path.lineTo(tipX - size * Math.cos(angle + 0.4), tipY - size * Math.sin(angle + 0.4));
    path.closePath();
  }

  function LabelGrid() { this.cells = new Map(); }
  LabelGrid.CELL = 240;
  LabelGrid.prototype.keys = function (box) {
    const keys = [], cell = LabelGrid.CELL;
    for (let column = Math.floor(box[0] / cell); column <= Math.floor(box[2] / cell); column++) {
      for (let row = Math.floor(box[1] / cell); row <= Math.floor(box[3] / cell); row++) keys.push(column + "," + row);
    }
    return keys;
  };
  LabelGrid.prototype.overlaps = function (box) {
    return this.keys(box).some((key) => (this.cells.get(key) || []).some((other) =>
      box[0] < other[2] && box[2] > other[0] && box[1] < other[3] && box[3] > other[1]));
  };
  LabelGrid.prototype.add = function (box) {
    for (const key of this.keys(box)) {
      if (!this.cells.has(key)) this.cells.set(key, []);
      this.cells.get(key).push(box);
    }
  };

  Renderer.prototype.drawLabel = function (c, text, colour, delivered, theme, placed) {
    const ctx = this.context, font = (delivered ? "bold " : "") + BODY_PX + "px " + FONT;
    const width = this.textWidth(text, font) + 10, height = BODY_PX * LINE + 4;
    let box = null;
    for (const spot of LABEL_SPOTS) {
      const x = bezierPoint(c[0], c[2], c[4], c[6], spot), y = bezierPoint(c[1], c[3], c[5], c[7], spot);
      box = [x - width / 2, y - height / 2, x + width / 2, y + height / 2];
      if (!placed.overlaps(box)) break;
    }
    placed.add(box);
    ctx.beginPath();
    ctx.roundRect(box[0], box[1], width, height, 5);
    ctx.fillStyle = theme.background; ctx.fill();
    ctx.lineWidth = 1; ctx.strokeStyle = delivered ? colour : theme.border; ctx.stroke();
    ctx.font = font; ctx.fillStyle = delivered ? colour : theme.muted;
    ctx.textAlign = "center"; ctx.textBaseline = "middle";
    ctx.fillText(text, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2 + 0.5);
  };

  Renderer.prototype.drawBox = function (picture, frame, theme, i, showText, marks) {
    const ctx = this.context, state = frame.states[i], kind = picture.kindOf(i);
    const w = picture.w[i], left = picture.x[i] - w / 2, top = picture.y[i] - NODE_HEIGHT / 2;
    let outline = theme.border, width = 1.5;
    if (picture.isRoot(i)) { outline = theme.root_outline; width = 3; }
    if (state === ACTIVE) { outline = theme.active_outline; width = 4.5; }
    const marked = marks.has(i);
    if (marked) width += 2;
    ctx.beginPath();
    ctx.roundRect(left, top, w, NODE_HEIGHT, kind === "accumulate_grad" ? NODE_HEIGHT / 2 : 10);
    ctx.fillStyle = stateFill(theme, state, kind); ctx.fill();
    ctx.setLineDash(marked ? [6, 4] : []);
    ctx.lineWidth = width; ctx.strokeStyle = outline; ctx.stroke();
    ctx.setLineDash([]);
    if (!showText) return;
    const lines = picture.lines(i, frame).filter((line, n) => n === 0 || line);
    const sizes = lines.map((line, n) => (n === 0 ? TITLE_PX : BODY_PX) * LINE);
    let y = picture.y[i] - sizes.reduce((a, b) => a + b, 0) / 2;
    ctx.fillStyle = theme.node_text; ctx.textAlign = "center"; ctx.textBaseline = "middle";
    lines.forEach((line, n) => {
      const px = n === 0 ? TITLE_PX : BODY_PX, weight = n === 0 ? "bold " : "";
      let font = weight + px + "px " + FONT;
      const room = w - 8, measured = this.textWidth(line, font);
      if (measured > room) font = weight + (px * room / measured).toFixed(2) + "px " + FONT; // another font than the app's
      ctx.font = font;
      ctx.fillText(line, picture.x[i], y + sizes[n] / 2);
      y += sizes[n];
    });
  };

  // ----- the page ----------------------------------------------------------------------------

  function Page(trace, data) {
    this.trace = trace;
    this.data = data;
    this.element = (id) => document.getElementById(id);
    this.renderer = new Renderer(this.element("canvas"));
    this.theme = data.themes[data.theme] || data.themes.light;
    this.models = trace.passes.map((pass, i) => new PassModel(pass, data.passes[i]));
    this.passIndex = Math.min(data.start.pass, Math.max(0, this.models.length - 1));
    this.position = 0;
    this.folded = false;
    this.marks = new Set();
    this.matches = []; this.match = -1;
    this.playing = null;
    this.touched = false; // the user has not moved the view yet
    this.frames = 0;
    this.pending = false;
    this.setUpText();
    this.setUpControls();
    this.setUpPointer();
    this.applyTheme(data.theme);
    this.showPass(this.passIndex, data.start.step);
  }

  Page.prototype.setUpText = function () {
    const text = this.data.text || {}, $ = this.element;
    $("title").textContent = text.title || "Autograd Explorer";
    $("version").textContent = this.data.version || "";
    if (text.home) { $("home").hidden = false; $("home").setAttribute("href", text.home); }
    if (text.explanation || text.idea) {
      $("lesson").hidden = false;
      $("section").textContent = text.section || "";
      $("idea").textContent = text.idea || "";
      $("explanation").textContent = text.explanation || "";
    }
    if (this.data.error) {
      const error = this.data.error;
      $("error").hidden = false;
      $("error").textContent = "The program stopped" + (error.line ? " at line " + error.line : "") + ": " + error.message;
    }
    if (text.code) { $("code-box").hidden = false; this.showCode(text.code, 0); }
    if (this.data.stdout) { $("output-box").hidden = false; $("stdout").textContent = this.data.stdout; }
    if (this.models.length > 1) {
      const select = $("pass");
      select.hidden = false;
      this.models.forEach((model, i) => {
        const option = document.createElement("option");
        const call = model.trace.call || "backward";
        option.value = String(i);
        option.textContent = "Pass " + (i + 1) + ": " + call + (model.trace.line ? " (line " + model.trace.line + ")" : "");
        select.appendChild(option);
      });
    }
  };

  Page.prototype.showCode = function (code, mark) {
    const pre = this.element("code");
    pre.textContent = "";
    code.replace(/\n$/, "").split("\n").forEach((line, n) => {
      const row = document.createElement("span"), number = document.createElement("span");
      row.className = n + 1 === mark ? "line mark" : "line";
      number.className = "number"; number.textContent = String(n + 1);
      row.appendChild(number); row.appendChild(document.createTextNode(line || " "));
      pre.appendChild(row);
    });
  };

  Page.prototype.setUpControls = function () {
    const $ = this.element;
    $("first").addEventListener("click", () => this.jump(0));
    $("back").addEventListener("click", () => this.jump(this.position - 1));
    $("next").addEventListener("click", () => this.jump(this.position + 1));
    $("last").addEventListener("click", () => this.jump(this.model ? this.model.stepCount() : 0));
    $("play").addEventListener("click", () => this.togglePlay());
    $("slider").addEventListener("input", (event) => this.jump(Number(event.target.value)));
    $("pass").addEventListener("change", (event) => this.showPass(Number(event.target.value), 0));
    $("fit").addEventListener("click", () => { this.fit(); this.redraw(); });
    $("fold").addEventListener("click", () => this.setFolded(!this.folded));
    $("compact").addEventListener("click", () => this.toggleCompact());
    $("theme").addEventListener("change", (event) => { this.applyTheme(event.target.value); this.redraw(); });
    $("search").addEventListener("keydown", (event) => {
      if (event.key === "Enter") { this.search(event.target.value, event.shiftKey ? -1 : 1); event.preventDefault(); }
      if (event.key === "Escape") { event.target.value = ""; this.search("", 1); event.target.blur(); }
    });
    $("search").addEventListener("input", (event) => { if (!event.target.value) this.search("", 1); });
    document.addEventListener("keydown", (event) => this.onKey(event));
    if (window.ResizeObserver) new ResizeObserver(() => this.onResize()).observe($("stage"));
  };

  Page.prototype.onKey = function (event) {
    const target = event.target, typing = target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA");
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    const steps = this.model ? this.model.stepCount() : 0;
    const actions = {
      ArrowRight: () => this.jump(this.position + 1), ArrowLeft: () => this.jump(this.position - 1),
      Home: () => this.jump(0), End: () => this.jump(steps), " ": () => this.togglePlay(),
      f: () => { this.fit(); this.redraw(); }, F: () => { this.fit(); this.redraw(); },
      "/": () => this.element("search").focus(),
      "+": () => this.zoomBy(1.25), "=": () => this.zoomBy(1.25), "-": () => this.zoomBy(0.8),
    };
    const action = actions[event.key];
    if (action) { action(); event.preventDefault(); }
  };

  Page.prototype.setUpPointer = function () {
    const canvas = this.element("canvas"), renderer = this.renderer;
    let drag = null;
    canvas.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, y: event.clientY, moved: false };
      canvas.setPointerCapture(event.pointerId);
      canvas.focus({ preventScroll: true });
    });
    canvas.addEventListener("pointermove", (event) => {
      if (drag) {
        const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 2) { drag.moved = true; canvas.classList.add("dragging"); }
        renderer.tx += dx; renderer.ty += dy; drag.x = event.clientX; drag.y = event.clientY;
        this.touched = true;
        this.hideTip();
        this.redraw();
      } else {
        this.hover(event);
      }
    });
    const release = (event) => {
      if (drag && !drag.moved) this.select(this.boxAt(event));
      drag = null; canvas.classList.remove("dragging");
    };
    canvas.addEventListener("pointerup", release);
    canvas.addEventListener("pointercancel", () => { drag = null; canvas.classList.remove("dragging"); });
    canvas.addEventListener("pointerleave", () => this.hideTip());
    canvas.addEventListener("dblclick", (event) => {
      const box = this.boxAt(event);
      if (box >= 0 && this.picture.reference[box] < 0) this.setFolded(false);
    });
    canvas.addEventListener("wheel", (event) => {
      event.preventDefault();
      const rect = canvas.getBoundingClientRect();
      const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015));
      this.zoomBy(factor, event.clientX - rect.left, event.clientY - rect.top);
    }, { passive: false });
  };

  // A new size keeps what is in the middle of the view; an untouched view is made anew.
  Page.prototype.onResize = function () {
    const renderer = this.renderer, before = [renderer.width, renderer.height];
    renderer.resize();
    if (before[0] === renderer.width && before[1] === renderer.height) return;
    if (!this.touched && this.picture) {
      const chosen = this.chooseStyle(Object.keys(this.model.view.layouts));
      this.usePicture(chosen, this.folded);
      this.frame = this.picture.at(this.position);
      this.firstView();
    } else {
      renderer.tx += (renderer.width - before[0]) / 2;
      renderer.ty += (renderer.height - before[1]) / 2;
    }
    this.redraw(true);
  };

  Page.prototype.zoomBy = function (factor, x, y) {
    const renderer = this.renderer;
    if (x === undefined) { x = renderer.width / 2; y = renderer.height / 2; }
    const scale = Math.min(MAX_ZOOM, Math.max(this.minScale(), renderer.scale * factor));
    renderer.tx = x - (x - renderer.tx) * scale / renderer.scale;
    renderer.ty = y - (y - renderer.ty) * scale / renderer.scale;
    renderer.scale = scale;
    this.touched = true;
    this.hideTip();
    this.redraw();
  };

  Page.prototype.minScale = function () { return Math.min(this.fitScale() * 0.5, 0.5); };

  Page.prototype.fitScale = function () {
    if (!this.picture) return 1;
    const b = this.picture.bounds, renderer = this.renderer;
    return Math.min(renderer.width / (b[2] - b[0]), renderer.height / (b[3] - b[1]));
  };

  Page.prototype.centreOn = function (x, y, scale) {
    const renderer = this.renderer;
    renderer.scale = scale;
    renderer.tx = renderer.width / 2 - x * scale;
    renderer.ty = renderer.height / 2 - y * scale;
  };

  Page.prototype.fit = function () {
    if (!this.picture) return;
    const b = this.picture.bounds;
    this.centreOn((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, Math.min(this.fitScale(), 1.5));
  };

  // The first view: the whole graph when its text is readable that way; otherwise readable
  // text around the middle of a small graph, or around the output of a big one (where the
  // backward pass starts).
  Page.prototype.firstView = function () {
    if (!this.picture) return;
    const fit = this.fitScale(), b = this.picture.bounds;
    if (fit >= READABLE) { this.centreOn((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, Math.min(fit, 1.25)); return; }
    if (this.picture.size <= 60) { this.centreOn((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, READABLE); return; }
    const root = this.rootBox();
    this.centreOn(this.picture.x[root], this.picture.y[root], 1);
  };

  Page.prototype.rootBox = function () {
    const model = this.model, root = model.index.get(model.trace.root);
    return root === undefined ? 0 : Math.max(0, this.picture.display[root]);
  };

  Page.prototype.showPass = function (index, step) {
    this.stopPlay();
    this.passIndex = index;
    this.model = this.models[index] || null;
    const $ = this.element;
    $("pass").value = String(index);
    if (!this.model) {
      this.picture = null;
      $("empty").hidden = false;
      $("empty").textContent = this.data.error ? "No backward pass ran before the error." : "This program made no backward pass.";
      $("slider").max = "0";
      $("header").textContent = "No backward pass";
      this.renderer.resize();
      this.redraw(true);
      return;
    }
    const view = this.model.view, styles = Object.keys(view.layouts);
    this.folded = Boolean(view.open_folded && view.layouts[styles[0]].folded);
    $("compact").hidden = !(view.layouts.standard && view.layouts.compact);
    $("slider").max = String(this.model.stepCount());
    this.renderer.resize();
    this.usePicture(this.chooseStyle(styles), this.folded);
    this.firstView();
    if (this.data.text && this.data.text.code) this.showCode(this.data.text.code, this.model.trace.line || 0);
    this.jump(step, true);
  };

  // The standard layout when the whole graph is readable in it, else the compact one if any.
  Page.prototype.chooseStyle = function (styles) {
    if (styles.length === 1) return styles[0];
    this.usePicture("standard", this.folded);
    return this.fitScale() >= READABLE ? "standard" : "compact";
  };

  Page.prototype.usePicture = function (style, folded) {
    const layout = this.model.view.layouts[style], $ = this.element;
    this.folded = Boolean(folded && layout.folded);
    this.picture = new Picture(this.model, style, this.folded);
    $("fold").hidden = !layout.folded;
    $("fold").textContent = this.folded ? "Unfold" : "Fold";
    $("compact").setAttribute("aria-pressed", String(style === "compact"));
    this.marks.clear(); this.matches = []; this.query = "";
  };

  Page.prototype.setFolded = function (folded) {
    if (!this.picture || folded === this.folded) return;
    this.usePicture(this.picture.style, folded);
    this.fit();
    this.frame = this.picture.at(this.position);
    this.redraw();
  };

  Page.prototype.toggleCompact = function () {
    if (!this.picture) return;
    this.usePicture(this.picture.style === "compact" ? "standard" : "compact", this.folded);
    this.firstView();
    this.frame = this.picture.at(this.position);
    this.redraw();
  };

  Page.prototype.jump = function (position, immediately) {
    if (!this.model) return;
    const steps = this.model.stepCount();
    position = Math.max(0, Math.min(steps, position));
    this.position = position;
    this.frame = this.picture.at(position);
    const $ = this.element;
    $("slider").value = String(position);
    $("header").textContent = this.model.header(position);
    this.showNarration(position);
    this.showLeaves(position);
    this.follow();
    if (position >= steps) this.stopPlay();
    this.redraw(immediately);
  };

  Page.prototype.showNarration = function (position) {
    const story = this.model.narration(position), box = this.element("narration");
    box.textContent = "";
    story.forEach((text, n) => {
      const paragraph = document.createElement(n === 0 ? "h3" : "p");
      paragraph.textContent = text;
      box.appendChild(paragraph);
    });
  };

  Page.prototype.showLeaves = function (position) {
    const model = this.model, table = this.element("leaves");
    table.textContent = "";
    let shown = 0;
    for (let i = 0; i < model.count && shown < 40; i++) {
      if (model.kind[i] !== "accumulate_grad" || !model.trace.nodes[i].variable) continue;
      const row = table.insertRow(), name = row.insertCell(), grad = row.insertCell();
      name.textContent = model.view.nodes.title[i];
      grad.textContent = model.subtitle(i, position);
      shown++;
    }
    this.element("leaves-box").hidden = shown === 0;
  };

  // Keep the active box on screen while stepping (the view moves only when it has left it)
  Page.prototype.follow = function () {
    const active = this.model.active(this.position);
    if (active < 0) return;
    const box = this.picture.display[active];
    if (box < 0) return;
    const renderer = this.renderer, s = renderer.scale;
    const x = this.picture.x[box] * s + renderer.tx, y = this.picture.y[box] * s + renderer.ty;
    const marginX = Math.min(renderer.width / 4, this.picture.w[box] * s), marginY = Math.min(renderer.height / 4, NODE_HEIGHT * s);
    if (x < marginX || x > renderer.width - marginX || y < marginY || y > renderer.height - marginY) {
      this.centreOn(this.picture.x[box], this.picture.y[box], s);
    }
  };

  Page.prototype.togglePlay = function () {
    if (this.playing) { this.stopPlay(); return; }
    if (!this.model) return;
    if (this.position >= this.model.stepCount()) this.jump(0);
    this.playing = setInterval(() => this.jump(this.position + 1), PLAY_MS);
    this.element("play").textContent = "Pause";
  };

  Page.prototype.stopPlay = function () {
    if (this.playing) clearInterval(this.playing);
    this.playing = null;
    this.element("play").textContent = "Play";
  };

  Page.prototype.search = function (query, direction) {
    const $ = this.element;
    if (!this.picture || !query.trim()) { this.matches = []; this.marks.clear(); $("matches").textContent = ""; this.redraw(); return; }
    if (query !== this.query) { this.matches = this.picture.find(query); this.match = -1; this.query = query; }
    if (!this.matches.length) { $("matches").textContent = "none"; this.marks.clear(); this.redraw(); return; }
    this.match = (this.match + direction + this.matches.length) % this.matches.length;
    const box = this.matches[this.match];
    this.marks = new Set([box]);
    $("matches").textContent = (this.match + 1) + " of " + this.matches.length;
    this.centreOn(this.picture.x[box], this.picture.y[box], Math.max(this.renderer.scale, READABLE));
    this.redraw();
  };

  Page.prototype.select = function (box) {
    this.marks = box >= 0 ? new Set([box]) : new Set();
    this.redraw();
  };

  Page.prototype.boxAt = function (event) {
    if (!this.picture) return -1;
    const rect = this.element("canvas").getBoundingClientRect(), renderer = this.renderer;
    const x = (event.clientX - rect.left - renderer.tx) / renderer.scale, y = (event.clientY - rect.top - renderer.ty) / renderer.scale;
    const boxes = renderer.visibleBoxes;
    for (let n = boxes.length - 1; n >= 0; n--) {
      const i = boxes[n];
      if (Math.abs(this.picture.x[i] - x) <= this.picture.w[i] / 2 && Math.abs(this.picture.y[i] - y) <= NODE_HEIGHT / 2) return i;
    }
    return -1;
  };

  Page.prototype.hover = function (event) {
    const box = this.boxAt(event), tip = this.element("tip");
    if (box < 0) { this.hideTip(); return; }
    const rect = this.element("stage").getBoundingClientRect();
    tip.textContent = this.picture.tooltip(box, this.position);
    tip.hidden = false;
    const x = event.clientX - rect.left + 14, y = event.clientY - rect.top + 14;
    tip.style.left = Math.min(x, rect.width - tip.offsetWidth - 4) + "px";
    tip.style.top = Math.min(y, rect.height - tip.offsetHeight - 4) + "px";
  };

  Page.prototype.hideTip = function () { this.element("tip").hidden = true; };

  Page.prototype.applyTheme = function (name) {
    const theme = this.data.themes[name] || this.data.themes.light, style = document.documentElement.style;
    this.theme = theme;
    this.element("theme").value = theme.name;
    const colours = { background: theme.background, foreground: theme.foreground, muted: theme.muted,
      panel: theme.panel, border: theme.border, accent: theme.root_outline, error: theme.error };
    for (const [key, value] of Object.entries(colours)) style.setProperty("--" + key, value);
    document.documentElement.style.colorScheme = name === "dark" ? "dark" : "light";
    this.element("ramp").style.background = "linear-gradient(to right, " + theme.grad_small + ", " + theme.grad_mid + ", " + theme.grad_large + ")";
  };

  // Draw now (the first picture, for a screenshot taken at load) or at the next frame.
  Page.prototype.redraw = function (immediately) {
    if (immediately) { this.paint(); return; }
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.paint(); });
  };

  Page.prototype.paint = function () {
    this.renderer.draw(this.picture, this.frame, this.theme, this.marks);
    this.frames++;
    const status = this.element("status");
    status.textContent = this.picture && this.renderer.scale * NODE_HEIGHT < OVERVIEW_BELOW
      ? "Overview: zoom in (wheel) to read the boxes" : "";
  };

  // ----- for tests and benchmarks ------------------------------------------------------------

  // Pan across the graph for `count` frames, each drawn and flushed to pixels; milliseconds each.
  Page.prototype.measurePan = function (count, scale) {
    const renderer = this.renderer, b = this.picture.bounds, times = [];
    this.centreOn((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, scale || Math.min(this.fitScale(), 1.5));
    const pixel = renderer.context;
    for (let n = 0; n < count; n++) {
      const start = performance.now();
      renderer.tx += 7; renderer.ty += 5;
      this.paint();
      pixel.getImageData(0, 0, 1, 1); // waits until the frame is really drawn
      times.push(performance.now() - start);
    }
    return times;
  };

  Page.prototype.snapshot = function () {
    const model = this.model;
    if (!model) return { position: 0, steps: 0, header: this.element("header").textContent };
    const active = model.active(this.position);
    return {
      position: this.position,
      steps: model.stepCount(),
      header: model.header(this.position),
      active: active >= 0 ? model.trace.nodes[active].id : null,
      activeTitle: active >= 0 ? model.view.nodes.title[active] : null,
      narration: model.narration(this.position),
      folded: this.folded,
      style: this.picture.style,
      scale: this.renderer.scale,
      boxes: this.picture.size,
      visible: this.renderer.visibleBoxes.length,
      frames: this.frames,
    };
  };

  // The scene as the core's build_scene gives it, from the page's stepper (tests compare).
  Page.prototype.scene = function (position) {
    const model = this.model, nodes = [], edges = [];
    for (let i = 0; i < model.count; i++) {
      nodes.push({ id: model.trace.nodes[i].id, title: model.view.nodes.title[i], subtitle: model.subtitle(i, position),
        state: model.state(i, position), running_sum: model.runningSum(i, position), tooltip: model.tooltip(i, position) });
    }
    for (let e = 0; e < model.edgeNode.length; e++) {
      const delivered = model.delivered(e, position);
      edges.push({ delivered: delivered, grad_text: delivered ? model.view.edges.sent[e] : "",
        colour: delivered ? gradientColour(this.theme, model.magnitude[e]) : this.theme.edge_idle });
    }
    return { header: model.header(position), nodes: nodes, edges: edges };
  };

  // ----- start -------------------------------------------------------------------------------

  function readData(id) {
    const element = document.getElementById("data-" + id);
    if (element.type === "application/json") return JSON.parse(element.textContent);
    const bytes = Uint8Array.from(atob(element.textContent.trim()), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }

  function start(trace, data) {
    const page = new Page(trace, data);
    window.explorerPage = page;
    window.explorerTools = { formatG: formatG, gradientColour: gradientColour, mix: mix };
    document.documentElement.setAttribute("data-ready", "true");
  }

  function fail(error) {
    const empty = document.getElementById("empty");
    empty.hidden = false;
    empty.textContent = "This page could not be shown: " + error;
    document.documentElement.setAttribute("data-ready", "error");
  }

  try {
    const trace = readData("trace"), data = readData("view");
    if (trace instanceof Promise || data instanceof Promise) {
      document.getElementById("status").textContent = "Unpacking the graph\u2026";
      Promise.all([trace, data]).then((both) => start(both[0], both[1])).catch(fail);
    } else {
      start(trace, data);
    }
  } catch (error) {
    fail(error);
  }
})();
