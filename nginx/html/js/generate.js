// Admin console, second way to make a pack: one base face, the pairs made on
// the server (POST /api/admin/generate), with a preview of one pair first
// (?preview=1). The page's state is in body data-generate (idle, preview,
// working, done, error) for people and tests alike.

import { packProblems } from './pack-fields.js';

const $ = (id) => document.getElementById(id);
const SIZES = [128, 256, 512, 1024];

// The server's 400 sentences (README, HTTP API) → what the researcher should do.
const GENERATE_MESSAGES = [
  ['Nothing Uploaded', '기본 얼굴 사진을 선택해주세요.'],
  ['Invalid Image', '사진을 열 수 없습니다. PNG 또는 JPEG 파일인지 확인해주세요.'],
  ['Unreadable Image', '사진 파일이 손상되어 읽을 수 없습니다. 다른 파일로 해주세요.'],
  ['Base Image Not Square', '기본 얼굴 사진은 가로와 세로가 같은 정사각형이어야 합니다. 잘라서 다시 선택해주세요.'],
  ['Image Too Large', '기본 얼굴 사진이 너무 큽니다. 1024×1024 이하로 줄여주세요.'],
  ['Base Image Flat', '사진 전체가 같은 밝기라서 대비를 늘릴 수 없습니다. 다른 사진을 써주세요.'],
  ['Invalid trials', '사진 쌍 수가 맞지 않습니다. 아래 서버 응답의 범위로 입력하거나 비워 두세요.'],
  ['Invalid img_size', '이 크기로는 만들 수 없습니다. 사진 크기에서 128, 256, 512 중 하나를 골라주세요.'],
  ['Upload Too Large', '사진 파일이 너무 큽니다.'],
];

let deps; // what admin.js shares: packs(), refresh(), showResult(), explain(), createMessages
let xhr = null; // the request in flight
let base = null; // {file, side} of the chosen base
let preview = null; // {url, seed, key} of the preview shown
let ticking = null;

function setState(state) {
  document.body.dataset.generate = state;
}

// The generation inputs a preview depends on: a preview's seed is used for
// the pack only while these stay the same.
function previewKey() {
  const f = base?.file;
  return JSON.stringify([f?.name, f?.size, f?.lastModified, $('gen_trials').value.trim(), $('gen_img_size').value, $('gen_noise').value]);
}

function dropPreview() {
  if (preview) URL.revokeObjectURL(preview.url);
  preview = null;
  $('gen-preview').hidden = true;
}

// ---- the base ---------------------------------------------------------------

async function chooseBase(file) {
  dropPreview();
  base = null;
  $('generate-result').hidden = true;
  const summary = $('gen-base-summary');
  summary.classList.remove('error-text');
  if (!file) return;
  let side = 0;
  let text = `${file.name} · ${(file.size / 1024).toFixed(0)} KB`;
  try {
    const bmp = await createImageBitmap(file);
    text += ` · ${bmp.width}×${bmp.height}`;
    if (bmp.width !== bmp.height) {
      summary.classList.add('error-text');
      text += ' · 정사각형이 아닙니다';
    } else side = bmp.width;
    bmp.close();
  } catch {
    summary.classList.add('error-text');
    text += ' · 열 수 없는 사진입니다';
  }
  summary.textContent = text;
  base = { file, side };
  // A side the noise cannot tile (not 64..1024 and a multiple of 16) needs
  // a size: the largest offered that fits, suggested.
  if (side && $('gen_img_size').value === '' && !(side >= 64 && side <= 1024 && side % 16 === 0)) {
    $('gen_img_size').value = String(SIZES.filter((s) => s <= side).pop() ?? SIZES[0]);
    summary.textContent += ` · 크기를 ${$('gen_img_size').value}로 맞춥니다`;
  }
}

// ---- checks -------------------------------------------------------------------

function fieldsOf(withPack) {
  const out = {};
  if (withPack) {
    out.pack_name = $('gen_pack_name').value.trim();
    out.sex = $('gen_sex').value;
    out.age_min = $('gen_age_min').value.trim();
    out.age_max = $('gen_age_max').value.trim();
  }
  const trials = $('gen_trials').value.trim();
  if (trials) out.trials = trials;
  if ($('gen_img_size').value) out.img_size = $('gen_img_size').value;
  out.noise = $('gen_noise').value;
  return out;
}

function problems(f, withPack) {
  const out = [];
  if (withPack) out.push(...packProblems(f, deps.packs()));
  if (f.trials !== undefined && !(/^\d{1,4}$/.test(f.trials) && Number(f.trials) >= 1 && Number(f.trials) <= 2000)) {
    out.push('사진 쌍 수는 1~2000 사이의 정수로 입력하거나 비워 두세요.');
  }
  if (!base) out.push('기본 얼굴 사진을 선택해주세요.');
  else if (!base.side) out.push('기본 얼굴 사진은 열 수 있는 정사각형 PNG 또는 JPEG여야 합니다.');
  return out;
}

function showProblems(title, list) {
  deps.showResult($('generate-result'), 'error', title, list);
  setState('error');
}

// ---- requests ---------------------------------------------------------------

