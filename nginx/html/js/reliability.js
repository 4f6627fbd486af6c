// The results page's reliability card: the group CI's permuted split-half
// reliability (Spearman–Brown) with its 95% interval, ICC(3,1) and
// ICC(3,k) over the included replies (GET /api/admin/reliability), and a
// sentence for a paper's methods section with the build and seed that
// made the numbers (X-Psyx-Version, X-Psyx-Seed), with a copy button. Each
// reply's leave-one-out z is the quality table's "영향도 z" column.
import { $, get, explain, apa, thousands, links } from './results-kit.js';
import { excludeParam } from './selection.js';

let seq = 0;

// exclusion says in English why replies were left out: flaggedOut of
// them by the flagged switch, the rest by hand.
function exclusion(excluded, flaggedOut) {
  const byFlag = excluded.filter(flaggedOut).length;
  const byHand = excluded.length - byFlag;
  if (!byFlag && !byHand) return 'none excluded';
  if (!byHand) return `${byFlag} excluded as flagged`;
  if (!byFlag) return `${byHand} excluded manually`;
  return `${byFlag} excluded as flagged, ${byHand} manually`;
}

export function sentence(d, res, flaggedOut) {
  const sh = d.split_half;
  const seed = res.seed ?? String(d.seed);
  return `The classification image's permuted split-half reliability (${thousands(sh.splits)} random splits, `
    + `Spearman–Brown corrected) was r = ${apa(sh.median)} (95% interval ${apa(sh.p2_5)}–${apa(sh.p97_5)}); `
    + `ICC(3,1) = ${apa(d.icc_3_1)}, ICC(3,k) = ${apa(d.icc_3_k)} `
    + `(n = ${d.replies} participants; ${exclusion(d.excluded, flaggedOut)}). `
    + `Computed with Psyx ${res.version ?? 'unknown'} (seed ${seed}).`;
}

function figure(id, text, value) {
  const dd = $(id);
  dd.textContent = text;
  dd.dataset.value = value == null ? '' : String(value);
}

// loadReliability shows the reliability over the replies exclude keeps;
// flaggedOut(rid) tells whether the flagged switch left rid out.
export async function loadReliability(id, exclude, flaggedOut) {
  const my = ++seq;
  const body = document.body.dataset;
  body.reliability = 'loading';
  $('rel-wait').textContent = '신뢰도를 계산하는 중입니다…';
  $('rel-wait').classList.add('busy');
  $('rel-wait').hidden = false;
  $('rel-body').classList.add('stale');
  const url = `/api/admin/reliability?id=${id}${excludeParam(exclude)}`;
  const res = await get(url);
  if (my !== seq) return; // the selection changed meanwhile
  $('rel-wait').classList.remove('busy');
  $('rel-body').classList.remove('stale');
  if (res.status !== 200) {
    $('rel-wait').textContent = res.text === 'Too Few Replies'
      ? '신뢰도를 계산하려면 포함된 응답이 2명 이상 필요합니다.'
      : explain(res);
    $('rel-body').hidden = true;
    body.reliability = 'error';
    body.reliabilityExclude = exclude;
    return;
  }
  const d = res.data;
  const sh = d.split_half;
  $('rel-wait').hidden = true;
  $('rel-body').hidden = false;
  figure('rel-median', `r = ${apa(sh.median)}`, sh.median);
  figure('rel-interval', `${apa(sh.p2_5)} – ${apa(sh.p97_5)}`, `${sh.p2_5},${sh.p97_5}`);
  figure('rel-icc1', apa(d.icc_3_1), d.icc_3_1);
  figure('rel-icck', apa(d.icc_3_k), d.icc_3_k);
  figure('rel-n', `${d.replies}명${d.excluded.length ? ` (제외 ${d.excluded.length}명)` : ''}`, d.replies);
  figure('rel-splits', `${thousands(sh.splits)}회`, sh.splits);
  $('rel-sentence').textContent = sentence(d, res, flaggedOut);
  $('rel-copied').textContent = '';
  links('rel-links', [['JSON', url, 'reliability-json', '신뢰도 계산 결과 (JSON, 참가자별 leave-one-out 포함)']]);
  body.reliability = 'ready';
  body.reliabilityExclude = exclude;
}

// copy puts the sentence on the clipboard; where the page is not a secure
// context (plain HTTP on the lab's network) the browser's older copy
// command does it from a selection.
async function copy() {
  const text = $('rel-sentence').textContent;
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents($('rel-sentence'));
    const s = getSelection();
    s.removeAllRanges();
    s.addRange(range);
    ok = document.execCommand('copy');
  }
  $('rel-copied').textContent = ok ? '복사했습니다.' : '복사하지 못했습니다. 문장을 선택해 직접 복사해주세요.';
}

export function initReliability() {
  $('rel-copy').addEventListener('click', copy);
}
