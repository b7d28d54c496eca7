// The page: the controls, the text beside the graph, pointer and keys, and start-up.
// Tests and benchmarks reach it as window.explorerPage.

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
      option.value = String(i);
      option.textContent = "Pass " + (model.view.index + 1) + ": " + model.view.call + (model.trace.line ? " (line " + model.trace.line + ")" : "");
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
  $("theme").addEventListener("change", (event) => {
    this.applyTheme(event.target.value);
    if (this.picture) this.frame = this.picture.at(this.position, this.theme);
    this.redraw();
  });
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
    this.frame = this.picture.at(this.position, this.theme);
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
  this.firstView();
  this.frame = this.picture.at(this.position, this.theme);
  this.follow();
  this.redraw();
};

Page.prototype.toggleCompact = function () {
  if (!this.picture) return;
  this.usePicture(this.picture.style === "compact" ? "standard" : "compact", this.folded);
  this.firstView();
  this.frame = this.picture.at(this.position, this.theme);
  this.redraw();
};

Page.prototype.jump = function (position, immediately) {
  if (!this.model) return;
  const steps = this.model.stepCount();
  position = Math.max(0, Math.min(steps, position));
  this.position = position;
  this.frame = this.picture.at(position, this.theme);
  const $ = this.element;
  $("slider").value = String(position);
  $("header").textContent = this.model.header(position);
  this.markLine(position);
  this.showNarration(position);
  this.showLeaves(position);
  this.follow();
  if (position >= steps) this.stopPlay();
  this.redraw(immediately);
};

// The code line that made the active node (or the backward call, before the first step)
Page.prototype.markLine = function (position) {
  const pre = this.element("code"), active = this.model.active(position);
  const line = (active >= 0 ? this.model.view.nodes.line[active] : null) || this.model.trace.line || 0;
  pre.querySelectorAll(".line").forEach((row, n) => row.classList.toggle("mark", n + 1 === line));
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
  this.renderer.draw(this.picture, this.frame, this.marks);
  this.frames++;
  const status = this.element("status");
  status.textContent = this.picture && this.renderer.scale * NODE_HEIGHT < OVERVIEW_BELOW
    ? "Overview: zoom in (wheel) to read the boxes" : "";
};

// ----- for tests and benchmarks ------------------------------------------------------------

// Pan for `count` frames, each drawn and flushed to pixels; milliseconds each. At `scale`
// around the output (where stepping starts), or around scene point (x, y) when given; the
// whole graph fitted when `scale` is null.
Page.prototype.measurePan = function (count, scale, x, y) {
  const renderer = this.renderer, b = this.picture.bounds, root = this.rootBox(), times = [];
  if (!scale) this.centreOn((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, this.fitScale());
  else if (x === undefined || x === null) this.centreOn(this.picture.x[root], this.picture.y[root], scale);
  else this.centreOn(x, y, scale);
  for (let n = 0; n < count; n++) {
    const start = performance.now();
    renderer.tx += n % 20 < 10 ? 9 : -9; renderer.ty += n % 20 < 10 ? 6 : -6;
    this.paint();
    renderer.context.getImageData(0, 0, 1, 1); // waits until the frame is really drawn
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

// What the picture shows at `position`, box by box and edge by edge, from the same code that
// draws it: tests compare it with the core's scene (explorer/core/view/scene.py, groups.py).
Page.prototype.scene = function (position) {
  const picture = this.picture, model = this.model, frame = picture.at(position, this.theme);
  const boxes = [], edges = [];
  for (let i = 0; i < picture.size; i++) {
    const reference = picture.reference[i], lines = picture.lines(i, frame);
    boxes.push({ id: reference >= 0 ? model.trace.nodes[reference].id : picture.groupIds[-reference - 1],
      title: lines[0], torch_line: lines[1], subtitle: lines[2], running_sum: lines[3],
      state: frame.states[i], is_root: Boolean(picture.isRoot(i)), tooltip: picture.tooltip(i, position),
      fill: stateFill(this.theme, frame.states[i], picture.kindOf(i)) });
  }
  for (let k = 0; k < picture.edges.length; k++) {
    const e = picture.edges[k], delivered = frame.delivered[k] === 1;
    edges.push({ edge: e, delivered: delivered, grad_text: delivered ? model.view.edges.sent[e] : "",
      shape: model.view.edges.shape[e], colour: frame.colours[k] });
  }
  return { header: model.header(position), boxes: boxes, edges: edges };
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
  NODE_HEIGHT = data.sizes.node_height;
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
