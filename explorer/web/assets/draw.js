// Drawing a picture on the canvas, as the window's painter does (explorer/ui/canvas/scene_painter.py):
// only what is on screen, text only where it is readable, and far out boxes and lines alone.

function Renderer(canvas) {
  this.canvas = canvas;
  this.context = canvas.getContext("2d", { alpha: false });
  this.scale = 1; this.tx = 0; this.ty = 0; // screen = scene * scale + translation
  this.width = 1; this.height = 1; this.ratio = 1;
  this.widths = new Map(); // font and text -> width
  this.visibleBoxes = [];
}

// Setting a canvas's size clears it (to black: it is opaque), even to the size it has: only a
// new size is set, so the observer's first call, at the size drawn, keeps the first picture.
Renderer.prototype.resize = function () {
  const box = this.canvas.getBoundingClientRect();
  this.ratio = window.devicePixelRatio || 1;
  this.width = Math.max(1, box.width); this.height = Math.max(1, box.height);
  const width = Math.round(this.width * this.ratio), height = Math.round(this.height * this.ratio);
  if (this.canvas.width !== width) this.canvas.width = width;
  if (this.canvas.height !== height) this.canvas.height = height;
};

// The part of the scene on screen, [left, top, right, bottom], widened by `margin` units
Renderer.prototype.area = function (margin) {
  const s = this.scale;
  return [-this.tx / s - margin, -this.ty / s - margin, (this.width - this.tx) / s + margin, (this.height - this.ty) / s + margin];
};

function meets(boxes, n, area) {
  const at = 4 * n;
  return boxes[at + 2] >= area[0] && boxes[at] <= area[2] && boxes[at + 3] >= area[1] && boxes[at + 1] <= area[3];
}

Renderer.prototype.textWidth = function (text, font) {
  const key = font + "\u0000" + text;
  let width = this.widths.get(key);
  if (width === undefined) {
    if (this.widths.size > 20000) this.widths.clear();
    this.context.font = font;
    width = this.context.measureText(text).width;
    this.widths.set(key, width);
  }
  return width;
};

Renderer.prototype.draw = function (picture, frame, marks) {
  const ctx = this.context, ratio = this.ratio, s = this.scale, theme = frame ? frame.theme : null;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = theme ? theme.background : "#ffffff";
  ctx.fillRect(0, 0, this.width, this.height);
  this.visibleBoxes = [];
  if (!picture || !frame) return;
  ctx.setTransform(ratio * s, 0, 0, ratio * s, ratio * this.tx, ratio * this.ty);
  const area = this.area(0);
  const boxes = this.boxesIn(picture, area);
  this.visibleBoxes = boxes;
  if (s * NODE_HEIGHT < OVERVIEW_BELOW) {
    this.drawOverview(picture, frame, area, boxes, marks);
    return;
  }
  const showText = s * BODY_PX >= TEXT_FROM;
  this.drawEdges(picture, frame, area, showText);
  for (const i of boxes) this.drawBox(picture, frame, i, showText, marks);
};

Renderer.prototype.boxesIn = function (picture, area) {
  const found = [], half = NODE_HEIGHT / 2, x = picture.x, y = picture.y, w = picture.w;
  for (let i = 0; i < picture.size; i++) {
    const side = w[i] / 2;
    if (x[i] + side >= area[0] && x[i] - side <= area[2] && y[i] + half >= area[1] && y[i] - half <= area[3]) found.push(i);
  }
  return found;
};

// Merged runs on screen, cut to the screen: [x, top, bottom, ...] by style ("colour|width")
function runsIn(picture, frame, area) {
  const shown = new Map();
  for (const [style, runs] of picture.mergedRuns(frame)) {
    const kept = [];
    for (let n = 0; n < runs.length; n += 3) {
      const x = runs[n], top = runs[n + 1], bottom = runs[n + 2];
      if (x >= area[0] && x <= area[2] && bottom >= area[1] && top <= area[3]) {
        kept.push(x, Math.max(top, area[1]), Math.min(bottom, area[3]));
      }
    }
    if (kept.length) shown.set(style, kept);
  }
  return shown;
}

