// The results page's small charts, drawn as plain SVG (no library, no
// CDN): reaction-time histograms (the included replies pooled, or one
// reply's) and each reply's infoVal.

const NS = 'http://www.w3.org/2000/svg';
const W = 360;

function el(name, attrs = {}, text = '') {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

function svg(id, height, label) {
  return el('svg', { id, viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': label, class: 'chart-svg' });
}

// A round step for an axis that reaches max in about `ticks` steps.
function niceStep(max, ticks) {
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
}

// rtHistogram draws counts of answered trials per bin of binMs; the last
// bin is open (everything slower). The y axis counts trials. opts: the
// svg's id and aria-label, and what the counts are of (the x axis title).
export function rtHistogram(counts, binMs, { id = 'rt-hist', label = '반응 시간 히스토그램', of = '응답' } = {}) {
  const H = 180;
  const m = { l: 50, r: 10, t: 12, b: 34 };
  const out = svg(id, H, label);
  const total = counts.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...counts);
  const step = niceStep(max, 4);
  const top = Math.ceil(max / step) * step;
  const x = (i) => m.l + ((W - m.l - m.r) * i) / counts.length;
  const y = (v) => H - m.b - ((H - m.t - m.b) * v) / top;
  for (let v = 0; v <= top; v += step) {
    out.append(el('line', { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'grid' }));
    out.append(el('text', { x: m.l - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, String(v)));
  }
  const mid = (m.t + H - m.b) / 2;
  out.append(el('text', { x: 12, y: mid, class: 'axis-title y-title', 'text-anchor': 'middle', transform: `rotate(-90 12 ${mid})` }, '시행 수'));
  const sec = (ms) => (ms / 1000).toFixed(1);
  counts.forEach((n, i) => {
    const last = i === counts.length - 1;
    const from = sec(i * binMs);
    const range = last ? `${from}초 이상` : `${from}–${sec((i + 1) * binMs)}초`;
    const bar = el('rect', { x: x(i) + 1, y: y(n), width: Math.max(1, x(i + 1) - x(i) - 2), height: y(0) - y(n), class: last ? 'bar open' : 'bar', 'data-n': n });
    bar.append(el('title', {}, `${range}: ${n}회`));
    out.append(bar);
  });
  for (let i = 0; i <= counts.length; i += 5) {
    out.append(el('text', { x: x(i), y: H - m.b + 15, class: 'tick', 'text-anchor': 'middle' }, sec(i * binMs)));
  }
  out.append(el('text', { x: (m.l + W - m.r) / 2, y: H - 3, class: 'axis-title', 'text-anchor': 'middle' }, `반응 시간 (초) · ${of} ${total}회`));
  return out;
}

// infovalPlot draws one dot per reply along the infoVal axis (dots in the
// same place stack up), with rcicr's 1.96 line; a reply left out of the
// group figures (reply.excluded) is a hollow grey ring. A click on a dot
// picks that reply.
export function infovalPlot(replies, onPick, threshold = 1.96) {
  const H = 150;
  const m = { l: 16, r: 16, t: 12, b: 34 };
  const out = svg('infoval-plot', H, 'infoVal 분포');
  const values = replies.filter((r) => Number.isFinite(r.infoval));
  const lo = Math.min(-2, ...values.map((r) => Math.floor(r.infoval)));
  const hi = Math.max(4, ...values.map((r) => Math.ceil(r.infoval)));
  const x = (v) => m.l + ((W - m.l - m.r) * (v - lo)) / (hi - lo);
  const base = H - m.b;
  out.append(el('line', { x1: m.l, x2: W - m.r, y1: base, y2: base, class: 'axis' }));
  const tick = niceStep(hi - lo, 8);
  for (let v = Math.ceil(lo / tick) * tick; v <= hi; v += tick) {
    out.append(el('line', { x1: x(v), x2: x(v), y1: base, y2: base + 4, class: 'axis' }));
    out.append(el('text', { x: x(v), y: base + 16, class: 'tick', 'text-anchor': 'middle' }, String(Math.round(v * 10) / 10)));
  }
  out.append(el('line', { x1: x(threshold), x2: x(threshold), y1: m.t, y2: base, class: 'threshold' }));
  out.append(el('text', { x: x(threshold) + 4, y: m.t + 10, class: 'tick threshold-label' }, String(threshold)));
  const r = 5;
  const stacks = new Map();
  for (const reply of values.sort((a, b) => a.infoval - b.infoval)) {
    const cx = x(reply.infoval);
    const slot = Math.round(cx / (2 * r));
    const level = stacks.get(slot) ?? 0;
    stacks.set(slot, level + 1);
    const cy = Math.max(m.t + r, base - r - 1 - level * (2 * r - 1));
    const cls = reply.excluded ? 'dot excluded' : reply.infoval < threshold ? 'dot low' : 'dot';
    const dot = el('circle', { cx, cy, r, class: cls, 'data-rid': reply.r_id, tabindex: 0 });
    dot.append(el('title', {}, `r_id ${reply.r_id} ${reply.name}: ${reply.infoval.toFixed(2)}${reply.excluded ? ' · 분석에서 제외' : ''}`));
    dot.addEventListener('click', () => onPick(reply.r_id));
    dot.addEventListener('keydown', (e) => { if (e.key === 'Enter') onPick(reply.r_id); });
    out.append(dot);
  }
  const left = values.filter((v) => v.excluded).length;
  const legend = left ? ` · ○ 제외 ${left}명` : '';
  out.append(el('text', { x: W / 2, y: H - 3, class: 'axis-title', 'text-anchor': 'middle' }, `infoVal · 참가자 ${values.length}명 · 점선 ${threshold}${legend}`));
  return out;
}
