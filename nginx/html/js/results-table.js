// The results page's quality table, drawn from the columns the API
// describes (name, label, kind, the flag a column raises and its rule): a
// new statistic needs no change here. Before the figures, two columns of
// the page's own: "포함" (the reply is in the group figures) and "비교"
// (the reply's set, A or B, in a comparison). A run that was resumed or
// seen on more than one machine gets a mark beside its flags.
import { cell } from './admin-kit.js';
import { dash, pct, fixed, secs, $ } from './results-kit.js';

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

function th(text, name, title = '') {
  const h = document.createElement('th');
  h.textContent = text;
  if (name) h.dataset.col = name;
  if (title) h.title = title;
  return h;
}

function head(quality) {
  const flagLabel = (name) => quality.flags.find((f) => f.name === name)?.label ?? name;
  const tr = document.createElement('tr');
  tr.append(
    th('포함', 'include', '체크를 끄면 그 응답을 집단 CI, 분포, 신뢰도, 비교에서 뺍니다.'),
    th('비교', 'group', '집단 비교에서 이 응답이 들어갈 집단 (A 또는 B)'),
  );
  for (const c of quality.columns) {
    const h = th(c.label, c.name, c.rule ? `${c.rule} → ${flagLabel(c.flag)}` : '');
    const [, cls] = (show[c.kind] ?? show.number)(null);
    if (cls === 'num') h.className = 'num';
    tr.append(h);
  }
  tr.append(th('표시', 'flags'));
  $('quality-head').replaceChildren(tr);
}

// runNote is what a run's mark says: resumed, moved between machines.
function runNote(r) {
  const parts = [];
  const title = [];
  if (r.resumes > 0) {
    parts.push(`이어하기 ${r.resumes}회`);
    title.push(`실험을 ${r.resumes}번 중단했다가 이어서 했습니다`);
  }
  if (r.devices > 1) {
    parts.push(`기기 ${r.devices}대`);
    title.push(`${r.devices}대의 기기(브라우저)에서 진행했습니다`);
  }
  if (!parts.length) return null;
  const mark = Object.assign(document.createElement('span'), {
    className: 'run-mark', textContent: `↻ ${parts.join(' · ')}`, tabIndex: 0,
    title: `${title.join('. ')}. 중간에 쉬었거나 다른 컴퓨터로 옮겼을 수 있으니 응답을 확인하세요.`,
  });
  mark.setAttribute('aria-label', mark.title);
  return mark;
}

function row(quality, r, on) {
  const flagLabel = (name) => quality.flags.find((f) => f.name === name)?.label ?? name;
  const tr = document.createElement('tr');
  tr.dataset.rid = r.r_id;
  tr.tabIndex = 0;

  // The page's own controls: a click on them does not pick the row.
  const include = document.createElement('td');
  include.className = 'include';
  const box = Object.assign(document.createElement('input'), { type: 'checkbox', checked: true });
  box.dataset.include = r.r_id;
  box.setAttribute('aria-label', `r_id ${r.r_id} ${r.name}: 분석에 포함`);
  box.addEventListener('change', () => on.include(r.r_id, box.checked));
  include.append(box);
  const group = document.createElement('td');
  group.className = 'group';
  for (const g of ['A', 'B']) {
    const b = Object.assign(document.createElement('button'), { type: 'button', className: `ab ab-${g.toLowerCase()}`, textContent: g });
    b.dataset.group = g;
    b.setAttribute('aria-pressed', 'false');
    b.setAttribute('aria-label', `r_id ${r.r_id} ${r.name}: 비교 집단 ${g}`);
    b.addEventListener('click', () => on.group(r.r_id, g));
    group.append(b);
  }
  for (const td of [include, group]) {
    td.addEventListener('click', (e) => e.stopPropagation());
    td.addEventListener('keydown', (e) => e.stopPropagation());
  }
  tr.append(include, group);

  for (const c of quality.columns) {
    const [text, cls] = (show[c.kind] ?? show.number)(r[c.name]);
    const td = cell(text, c.name === 'no' ? 'mono' : cls);
    td.dataset.col = c.name;
    if (c.flag && r.flags.includes(c.flag)) td.classList.add('flagged');
    if ((c.name === 'resumes' && r.resumes > 0) || (c.name === 'devices' && r.devices > 1)) td.classList.add('noted');
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
  const mark = runNote(r);
  if (mark) {
    chips.append(mark);
    tr.classList.add('moved');
  }
  tr.append(flags);
  if (r.flags.length) tr.classList.add('has-flags');
  tr.addEventListener('click', () => on.pick(r.r_id));
  tr.addEventListener('keydown', (e) => {
    if (e.target === tr && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      on.pick(r.r_id);
    }
  });
  return tr;
}

// drawTable draws the table; on: {pick(rid), include(rid, on), group(rid, g)}.
export function drawTable(quality, on) {
  head(quality);
  $('quality-rows').replaceChildren(...quality.replies.map((r) => row(quality, r, on)));
}

// markIncluded shows who is in: isOut(rid) by the page's selection, and
// byFlag(rid) when the flagged switch is what leaves the reply out (its box
// cannot be ticked back while the switch is on).
export function markIncluded(isOut, byFlag) {
  for (const tr of $('quality-rows').rows) {
    const rid = Number(tr.dataset.rid);
    const box = tr.querySelector('input[data-include]');
    const out = isOut(rid);
    box.checked = !out;
    box.disabled = byFlag(rid);
    box.title = byFlag(rid) ? '"주의 표시 응답 제외"가 켜져 있어 빠졌습니다.' : '';
    tr.classList.toggle('excluded', out);
  }
}

// markGroups shows each reply's comparison set.
export function markGroups(groups) {
  for (const tr of $('quality-rows').rows) {
    const g = groups.get(Number(tr.dataset.rid)) ?? '';
    tr.dataset.group = g;
    for (const b of tr.querySelectorAll('button.ab')) b.setAttribute('aria-pressed', String(b.dataset.group === g));
  }
}

export function markSelected(rid) {
  for (const tr of $('quality-rows').rows) {
    const on = Number(tr.dataset.rid) === rid;
    tr.classList.toggle('selected', on);
    tr.setAttribute('aria-selected', String(on));
  }
}
