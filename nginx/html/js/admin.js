// Admin console: upload a pack folder (or make one from a base face:
// generate.js), list packs with their runs, download,
// open a pack's results (results.html) and delete.
// Nginx asks for the password; this page only talks to /api/admin/.
import { SEX, packProblems } from './pack-fields.js';
import { request } from './api.js';
import { cell, downloadLink } from './admin-kit.js';
import { initGenerate } from './generate.js';

const $ = (id) => document.getElementById(id);
// A stimulus basename ends in _NNNNN_ori|inv.jpg|jpeg|png, extension in any case.
const IMAGE_RE = /^(.*)_(\d{5})_(ori|inv)\.(jpe?g|png)$/;
const PREFIX_RE = /^[A-Za-z0-9._-]*$/;

// The server's 400 sentences (README, HTTP API) → what the researcher should do.
const CREATE_MESSAGES = [
  ['Nothing Uploaded', '업로드된 사진이 없습니다. 사진 폴더를 선택해주세요.'],
  ['Invalid Pack Name', '세트 이름은 영문 소문자로 시작하고 소문자·숫자·_ 만 써서 15자 이내로 지어주세요.'],
  ['Invalid Age Bound', '나이 범위가 올바르지 않습니다. 0~120 사이의 정수로, 최소 나이가 최대 나이보다 크지 않게 입력해주세요.'],
  ['Invalid Sex', '대상 성별을 선택해주세요.'],
  ['Pack Existed', '같은 이름의 세트가 이미 있습니다. 다른 이름을 써주세요.'],
  ['Invalid Folder Size', '사진 쌍의 수가 맞지 않습니다. 빠진 번호가 없는지, 서버에 설정된 쌍 수(기본 300쌍)와 같은지 확인해주세요.'],
  ['Invalid Image', '열 수 없는 사진이 있습니다. 파일이 손상되었거나 확장자와 실제 형식이 다릅니다.'],
  ['Pack Condition Overlapped', '같은 성별에 나이 범위가 겹치는 세트가 이미 있습니다.'],
  ['Invalid Upload', '업로드가 중간에 끊겼습니다. 다시 시도해주세요.'],
];

let packs = [];
let folder = null; // result of checkFolder for the chosen files
let xhr = null; // the upload in flight

// ---- messages --------------------------------------------------------------

function showResult(box, kind, title, details = [], raw = '') {
  box.className = `result ${kind}`;
  const nodes = [Object.assign(document.createElement('p'), { textContent: title })];
  if (details.length) {
    const ul = document.createElement('ul');
    for (const d of details) ul.append(Object.assign(document.createElement('li'), { textContent: d }));
    nodes.push(ul);
  }
  if (raw) nodes.push(Object.assign(document.createElement('p'), { className: 'raw', textContent: `서버 응답: ${raw}` }));
  box.replaceChildren(...nodes);
  box.hidden = false;
}

function explain(status, text, table = []) {
  if (status === 0) return '서버에 연결하지 못했습니다. 네트워크와 서버 상태를 확인해주세요.';
  if (status === 401) return '관리자 인증이 필요합니다. 페이지를 새로 고침해 다시 로그인해주세요.';
  if (status === 413) return '업로드 용량이 서버 제한을 넘었습니다. Nginx의 업로드 한도를 확인하거나 psyx pack import를 사용해주세요.';
  if (status === 400) return table.find(([prefix]) => text.startsWith(prefix))?.[1] ?? '요청이 거절되었습니다.';
  return `서버 오류가 발생했습니다 (HTTP ${status}). 서버 로그를 확인해주세요.`;
}

const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;

// ---- folder check ----------------------------------------------------------

// Mirrors the server's checks so that a wrong folder is caught before a long
// upload; the server still decides.
function checkFolder(files) {
  const kept = [];
  const skipped = [];
  const problems = [];
  const slots = new Map(); // pair number → {ori: n, inv: n}
  for (const f of files) {
    const m = f.name.replace(/\.[^.]+$/, (ext) => ext.toLowerCase()).match(IMAGE_RE);
    if (!m) {
      skipped.push(f.name);
      continue;
    }
    if (!PREFIX_RE.test(m[1])) {
      problems.push(`${f.name}: 파일 이름에는 영문, 숫자, . _ - 만 쓸 수 있습니다.`);
      continue;
    }
    const n = Number(m[2]);
    const slot = slots.get(n) ?? { ori: 0, inv: 0 };
    slot[m[3]]++;
    slots.set(n, slot);
    kept.push(f);
  }
  const pairs = slots.size ? Math.max(...slots.keys()) : 0;
  if (slots.has(0)) problems.push('번호 00000은 쓸 수 없습니다. 번호는 00001부터 시작해야 합니다.');
  for (let n = 1; n <= pairs; n++) {
    const slot = slots.get(n);
    const no = String(n).padStart(5, '0');
    if (!slot) problems.push(`${no}번 쌍이 없습니다.`);
    else {
      for (const kind of ['ori', 'inv']) {
        if (slot[kind] === 0) problems.push(`${no}번 쌍에 ${kind} 사진이 없습니다.`);
        if (slot[kind] > 1) problems.push(`${no}번 쌍에 ${kind} 사진이 ${slot[kind]}개 있습니다.`);
      }
    }
  }
  if (!kept.length) problems.push('선택한 폴더에 <이름>_00001_ori.jpg 형식의 사진이 없습니다.');
  const bytes = kept.reduce((sum, f) => sum + f.size, 0);
  return { kept, skipped, problems, pairs, bytes };
}

