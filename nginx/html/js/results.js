// A pack's results (results.html?id=N): the group classification image
// (or its anti-CI) with its scaling, one participant's CI and response
// times, the quality table with its flags, the pooled reaction-time
// histogram and the infoVal distribution, the reliability of the group CI,
// a comparison of two sets, and the downloads. Everything comes from
// /api/admin/ci, quality, reliability and compare (README, "Results" and
// "Analysis"); the first request of a pack computes its statistics and may
// take seconds.
//
// Which replies count is the page's selection (selection.js): the flagged
// switch and the table's "포함" boxes. Every group figure, its downloads
// and the address follow it.
import { request } from './api.js';
import { $, get, explain, korean, say, fixed, links } from './results-kit.js';
import { rtHistogram, infovalPlot } from './charts.js';
import { Selection, excludeParam } from './selection.js';
import { drawTable, markIncluded, markGroups, markSelected } from './results-table.js';
import { initReliability, loadReliability } from './reliability.js';
import { initCompare, refreshCompare, setPacks, toggle } from './compare.js';

const SEX = { 1: '남성', 2: '여성' };
const id = Number(new URLSearchParams(location.search).get('id'));
const sel = new Selection(location.search);
const body = document.body.dataset;

let quality = null;
let flaggedIds = null; // the r_ids with a quality flag, once the table is in
let selected = null; // r_id shown in the reply panel
let scaling = { mode: 'independent', constant: null };
let groupConstant = null;
let groupSeq = 0;
let qualitySeq = 0;

// exclude is the API's exclude value now; null until the flags are known
// when the flagged switch and hand-picked replies are both on.
const exclude = () => sel.api(flaggedIds);
const isOut = (rid) => sel.isOut(rid, flaggedIds ?? new Set());
const byFlag = (rid) => sel.flagged && (flaggedIds?.has(rid) ?? false);

// ---- addresses --------------------------------------------------------------

function ciURL({ rid, format }) {
  let url = `/api/admin/ci?id=${id}`;
  if (rid) url += `&r_id=${rid}`;
  url += `&format=${format}`;
  if (format !== 'csv') {
    url += scaling.mode === 'constant' ? `&scaling=constant&constant=${scaling.constant}` : '&scaling=independent';
  }
  if (!rid) url += `${sel.anti ? '&anti=1' : ''}${excludeParam(exclude())}`;
  return url;
}

function syncURL() {
  history.replaceState(null, '', location.pathname + sel.search(id));
}

// ---- classification images --------------------------------------------------

// showCI puts a fetched image in its frame; tiny stimuli are enlarged with
// their pixels kept sharp, so the noise stays readable.
function showCI(img, wait, ci, none) {
  const old = img.src;
  img.hidden = ci.status !== 200;
  wait.hidden = ci.status === 200;
  if (ci.status !== 200) {
    wait.textContent = /^(No Replies|Too Few Replies)/.test(ci.text ?? '') ? none : explain(ci);
    wait.classList.remove('busy');
    return Promise.resolve();
  }
  img.src = URL.createObjectURL(ci.blob);
  if (old.startsWith('blob:')) URL.revokeObjectURL(old);
  return img.decode().then(() => img.classList.toggle('pixelated', img.naturalWidth < 256), () => {});
}

const constantText = (c) => (Number.isFinite(c) ? String(Number(c.toPrecision(4))) : '–');

