// Shared by the page's scripts: states, sizes, and numbers and colours written exactly as the
// core writes them (explorer/core/capture/tensors.py format_number, explorer/core/view/themes.py).
// The page's scripts are inlined into one <script> inside one function (explorer/web/page.py),
// in the order common.js, model.js, draw.js, page.js: they share its scope.

const DONE = "done", ACTIVE = "active", WAITING = "waiting", UNREACHED = "unreached";
const FONT = '"DejaVu Sans", "Bitstream Vera Sans", Verdana, Geneva, sans-serif';
const TITLE_PX = 15, TORCH_PX = 14, BODY_PX = 13, LINE = 1.164; // LINE: DejaVu's ascent + descent, in ems
const OVERVIEW_BELOW = 6; // pixels of box height under which boxes are drawn as plain blocks
const TEXT_FROM = 6; // pixels of body text under which no text is drawn
const READABLE = 0.9; // the first view is at least this zoom (titles of 13.5 px, body text of 11.7 px)
const MAX_ZOOM = 4;
const LABEL_SPOTS = [0.5, 0.35, 0.65, 0.22, 0.78];
const LABEL_MARGIN = 150; // scene units a label may reach beyond its edge's last piece
const PLAY_MS = 700;
let NODE_HEIGHT = 58; // scene units: set from the page data (explorer/web/placement.py)

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

// ----- colours (explorer/core/view/themes.py) ---------------------------------------------------

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