function describeFolder(files) {
  folder = checkFolder(files);
  const dir = files[0]?.webkitRelativePath?.split('/')[0];
  let text = `${dir ? `${dir}: ` : ''}사진 ${folder.kept.length}개 (${folder.pairs}쌍), ${mb(folder.bytes)}`;
  if (folder.skipped.length) text += ` · 제외 ${folder.skipped.length}개 (${folder.skipped.slice(0, 3).join(', ')}${folder.skipped.length > 3 ? ' …' : ''})`;
  $('folder-summary').textContent = text;
  $('folder-summary').classList.toggle('error-text', folder.problems.length > 0);
  if (folder.problems.length) showProblems('선택한 폴더에 문제가 있습니다.', folder.problems);
  else $('upload-result').hidden = true;
}

function showProblems(title, problems) {
  const shown = problems.slice(0, 8);
  if (problems.length > shown.length) shown.push(`외 ${problems.length - shown.length}건`);
  showResult($('upload-result'), 'error', title, shown);
}

// ---- upload ----------------------------------------------------------------

function formProblems(f) {
  const problems = packProblems(f, packs);
  if (!folder) problems.push('사진 폴더를 선택해주세요.');
  else problems.push(...folder.problems);
  return problems;
}

function setBusy(busy) {
  for (const el of $('upload-form').querySelectorAll('input, select, button')) el.disabled = busy;
  // Shown or not, the cancel button keeps its place, so the form never moves.
  $('cancel').classList.toggle('idle', !busy);
  $('cancel').disabled = !busy;
  $('upload').textContent = busy ? '업로드 중…' : '업로드';
  document.body.classList.toggle('busy', busy);
}

function setProgress(fraction, label) {
  $('upload-progress').hidden = false;
  $('upload-bar').style.width = `${Math.round(fraction * 100)}%`;
  $('upload-percent').textContent = label;
}

function upload(event) {
  event.preventDefault();
  const form = $('upload-form');
  const fields = {
    pack_name: form.pack_name.value.trim(),
    sex: form.sex.value,
    age_min: form.age_min.value.trim(),
    age_max: form.age_max.value.trim(),
  };
  const problems = formProblems(fields);
  if (problems.length) {
    showProblems('업로드하기 전에 아래 내용을 고쳐주세요.', problems);
    return;
  }

  const body = new FormData();
  // Text fields before the files: the server reads the body as a stream.
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  for (const f of folder.kept) body.append('file', f, f.name);

  $('upload-result').hidden = true;
  setBusy(true);
  setProgress(0, `0% · 0 / ${mb(folder.bytes)}`);
  xhr = new XMLHttpRequest();
  xhr.open('POST', '/api/admin/create');
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) setProgress(e.loaded / e.total, `${Math.floor((100 * e.loaded) / e.total)}% · ${mb(e.loaded)} / ${mb(e.total)}`);
  };
  xhr.upload.onload = () => setProgress(1, '서버에서 사진을 확인하는 중…');
  xhr.onload = () => finishUpload(xhr.status, xhr.responseText.trim(), fields.pack_name);
  xhr.onerror = () => finishUpload(0, '', fields.pack_name);
  xhr.onabort = () => finishUpload(-1, '', fields.pack_name);
  xhr.send(body);
}

async function finishUpload(status, text, name) {
  xhr = null;
  setBusy(false);
  $('upload-progress').hidden = true;
  const box = $('upload-result');
  if (status === 200) {
    showResult(box, 'success', `'${name}' 세트를 등록했습니다.`, [], text);
    $('upload-form').reset();
    folder = null;
    $('folder-summary').textContent = '';
    const id = Number(text.match(/Pack (\d+)/)?.[1]);
    await refresh(id);
  } else if (status === -1) {
    showResult(box, 'info', '업로드를 취소했습니다.');
    await refresh();
  } else {
    showResult(box, 'error', explain(status, text, CREATE_MESSAGES), [], text);
  }
}

// ---- list ------------------------------------------------------------------

function link(text, href, format, label) {
  const a = downloadLink(text, href, label);
  a.dataset.format = format;
  return a;
}