async function loadGroup() {
  const ex = exclude();
  if (ex === null) return; // loaded again once the flags are known
  const my = ++groupSeq;
  body.group = 'loading';
  $('group-frame').classList.add('stale');
  $('group-wait').classList.add('busy');
  const ci = await get(ciURL({ format: 'png' }), { as: 'blob' });
  if (my !== groupSeq) return; // the selection changed meanwhile
  $('group-frame').classList.remove('stale');
  const none = ex ? '포함된 응답이 없어 CI를 만들 수 없습니다. 아래 표에서 응답을 포함해주세요.' : '아직 완료된 응답이 없어 CI를 만들 수 없습니다.';
  await showCI($('group-ci'), $('group-wait'), ci, none);
  $('group-title').textContent = sel.anti ? '집단 안티 CI (−CI)' : '집단 분류 이미지 (CI)';
  if (ci.status === 200) {
    groupConstant = ci.constant;
    const out = ci.excluded.length ? ` · 제외 ${ci.excluded.length}건 (r_id ${ci.excluded.join(', ')})` : '';
    $('group-info').textContent = `응답 ${ci.replies}건의 평균${out} · 스케일링 상수 c = ${constantText(ci.constant)}`;
    $('group-info').dataset.excluded = ci.excluded.join(',');
  } else {
    $('group-info').textContent = '';
  }
  const what = sel.anti ? '집단 안티 CI' : '집단 CI';
  links('group-links', [
    ['PNG', ciURL({ format: 'png' }), 'group-png', `${what} 이미지 (지금 스케일링과 선택)`],
    ['원자료 CSV', ciURL({ format: 'csv' }), 'group-csv', `${what} 원자료 (rcicr의 ci$ci 행렬)`],
    ['참가자별 PNG (zip)', ciURL({ format: 'zip' }), 'zip', '모든 참가자의 CI 이미지를 한 zip 파일로 (manifest.json 포함)'],
  ]);
  body.groupExclude = ex;
  body.groupAnti = sel.anti ? '1' : '0';
  body.group = ci.status === 200 ? 'ready' : 'none';
}

async function select(rid) {
  selected = rid;
  const reply = quality.replies.find((r) => r.r_id === rid);
  markSelected(rid);
  delete body.selected;
  $('reply-title').textContent = `참가자 CI · ${reply.name} (r_id ${rid})`;
  $('reply-wait').textContent = '불러오는 중…';
  $('reply-wait').classList.add('busy');
  $('reply-wait').hidden = false;
  $('reply-ci').hidden = true;
  $('reply-frame').classList.remove('empty');
  $('reply-rt-title').textContent = `반응 시간 · ${reply.name} (r_id ${rid})`;
  $('reply-rt-chart').replaceChildren(rtHistogram(reply.rt_counts, quality.rt_histogram.bin_ms,
    { id: 'rt-hist-reply', label: `${reply.name}의 반응 시간 히스토그램`, of: `${reply.name}의 응답` }));
  // On a phone the panel is far above the table: bring it into view.
  if (matchMedia('(max-width: 640px)').matches) $('reply-frame').closest('section').scrollIntoView({ block: 'start' });
  const ci = await get(ciURL({ rid, format: 'png' }), { as: 'blob' });
  if (selected !== rid) return; // another row was clicked meanwhile
  await showCI($('reply-ci'), $('reply-wait'), ci, '');
  $('reply-info').textContent = ci.status === 200
    ? `응답 ${reply.answered}회 · infoVal ${fixed(reply.infoval)} · c = ${constantText(ci.constant)}`
    : '';
  links('reply-links', [
    ['PNG', ciURL({ rid, format: 'png' }), 'reply-png', `${reply.name}의 CI 이미지`],
    ['원자료 CSV', ciURL({ rid, format: 'csv' }), 'reply-csv', `${reply.name}의 CI 원자료`],
  ]);
  body.selected = rid;
}

// ---- scaling and the anti-CI -----------------------------------------------------

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

function onAnti() {
  sel.anti = $('anti').checked;
  syncURL();
  loadGroup();
}

// ---- the selection -------------------------------------------------------------

const flaggedOut = (rid) => byFlag(rid);

function reliability() {
  const ex = exclude();
  if (ex !== null) loadReliability(id, ex, flaggedOut);
}

// changed follows a new selection everywhere on the page.
function changed() {
  syncURL();
  if (quality) markIncluded(isOut, byFlag);
  loadQuality();
  loadGroup();
  reliability();
  refreshCompare();
}

function onInclude(rid, on) {
  if (on) sel.out.delete(rid);
  else sel.out.add(rid);
  changed();
}

function onFlaggedSwitch() {
  sel.flagged = $('exclude-flagged').checked;
  changed();
}

function includeAll() {
  sel.flagged = false;
  sel.out.clear();
  $('exclude-flagged').checked = false;
  changed();
}

