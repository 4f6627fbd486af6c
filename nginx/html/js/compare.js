// The results page's comparison: where two sets of replies' CIs differ
// (GET /api/admin/compare). The sets are two groups of this pack's replies,
// picked with the quality table's A/B buttons (or a preset), or this pack
// against another pack with the same images. The first comparison of two
// sets takes up to ~30 s (1,000 permutations) and is kept by the server:
// the page sends the JSON request and, while it is out, asks for its
// progress every 500 ms to fill a bar. Then the PNG (the base face with
// the clusters of p < .05 outlined, red where A > B, blue where B > A)
// beside the table of clusters, and the downloads.
import { $, get, explain, thousands, links } from './results-kit.js';
import { excludeParam } from './selection.js';

const POLL_MS = 500;
const MAX_ROWS = 30; // the rest are in the JSON
const groups = new Map(); // r_id → 'A' | 'B'
let ctx = null;
let seq = 0;
let shown = ''; // the query of the result on screen

const body = () => document.body.dataset;
const mode = () => document.querySelector('input[name=compare-mode]:checked').value;

// ---- the two sets -------------------------------------------------------------

function members(g) {
  return [...groups].filter(([, x]) => x === g).map(([rid]) => rid).sort((a, b) => a - b);
}

function counts() {
  if (!ctx.quality()) return;
  const [a, b] = [members('A'), members('B')];
  const inA = a.filter((r) => !ctx.isOut(r));
  const inB = b.filter((r) => !ctx.isOut(r));
  let text = a.length || b.length
    ? `A ${inA.length}명 · B ${inB.length}명`
    : "표의 '비교' 열에서 A와 B를 눌러 두 집단을 고르세요 (각 2명 이상).";
  const dropped = a.length + b.length - inA.length - inB.length;
  if (dropped) text += ` · 분석에서 제외된 ${dropped}명은 빠집니다`;
  $('compare-counts').textContent = text;
  $('compare-counts').dataset.a = inA.join(',');
  $('compare-counts').dataset.b = inB.join(',');
  const hand = ctx.handOut() > 0 && mode() === 'pack';
  $('compare-pack-note').textContent = hand
    ? "직접 뺀 응답은 다른 세트와의 비교에 적용되지 않습니다 ('주의 표시 응답 제외'만 두 세트에 적용됩니다)."
    : '두 세트는 같은 사진으로 만든 세트여야 합니다.';
}

function changed() {
  ctx.onGroups(groups);
  counts();
  markStale();
}

// toggle puts a reply in set g, or takes it out when it is there.
export function toggle(rid, g) {
  if (groups.get(rid) === g) groups.delete(rid);
  else groups.set(rid, g);
  changed();
}

function presetFlagged() {
  groups.clear();
  for (const r of ctx.quality().replies) groups.set(r.r_id, r.flags.length ? 'B' : 'A');
  changed();
}

// query is the comparison the form asks for, or why there is none.
function query() {
  if (mode() === 'pack') {
    const other = Number($('compare-pack').value);
    if (!other) return { error: '비교할 세트를 고르세요.' };
    return { q: `a=${ctx.id}&b=${other}${excludeParam(ctx.packExclude())}` };
  }
  const [a, b] = [members('A'), members('B')];
  const inA = a.filter((r) => !ctx.isOut(r)).length;
  const inB = b.filter((r) => !ctx.isOut(r)).length;
  if (inA < 2 || inB < 2) return { error: `각 집단에 2명 이상 필요합니다. 지금 A ${inA}명, B ${inB}명입니다.` };
  return { q: `id=${ctx.id}&a_r=${a.join(',')}&b_r=${b.join(',')}${excludeParam(ctx.exclude())}` };
}

// ---- running ------------------------------------------------------------------

function progress(done, total, text) {
  const meter = $('compare-meter');
  meter.setAttribute('aria-valuemax', String(total));
  meter.setAttribute('aria-valuenow', String(done));
  $('compare-bar').style.width = `${total ? (100 * done) / total : 0}%`;
  $('compare-percent').textContent = text;
}

function fail(text) {
  $('compare-progress').hidden = true;
  $('compare-message').textContent = text;
  $('compare-message').hidden = false;
  $('compare-start').disabled = false;
  body().compare = 'error';
}

// poll asks how far the comparison has come until it is over.
async function poll(q, my, over) {
  while (!over() && my === seq) {
    const res = await get(`/api/admin/compare?${q}&format=progress`, { timeoutMs: 10000 });
    if (over() || my !== seq) return;
    if (res.status === 200) {
      const p = res.data;
      const pc = Math.floor((100 * p.done) / p.total);
      if (p.finished) progress(p.total, p.total, '마무리하는 중…');
      else if (p.computing) progress(p.done, p.total, `순열 검정 중… ${thousands(p.done)} / ${thousands(p.total)} (${pc}%)`);
      else progress(0, p.total, '다른 비교가 끝나기를 기다리는 중…');
    }
    await new Promise((ok) => setTimeout(ok, POLL_MS));
  }
}

async function start() {
  const { q, error } = query();
  // A new comparison replaces the one on screen, whatever its outcome.
  $('compare-message').hidden = true;
  $('compare-stale').hidden = true;
  $('compare-result').hidden = true;
  shown = '';
  if (error) {
    fail(error);
    return;
  }
  const my = ++seq;
  let over = false;
  body().compare = 'running';
  $('compare-start').disabled = true;
  $('compare-progress').hidden = false;
  progress(0, 1000, '시작하는 중… 처음 비교하는 두 집단은 30초쯤 걸릴 수 있습니다.');
  const url = `/api/admin/compare?${q}`;
  const job = get(url, { timeoutMs: 600000 });
  poll(q, my, () => over);
  const res = await job;
  over = true;
  if (my !== seq) return;
  if (res.status !== 200) {
    fail(explain(res));
    return;
  }
  progress(res.data.permutations, res.data.permutations, `완료 · 순열 ${thousands(res.data.permutations)}회`);
  const png = await get(`${url}&format=png`, { as: 'blob' });
  if (my !== seq) return;
  if (png.status !== 200) {
    fail(`비교 이미지를 불러오지 못했습니다. ${explain(png)}`);
    return;
  }
  await show(res, png, q);
  $('compare-progress').hidden = true;
  $('compare-start').disabled = false;
  shown = q;
  body().compare = 'ready';
  body().compareQuery = q;
}