function pathFor(paths, key) {
  let path = paths.get(key);
  if (path === undefined) { path = new Path2D(); paths.set(key, path); }
  return path;
}

// Far out: boxes as blocks, edges as one-pixel lines, one call per colour. What would cover
// less than a pixel is drawn once per pixel: a 10,000-node chain fitted on screen is a few
// hundred pixels tall, and drawing each of its boxes and edges made a frame take a tenth of a
// second.
Renderer.prototype.drawOverview = function (picture, frame, area, boxes, marks) {
  const ctx = this.context, theme = frame.theme, s = this.scale, pixel = 1 / s, p = picture.points;
  const lines = new Map();
  for (let n = 0; n < picture.pieceCount; n++) {
    if (picture.pieceKind[n] === RUN || !meets(picture.pieceBox, n, area)) continue;
    const box = 4 * n, width = picture.pieceBox[box + 2] - picture.pieceBox[box], height = picture.pieceBox[box + 3] - picture.pieceBox[box + 1];
    if ((width > height ? width : height) * s < 1) continue; // inside the pixel of a box
    const a = picture.pieceStart[n], path = pathFor(lines, frame.colours[picture.pieceEdge[n]]);
    path.moveTo(p[2 * a], p[2 * a + 1]);
    path.lineTo(p[2 * a + 2], p[2 * a + 3]);
  }
  ctx.lineWidth = pixel;
  for (const [colour, path] of lines) { ctx.strokeStyle = colour; ctx.stroke(path); }
  for (const [style, runs] of runsIn(picture, frame, area)) { // straight down: plain rectangles
    ctx.fillStyle = style.slice(0, style.indexOf("|"));
    for (let n = 0; n < runs.length; n += 3) ctx.fillRect(runs[n] - pixel / 2, runs[n + 1], pixel, runs[n + 2] - runs[n + 1]);
  }
  const fills = new Map(), half = NODE_HEIGHT / 2, seen = this.dots(), stamp = ++this.stamp;
  const across = Math.ceil(this.width);
  for (const i of boxes) {
    if (picture.w[i] * s < 2) { // a dot: one per pixel
      const px = Math.floor(picture.x[i] * s + this.tx), py = Math.floor(picture.y[i] * s + this.ty);
      const at = py * across + px;
      if (px < 0 || py < 0 || px >= across || at >= seen.length || seen[at] === stamp) continue;
      seen[at] = stamp;
    }
    const colour = stateFill(theme, frame.states[i], picture.kindOf(i));
    if (!fills.has(colour)) fills.set(colour, []);
    fills.get(colour).push(i);
  }
  for (const [colour, members] of fills) {
    ctx.fillStyle = colour;
    for (const i of members) {
      const w = Math.max(picture.w[i], 2 * pixel), h = Math.max(NODE_HEIGHT, 2 * pixel);
      ctx.fillRect(picture.x[i] - w / 2, picture.y[i] - h / 2, w, h);
    }
  }
  ctx.lineWidth = 3 * pixel;
  for (const i of boxes) {
    if (frame.states[i] !== ACTIVE && !marks.has(i)) continue;
    ctx.strokeStyle = frame.states[i] === ACTIVE ? theme.active_outline : theme.root_outline;
    ctx.strokeRect(picture.x[i] - picture.w[i] / 2, picture.y[i] - half, picture.w[i], NODE_HEIGHT);
  }
};

// One number per screen pixel, for drawing each dot once (a frame's stamp marks the pixels done)
Renderer.prototype.dots = function () {
  const size = Math.ceil(this.width) * Math.ceil(this.height);
  if (!this.seen || this.seen.length !== size) { this.seen = new Uint32Array(size); this.stamp = 0; }
  return this.seen;
};