// ---- quality ----------------------------------------------------------------

function drawCharts() {
  const h = quality.rt_histogram;
  $('rt-chart').replaceChildren(rtHistogram(h.counts, h.bin_ms, { of: `포함 ${quality.included}명 · 응답` }));
  $('infoval-chart').replaceChildren(infovalPlot(quality.replies, select));
  const n = quality.replies.length;
  const out = quality.excluded.length ? ` · 제외 ${quality.excluded.length}명 (r_id ${quality.excluded.join(', ')})` : '';
  $('selection-summary').textContent = `분석에 포함: ${quality.included}/${n}명${out}`;
  $('selection-summary').dataset.excluded = quality.excluded.join(',');
}

// loadQuality fetches the table with the group figures of the selection.
// The first answer draws the table; later ones (a new selection) redraw
// the charts and mark who is in.
async function loadQuality() {
  const my = ++qualitySeq;
  const ex = exclude() ?? sel.handOnly();
  const res = await get(`/api/admin/quality?id=${id}${excludeParam(ex)}`, { timeoutMs: 120000 });
  if (my !== qualitySeq) return;
  if (res.status !== 200) {
    if (res.status === 400 && /^Unknown Reply/.test(res.text) && sel.out.size) {
      // An address with an r_id this pack does not have: start from the flags only.
      say('info', `주소의 제외 목록을 적용하지 못해 직접 제외한 응답을 모두 되돌렸습니다. (${korean(res.text)})`);
      sel.out.clear();
      changed();
      return;
    }
    $('quality-empty').textContent = '';
    say('error', `응답 품질을 불러오지 못했습니다. ${explain(res)}`);
    return;
  }
  const first = !quality;
  const known = flaggedIds !== null;
  quality = res.data;
  flaggedIds = new Set(quality.replies.filter((r) => r.flags.length).map((r) => r.r_id));
  if (first) {
    const rows = quality.replies;
    drawTable(quality, { pick: select, include: onInclude, group: toggle });
    $('quality').hidden = rows.length === 0;
    $('quality-empty').textContent = '아직 완료된 응답이 없습니다.';
    $('quality-empty').hidden = rows.length > 0;
    $('n-flagged').textContent = flaggedIds.size;
    const url = `/api/admin/quality?id=${id}&format=csv`;
    links('quality-links', [
      ['CSV', url, 'quality-csv', '응답 품질 표 (pandas·R용)'],
      ['CSV (Excel)', `${url}&bom=1`, 'quality-excel', '응답 품질 표 (Excel에서 한글이 깨지지 않게 BOM을 붙인 CSV)'],
    ]);
  }
  markIncluded(isOut, byFlag);
  drawCharts();
  refreshCompare();
  body.qualityExclude = ex;
  // The flagged switch with hand-picked replies needed the flags: now the
  // rest can load, and the table's figures are asked for again.
  if (!known && ex !== exclude()) changed();
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
  setPacks(res.data, p);
  return true;
}

async function main() {
  if (!Number.isInteger(id) || id < 1) {
    say('error', '세트 ID가 없습니다. 세트 목록에서 결과 보기를 눌러주세요.');
    body.state = 'error';
    return;
  }
  $('scaling').addEventListener('change', onScalingChange);
  $('scaling').addEventListener('submit', applyScaling);
  $('anti').checked = sel.anti;
  $('anti').addEventListener('change', onAnti);
  $('exclude-flagged').checked = sel.flagged;
  $('exclude-flagged').addEventListener('change', onFlaggedSwitch);
  $('include-all').addEventListener('click', includeAll);
  initReliability();
  initCompare({
    id, quality: () => quality, isOut, handOut: () => sel.out.size,
    exclude, packExclude: () => sel.packs(), onGroups: markGroups,
  });
  // The group image, the table and the reliability are computed at the
  // same time (unless the selection needs the table's flags first).
  const [ok] = await Promise.all([loadPack(), loadQuality(), loadGroup(), reliability()]);
  body.state = ok && quality ? 'ready' : 'error';
}

main();