// ---- the result -----------------------------------------------------------------

function td(text, value, cls = 'num') {
  const c = document.createElement('td');
  c.textContent = text;
  if (value !== undefined) c.dataset.value = String(value);
  if (cls) c.className = cls;
  return c;
}

const pText = (p) => (p < 0.001 ? '< .001' : p.toFixed(3).replace(/^0/, ''));

function clusterRow(c, i, alpha) {
  const tr = document.createElement('tr');
  tr.dataset.sign = c.sign;
  if (c.p < alpha) tr.classList.add('sig');
  const [x0, y0, x1, y1] = c.bbox;
  const dir = td(c.sign > 0 ? 'A > B' : 'B > A', c.sign, c.sign > 0 ? 'dir dir-a' : 'dir dir-b');
  tr.append(
    td(String(i + 1)),
    dir,
    td(pText(c.p), c.p, c.p < alpha ? 'num p sig' : 'num p'),
    td(String(c.pixels), c.pixels),
    td(c.peak_t.toFixed(2), c.peak_t),
    td(`x ${x0}–${x1}, y ${y0}–${y1}`, c.bbox.join(','), 'bbox'),
    td(c.mass.toFixed(1), c.mass),
  );
  return tr;
}

async function show(res, png, q) {
  const d = res.data;
  const img = $('compare-png');
  const old = img.src;
  img.src = URL.createObjectURL(png.blob);
  if (old.startsWith('blob:')) URL.revokeObjectURL(old);
  await img.decode().then(() => img.classList.toggle('pixelated', img.naturalWidth < 256), () => {});
  const sig = d.clusters.filter((c) => c.p < d.alpha).length;
  const names = mode() === 'pack' ? `A = 이 세트 (${d.a_replies}명), B = ${$('compare-pack').selectedOptions[0]?.dataset.name ?? '다른 세트'} (${d.b_replies}명)` : `A ${d.a_replies}명 · B ${d.b_replies}명`;
  $('compare-info').textContent = `${names} · 순열 ${thousands(d.permutations)}회 · |t| > ${d.threshold} · `
    + `군집 ${d.clusters.length}개 중 p < ${String(d.alpha).replace(/^0/, '')} ${sig}개${d.excluded.length ? ` · 제외 ${d.excluded.length}명` : ''}`;
  $('cluster-rows').replaceChildren(...d.clusters.slice(0, MAX_ROWS).map((c, i) => clusterRow(c, i, d.alpha)));
  $('clusters').hidden = d.clusters.length === 0;
  $('clusters-empty').hidden = d.clusters.length > 0;
  $('clusters-more').hidden = d.clusters.length <= MAX_ROWS;
  $('clusters-more').textContent = `외 ${d.clusters.length - MAX_ROWS}개 군집은 JSON에 있습니다.`;
  const url = `/api/admin/compare?${q}`;
  links('compare-links', [
    ['JSON', url, 'compare-json', '비교 결과 (JSON: 군집, p값, 순열 수, 시드)'],
    ['t 지도 CSV', `${url}&format=csv`, 'compare-csv', '픽셀별 Welch t 값 (CSV)'],
    ['PNG', `${url}&format=png`, 'compare-png', '유의한 군집을 표시한 이미지'],
  ]);
  $('compare-result').hidden = false;
}

// markStale says the result on screen is of an earlier choice.
export function markStale() {
  if (!shown || body().compare === 'running') return;
  const q = query().q;
  $('compare-stale').hidden = q === shown;
  body().compare = q === shown ? 'ready' : 'stale';
}

// ---- setup --------------------------------------------------------------------

// setPacks offers the packs of the list with as many pairs as this one.
export function setPacks(list, self) {
  const others = list.filter((p) => p.p_id !== self.p_id && p.size === self.size);
  const sel = $('compare-pack');
  sel.replaceChildren(Object.assign(document.createElement('option'), { value: '', textContent: others.length ? '세트를 고르세요' : '사진 수가 같은 다른 세트가 없습니다' }));
  for (const p of others) {
    const o = Object.assign(document.createElement('option'), { value: String(p.p_id), textContent: `${p.pack_name} (ID ${p.p_id} · 응답 ${p.count}건)` });
    o.dataset.name = p.pack_name;
    sel.append(o);
  }
  sel.disabled = !others.length;
}

function onMode() {
  const pack = mode() === 'pack';
  $('compare-replies').hidden = pack;
  $('compare-packs').hidden = !pack;
  counts();
  markStale();
}

// initCompare wires the card. c: {id, quality(), isOut(rid), handOut(),
// exclude(), packExclude(), onGroups(groups)}.
export function initCompare(c) {
  ctx = c;
  for (const r of document.querySelectorAll('input[name=compare-mode]')) r.addEventListener('change', onMode);
  $('compare-pack').addEventListener('change', markStale);
  $('preset-flagged').addEventListener('click', presetFlagged);
  $('preset-clear').addEventListener('click', () => { groups.clear(); changed(); });
  $('compare-start').addEventListener('click', start);
  body().compare = 'idle';
}

// refresh follows a new selection of replies.
export function refreshCompare() {
  counts();
  markStale();
}
