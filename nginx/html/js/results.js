// A pack's results (results.html?id=N): the group classification image with
// its scaling, one participant's CI, the quality table with its flags, the
// reaction-time histogram and the infoVal distribution, and the downloads.
// Everything comes from /api/admin/ci and /api/admin/quality (README,
// "Results"); the first request of a pack computes its statistics and may
// take seconds.
import { request } from './api.js';
import { cell, downloadLink } from './admin-kit.js';
import { rtHistogram, infovalPlot } from './charts.js';

const $ = (id) => document.getElementById(id);
const SEX = { 1: '남성', 2: '여성' };
const id = Number(new URLSearchParams(location.search).get('id'));

let quality = null;
let selected = null; // r_id shown in the reply panel
let scaling = { mode: 'independent', constant: null };
let groupConstant = null;

// ---- addresses --------------------------------------------------------------

function ciURL({ rid, format }) {
  let url = `/api/admin/ci?id=${id}`;
  if (rid) url += `&r_id=${rid}`;
  url += `&format=${format}`;
  if (format !== 'csv') {
    url += scaling.mode === 'constant' ? `&scaling=constant&constant=${scaling.constant}` : '&scaling=independent';
  }
  return url;
}

function link(text, href, key, label) {
  const a = downloadLink(text, href, label);
  a.dataset.link = key;
  return a;
}

function links(box, items) {
  $(box).replaceChildren(...items.map((i) => link(...i)));
}

// ---- small formats ----------------------------------------------------------

const dash = '–';
const pct = (v) => (v == null ? dash : `${Math.round(v * 100)}%`);
const fixed = (v, d = 2) => (v == null ? dash : v.toFixed(d));
const secs = (v) => (v == null ? dash : `${v.toFixed(2)}초`);

function say(kind, text) {
  const box = $('page-message');
  box.className = `result ${kind}`;
  box.textContent = text;
  box.hidden = !text;
}

function explain(res) {
  if (!res || res.status === 0) return '서버에 연결하지 못했습니다. 네트워크와 서버 상태를 확인해주세요.';
  if (res.status === 401) return '관리자 인증이 필요합니다. 페이지를 새로 고침해 다시 로그인해주세요.';
  if (res.status === 400) return res.text;
  return `서버 오류가 발생했습니다 (HTTP ${res.status}). 서버 로그를 확인해주세요.`;
}

// ---- classification images --------------------------------------------------

// fetchCI asks for a PNG and keeps the headers that tell how it was made.
async function fetchCI(rid) {
  try {
    const res = await fetch(ciURL({ rid, format: 'png' }), { cache: 'no-store', credentials: 'same-origin' });
    if (res.status !== 200) return { status: res.status, text: (await res.text()).trim() };
    return {
      status: 200,
      src: URL.createObjectURL(await res.blob()),
      constant: Number(res.headers.get('X-Psyx-Scaling-Constant')),
      replies: Number(res.headers.get('X-Psyx-Replies')),
    };
  } catch {
    return { status: 0, text: '' };
  }
}

// showCI puts a fetched image in its frame; tiny stimuli are enlarged with
// their pixels kept sharp, so the noise stays readable.
function showCI(img, wait, ci) {
  const old = img.src;
  img.hidden = ci.status !== 200;
  wait.hidden = ci.status === 200;
  if (ci.status !== 200) {
    wait.textContent = ci.text.startsWith('No Replies') ? '아직 완료된 응답이 없어 CI를 만들 수 없습니다.' : explain(ci);
    wait.classList.remove('busy');
    return Promise.resolve();
  }
  img.src = ci.src;
  if (old.startsWith('blob:')) URL.revokeObjectURL(old);
  return img.decode().then(() => img.classList.toggle('pixelated', img.naturalWidth < 256), () => {});
}

const constantText = (c) => (Number.isFinite(c) ? String(Number(c.toPrecision(4))) : dash);