function bezierPoint(a, b, c, d, t) {
  const u = 1 - t;
  return u * u * u * a + 3 * u * u * t * b + 3 * u * t * t * c + t * t * t * d;
}

// Close up: pieces on screen, each edge's last piece as a curve with its arrowhead and label.
Renderer.prototype.drawEdges = function (picture, frame, area, showText) {
  const ctx = this.context, theme = frame.theme, p = picture.points;
  const near = [area[0] - LABEL_MARGIN, area[1] - LABEL_MARGIN, area[2] + LABEL_MARGIN, area[3] + LABEL_MARGIN];
  const strokes = new Map(), heads = new Map(), labels = [];
  for (let n = 0; n < picture.pieceCount; n++) {
    const kind = picture.pieceKind[n];
    if (kind === RUN || !meets(picture.pieceBox, n, kind === CURVE ? near : area)) continue;
    const k = picture.pieceEdge[n], colour = frame.colours[k], delivered = frame.delivered[k] === 1;
    const path = pathFor(strokes, colour + (delivered ? "|3.2" : "|1.6")), a = picture.pieceStart[n];
    if (kind !== CURVE) {
      path.moveTo(p[2 * a], p[2 * a + 1]);
      path.lineTo(p[2 * a + 2], p[2 * a + 3]);
      continue;
    }
    const c = picture.curve(k);
    path.moveTo(c[0], c[1]);
    path.bezierCurveTo(c[2], c[3], c[4], c[5], c[6], c[7]);
    if (c[6] >= area[0] && c[6] <= area[2] && c[7] >= area[1] && c[7] <= area[3]) arrowhead(pathFor(heads, colour), c);
    if (showText) {
      const e = picture.edges[k], edges = picture.model.view.edges;
      const text = delivered ? edges.sent[e] : edges.shape[e];
      if (text) labels.push([c, text, colour, delivered]);
    }
  }
  for (const [style, runs] of runsIn(picture, frame, area)) {
    const path = pathFor(strokes, style);
    for (let n = 0; n < runs.length; n += 3) { path.moveTo(runs[n], runs[n + 1]); path.lineTo(runs[n], runs[n + 2]); }
  }
  ctx.lineCap = "round";
  for (const [style, path] of strokes) {
    const cut = style.indexOf("|");
    ctx.strokeStyle = style.slice(0, cut); ctx.lineWidth = Number(style.slice(cut + 1)); ctx.stroke(path);
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

// Placed label boxes, bucketed by area, so a new label is tested only against its neighbours
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

Renderer.prototype.drawBox = function (picture, frame, i, showText, marks) {
  const ctx = this.context, theme = frame.theme, state = frame.states[i], kind = picture.kindOf(i);
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
  const all = picture.lines(i, frame), kept = []; // title, torch line, subtitle, running sum
  all.forEach((line, n) => { if (n === 0 || line) kept.push([line, n === 0 ? TITLE_PX : n === 1 ? TORCH_PX : BODY_PX]); });
  let sizes = kept.map(([, px]) => px * LINE);
  const room = NODE_HEIGHT - 4, used = sizes.reduce((a, b) => a + b, 0);
  if (used > room) sizes = sizes.map((size) => size * room / used); // four lines: closer, inside the box
  let y = picture.y[i] - Math.min(used, room) / 2;
  ctx.fillStyle = theme.node_text; ctx.textAlign = "center"; ctx.textBaseline = "middle";
  kept.forEach(([line, px], n) => {
    const weight = n === 0 ? "bold " : "", across = w - 8;
    let font = weight + px + "px " + FONT;
    const measured = this.textWidth(line, font);
    if (measured > across) font = weight + (px * across / measured).toFixed(2) + "px " + FONT; // a wider font than DejaVu
    ctx.font = font;
    ctx.fillText(line, picture.x[i], y + sizes[n] / 2);
    y += sizes[n];
  });
};