function setBusy(busy, label) {
  for (const el of $('generate-form').querySelectorAll('input, select, button')) el.disabled = busy;
  $('gen-cancel').classList.toggle('idle', !busy);
  $('gen-cancel').disabled = !busy;
  $('generate').textContent = busy && label === 'create' ? '만드는 중…' : '만들기';
  $('gen-preview-button').textContent = busy && label === 'preview' ? '만드는 중…' : '미리 보기';
  document.body.classList.toggle('busy', busy);
  clearInterval(ticking);
  $('generate-progress').hidden = !busy;
}

// While the server works there is nothing to count but time: the bar
// sweeps and the seconds go up.
function working(what) {
  const began = Date.now();
  $('generate-bar').parentElement.classList.add('working');
  const tick = () => { $('generate-status').textContent = `${what} ${Math.floor((Date.now() - began) / 1000)}초`; };
  tick();
  ticking = setInterval(tick, 1000);
}

// send posts the form; once the base is up, the bar says what the server
// does (uploaded), and onDone gets the answer.
function send(query, fields, uploaded, onDone) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  body.append('base', base.file, base.file.name);
  xhr = new XMLHttpRequest();
  xhr.open('POST', `/api/admin/generate${query}`);
  xhr.responseType = 'blob';
  $('generate-bar').parentElement.classList.remove('working');
  $('generate-bar').style.width = '0%';
  $('generate-status').textContent = '사진을 보내는 중…';
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) $('generate-bar').style.width = `${Math.round((100 * e.loaded) / e.total)}%`;
  };
  xhr.upload.onload = () => working(uploaded);
  const request = xhr;
  xhr.onload = async () => {
    xhr = null;
    const blob = request.response;
    const text = request.status === 200 && query ? '' : (await blob.text()).trim();
    onDone(request.status, text, blob, request.getResponseHeader('X-Psyx-Seed'));
  };
  xhr.onerror = () => { xhr = null; onDone(0, '', null, null); };
  xhr.onabort = () => { xhr = null; onDone(-1, '', null, null); };
  xhr.send(body);
}

function failed(status, text) {
  const box = $('generate-result');
  if (status === -1) {
    deps.showResult(box, 'info', '취소했습니다. 아무것도 만들지 않았습니다.');
    setState('idle');
    return;
  }
  // Ours first, then create's (name, sex, ages, taken, overlap), then any
  // other field's "Invalid <field>: …".
  const table = [...GENERATE_MESSAGES, ...deps.createMessages, ['Invalid ', '생성 설정이 올바르지 않습니다.']];
  deps.showResult(box, 'error', deps.explain(status, text, table), [], text);
  setState('error');
}

function runPreview() {
  const f = fieldsOf(false);
  const list = problems(f, false);
  if (list.length) {
    showProblems('미리 보기 전에 아래 내용을 고쳐주세요.', list);
    return;
  }
  $('generate-result').hidden = true;
  const key = previewKey();
  setBusy(true, 'preview');
  setState('working');
  send('?preview=1', f, '1번 쌍을 만드는 중…', (status, text, blob, seed) => {
    setBusy(false);
    if (status !== 200) return failed(status, text);
    dropPreview();
    preview = { url: URL.createObjectURL(blob), seed, key };
    const img = $('gen-preview-img');
    img.onload = () => setState('preview');
    img.src = preview.url;
    $('gen-preview-caption').textContent = `1번 쌍 미리 보기: 왼쪽 ori, 오른쪽 inv · 시드 ${seed} (설정을 바꾸지 않고 만들기를 누르면 이 쌍이 1번 쌍이 됩니다)`;
    $('gen-preview').hidden = false;
    document.body.dataset.previewSeed = seed;
  });
}

function create(event) {
  event.preventDefault();
  const f = fieldsOf(true);
  const list = problems(f, true);
  if (list.length) {
    showProblems('만들기 전에 아래 내용을 고쳐주세요.', list);
    return;
  }
  // The preview's seed makes the pack whose first pair was shown.
  if (preview && preview.key === previewKey()) f.seed = preview.seed;
  $('generate-result').hidden = true;
  setBusy(true, 'create');
  setState('working');
  const what = f.trials ? `서버에서 사진 ${f.trials}쌍을 만드는 중…` : '서버에서 사진 쌍을 만드는 중…';
  send('', f, what, async (status, text) => {
    setBusy(false);
    if (status !== 200) return failed(status, text);
    deps.showResult($('generate-result'), 'success', `'${f.pack_name}' 세트를 만들었습니다.`, [], text);
    $('generate-form').reset();
    $('gen-base-summary').textContent = '';
    base = null;
    dropPreview();
    await deps.refresh(Number(text.match(/Pack (\d+)/)?.[1]));
    setState('done');
  });
}

export function initGenerate(shared) {
  deps = shared;
  setState('idle');
  $('gen_base').addEventListener('change', (e) => chooseBase(e.target.files[0]));
  for (const id of ['gen_trials', 'gen_img_size', 'gen_noise']) {
    $(id).addEventListener('change', () => { if (preview && preview.key !== previewKey()) dropPreview(); });
  }
  $('gen-preview-button').addEventListener('click', runPreview);
  $('generate-form').addEventListener('submit', create);
  $('gen-cancel').addEventListener('click', () => xhr?.abort());
  window.addEventListener('beforeunload', (e) => { if (xhr) e.preventDefault(); });
}