async function loadGroup() {
  $('group-wait').classList.add('busy');
  const ci = await fetchCI(null);
  await showCI($('group-ci'), $('group-wait'), ci);
  if (ci.status === 200) {
    groupConstant = ci.constant;
    $('group-info').textContent = `응답 ${ci.replies}건의 평균 · 스케일링 상수 c = ${constantText(ci.constant)}`;
  } else {
    $('group-info').textContent = '';
  }
  links('group-links', [
    ['PNG', ciURL({ format: 'png' }), 'group-png', '집단 CI 이미지 (지금 스케일링)'],
    ['원자료 CSV', ciURL({ format: 'csv' }), 'group-csv', '집단 CI 원자료 (rcicr의 ci$ci 행렬)'],
    ['참가자별 PNG (zip)', ciURL({ format: 'zip' }), 'zip', '모든 참가자의 CI 이미지를 한 zip 파일로'],
  ]);
  document.body.dataset.group = ci.status === 200 ? 'ready' : 'none';
}

async function select(rid) {
  selected = rid;
  const reply = quality.replies.find((r) => r.r_id === rid);
  for (const tr of $('quality-rows').rows) {
    const on = Number(tr.dataset.rid) === rid;
    tr.classList.toggle('selected', on);
    tr.setAttribute('aria-selected', String(on));
  }
  delete document.body.dataset.selected;
  $('reply-title').textContent = `참가자 CI · ${reply.name} (r_id ${rid})`;
  $('reply-wait').textContent = '불러오는 중…';
  $('reply-wait').classList.add('busy');
  $('reply-wait').hidden = false;
  $('reply-ci').hidden = true;
  $('reply-frame').classList.remove('empty');
  // On a phone the panel is far above the table: bring it into view.
  if (matchMedia('(max-width: 640px)').matches) $('reply-frame').closest('section').scrollIntoView({ block: 'start' });
  const ci = await fetchCI(rid);
  if (selected !== rid) return; // another row was clicked meanwhile
  await showCI($('reply-ci'), $('reply-wait'), ci);
  $('reply-info').textContent = ci.status === 200
    ? `응답 ${reply.answered}회 · infoVal ${fixed(reply.infoval)} · c = ${constantText(ci.constant)}`
    : '';
  links('reply-links', [
    ['PNG', ciURL({ rid, format: 'png' }), 'reply-png', `${reply.name}의 CI 이미지`],
    ['원자료 CSV', ciURL({ rid, format: 'csv' }), 'reply-csv', `${reply.name}의 CI 원자료`],
  ]);
  document.body.dataset.selected = rid;
}

// ---- scaling ----------------------------------------------------------------

function onScalingChange() {
  const constant = $('scaling').elements.scaling.value === 'constant';
  $('constant').disabled = !constant;
  if (constant && !$('constant').value && Number.isFinite(groupConstant)) $('constant').value = constantText(groupConstant);
}

async function applyScaling(e) {
  e.preventDefault();
  const mode = $('scaling').elements.scaling.value;
  const c = Number($('constant').value);
  if (mode === 'constant' && !(c > 0 && Number.isFinite(c))) {
    $('constant').setCustomValidity('0보다 큰 수를 입력해주세요.');
    $('constant').reportValidity();
    return;
  }
  $('constant').setCustomValidity('');
  scaling = { mode, constant: mode === 'constant' ? c : null };
  await Promise.all([loadGroup(), selected ? select(selected) : null]);
}

// ---- quality ----------------------------------------------------------------

// The table is drawn from the columns the API describes (name, label,
// kind, the flag a column raises and its rule): a new statistic needs no
// change here.
const show = {
  id: (v) => [String(v), 'num'],
  text: (v) => [v ?? dash, ''],
  date: (v) => [v ?? dash, 'date'],
  count: (v) => [v == null ? dash : String(v), 'num'],
  rate: (v) => [pct(v), 'num'],
  seconds: (v) => [secs(v), 'num'],
  ms: (v) => [v == null ? dash : `${(v / 1000).toFixed(1)}초`, 'num'],
  number: (v) => [fixed(v), 'num'],
};

function qualityHead(columns) {
  const tr = document.createElement('tr');
  for (const c of columns) {
    const th = document.createElement('th');
    th.textContent = c.label;
    th.dataset.col = c.name;
    const [, cls] = (show[c.kind] ?? show.number)(null);
    if (cls === 'num') th.className = 'num';
    if (c.rule) th.title = `${c.rule} → ${flagLabel(c.flag)}`;
    tr.append(th);
  }
  tr.append(Object.assign(document.createElement('th'), { textContent: '표시' }));
  $('quality-head').replaceChildren(tr);
}