// Downloads of one pack: the finished replies (JSON, CSV, CSV for Excel),
// and the same with the unfinished runs added.
function downloadLinks(p) {
  const url = `/api/admin/download?id=${p.p_id}`;
  const what = `${p.pack_name} 응답 내려받기`;
  const all = `${p.pack_name} 응답과 마치지 않은 참가자 기록 내려받기`;
  const finished = document.createElement('div');
  finished.append(
    link('JSON', url, 'json', `JSON: ${what} (Python·R 분석용)`),
    link('CSV', `${url}&format=csv`, 'csv', `CSV: ${what} (pandas·R용)`),
    // Excel on Korean Windows reads a CSV without a byte-order mark as
    // CP949 and garbles the Hangul; pandas and R want none.
    link('CSV (Excel)', `${url}&format=csv&bom=1`, 'excel', `CSV (Excel): ${what} (Excel에서 한글이 깨지지 않게 BOM을 붙인 CSV)`),
  );
  const unfinished = document.createElement('div');
  unfinished.className = 'sub';
  unfinished.append(
    Object.assign(document.createElement('span'), { textContent: '미완료 포함' }),
    link('JSON', `${url}&include=unfinished`, 'json-unfinished', `JSON: ${all}`),
    link('CSV', `${url}&include=unfinished&format=csv`, 'csv-unfinished', `CSV: ${all}`),
  );
  const td = document.createElement('td');
  td.className = 'links';
  td.append(finished, unfinished);
  return td;
}

function row(p, freshId) {
  const tr = document.createElement('tr');
  tr.dataset.id = p.p_id;
  if (p.p_id === freshId) tr.className = 'fresh';
  const results = document.createElement('a');
  results.className = 'btn btn-quiet btn-small';
  results.href = `/admin/results.html?id=${p.p_id}`;
  results.textContent = '결과 보기';
  results.setAttribute('aria-label', `${p.pack_name} 결과 보기 (분류 이미지와 응답 품질)`);
  const del = document.createElement('button');
  del.type = 'button';
  del.className = 'btn btn-danger btn-small';
  del.textContent = '삭제';
  del.setAttribute('aria-label', `${p.pack_name} 세트 삭제`);
  del.addEventListener('click', () => remove(p, del));
  const actions = document.createElement('td');
  actions.className = 'row-actions';
  actions.append(results, del);
  const count = (n, kind) => cell(n ?? 0, n > 0 ? `num ${kind}` : 'num zero');
  tr.append(
    cell(p.p_id, 'num'), cell(p.pack_name, 'name'), cell(`${SEX[p.sex] ?? p.sex} ${p.age_min}~${p.age_max}세`, 'target'),
    cell(p.size, 'num'), count(p.count, 'finished'), count(p.running, 'running'), count(p.abandoned, 'abandoned'),
    cell(p.last ?? '없음', p.last ? 'date last' : 'date last none'), cell(p.date.slice(0, 10), 'date'),
    downloadLinks(p), actions,
  );
  tr.cells[8].title = p.date;
  return tr;
}

async function refresh(freshId) {
  let res;
  try {
    res = await request('GET', '/api/admin/list');
  } catch {
    res = { status: 0, text: '' };
  }
  if (res.status !== 200 || !Array.isArray(res.data)) {
    showResult($('list-message'), 'error', `목록을 불러오지 못했습니다. ${explain(res.status, res.text)}`, [], res.text);
    return;
  }
  packs = res.data;
  $('pack-rows').replaceChildren(...packs.map((p) => row(p, freshId)));
  $('packs').hidden = packs.length === 0;
  $('empty').hidden = packs.length > 0;
  document.body.dataset.packs = packs.length;
}

async function remove(p, button) {
  const lines = [`'${p.pack_name}' 세트(ID ${p.p_id})를 삭제할까요?`, '', `이 세트의 응답 ${p.count}건과 사진이 모두 함께 삭제되며 되돌릴 수 없습니다.`];
  if (p.running > 0) lines.push(`지금 검사를 진행 중인 참가자 ${p.running}명의 기록도 함께 삭제되며, 그 참가자들은 응답을 제출할 수 없게 됩니다.`);
  if (p.count > 0) lines.push('삭제하기 전에 응답을 내려받았는지 확인해주세요.');
  if (!confirm(lines.join('\n'))) return;
  button.disabled = true;
  let res;
  try {
    // A same-origin POST: the service refuses to delete on a navigation
    // (a link, a typed address), which another site could trigger.
    res = await request('POST', '/api/admin/remove', { form: { id: p.p_id } });
  } catch {
    res = { status: 0, text: '' };
  }
  $('upload-result').hidden = true;
  if (res.status === 200) showResult($('list-message'), 'success', `'${p.pack_name}' 세트와 응답 ${p.count}건을 삭제했습니다.`, [], res.text);
  else showResult($('list-message'), 'error', res.status === 400 ? '이미 삭제된 세트입니다.' : explain(res.status, res.text), [], res.text);
  await refresh();
}

$('folder').addEventListener('change', (e) => describeFolder([...e.target.files]));
$('upload-form').addEventListener('submit', upload);
$('cancel').addEventListener('click', () => xhr?.abort());
$('refresh').addEventListener('click', () => { $('list-message').hidden = true; refresh(); });
// Leaving mid-upload would silently drop it.
window.addEventListener('beforeunload', (e) => { if (xhr) e.preventDefault(); });
initGenerate({ packs: () => packs, refresh, showResult, explain, createMessages: CREATE_MESSAGES });
refresh();