const flagLabel = (name) => quality.flags.find((f) => f.name === name)?.label ?? name;

function qualityRow(r) {
  const tr = document.createElement('tr');
  tr.dataset.rid = r.r_id;
  tr.tabIndex = 0;
  for (const c of quality.columns) {
    const [text, cls] = (show[c.kind] ?? show.number)(r[c.name]);
    const td = cell(text, c.name === 'no' ? 'mono' : cls);
    td.dataset.col = c.name;
    if (c.flag && r.flags.includes(c.flag)) td.classList.add('flagged');
    tr.append(td);
  }
  const flags = document.createElement('td');
  flags.className = 'flags';
  const chips = document.createElement('div');
  flags.append(chips);
  for (const f of r.flags) {
    const chip = Object.assign(document.createElement('span'), { className: 'flag', textContent: flagLabel(f), title: f });
    chip.dataset.flag = f;
    chips.append(chip);
  }
  if (!r.flags.length) chips.append(Object.assign(document.createElement('span'), { className: 'flag-none', textContent: '없음' }));
  tr.append(flags);
  if (r.flags.length) tr.classList.add('has-flags');
  tr.addEventListener('click', () => select(r.r_id));
  tr.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      select(r.r_id);
    }
  });
  return tr;
}

async function loadQuality() {
  const res = await request('GET', `/api/admin/quality?id=${id}`, { timeoutMs: 120000 }).catch(() => null);
  if (res?.status !== 200 || !res.data) {
    $('quality-empty').textContent = '';
    say('error', `응답 품질을 불러오지 못했습니다. ${explain(res)}`);
    return;
  }
  quality = res.data;
  const rows = quality.replies;
  qualityHead(quality.columns);
  $('quality-rows').replaceChildren(...rows.map(qualityRow));
  $('quality').hidden = rows.length === 0;
  $('quality-empty').textContent = '아직 완료된 응답이 없습니다.';
  $('quality-empty').hidden = rows.length > 0;
  $('n-flagged').textContent = rows.filter((r) => r.flags.length).length;
  const h = quality.rt_histogram;
  $('rt-chart').replaceChildren(rtHistogram(h.counts, h.bin_ms));
  $('infoval-chart').replaceChildren(infovalPlot(rows, select));
  const url = `/api/admin/quality?id=${id}&format=csv`;
  links('quality-links', [
    ['CSV', url, 'quality-csv', '응답 품질 표 (pandas·R용)'],
    ['CSV (Excel)', `${url}&bom=1`, 'quality-excel', '응답 품질 표 (Excel에서 한글이 깨지지 않게 BOM을 붙인 CSV)'],
  ]);
}

// ---- the pack ---------------------------------------------------------------

async function loadPack() {
  const res = await request('GET', '/api/admin/list').catch(() => null);
  if (res?.status !== 200 || !Array.isArray(res.data)) {
    say('error', `세트 정보를 불러오지 못했습니다. ${explain(res)}`);
    return false;
  }
  const p = res.data.find((x) => x.p_id === id);
  if (!p) {
    say('error', `ID ${id}인 세트가 없습니다. 삭제되었을 수 있습니다.`);
    return false;
  }
  document.title = `${p.pack_name} 결과 · Psyx`;
  $('title').textContent = `${p.pack_name} 결과`;
  $('meta').textContent = `ID ${p.p_id} · ${SEX[p.sex] ?? p.sex} ${p.age_min}~${p.age_max}세 · 사진 ${p.size}쌍`;
  $('n-finished').textContent = p.count;
  $('n-running').textContent = p.running;
  $('n-abandoned').textContent = p.abandoned;
  $('last').textContent = p.last ?? '없음';
  return true;
}

async function main() {
  if (!Number.isInteger(id) || id < 1) {
    say('error', '세트 ID가 없습니다. 세트 목록에서 결과 보기를 눌러주세요.');
    document.body.dataset.state = 'error';
    return;
  }
  $('scaling').addEventListener('change', onScalingChange);
  $('scaling').addEventListener('submit', applyScaling);
  // The group image and the table are computed at the same time.
  const [ok] = await Promise.all([loadPack(), loadQuality(), loadGroup()]);
  document.body.dataset.state = ok && quality ? 'ready' : 'error';
}

main();
