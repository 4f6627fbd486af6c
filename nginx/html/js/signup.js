// Sign-up: the form mirrors the server's rules so people see mistakes while
// typing, but the server decides; its 400 sentences are mapped back onto the
// field they concern.
import { postJSON, loadTexts, retryable, backoff } from './api.js';
import { loadSession, clearSession, startSession, newToken } from './session.js';
import { measureRefresh, clientFacts } from './client.js';

const $ = (id) => document.getElementById(id);
const form = $('signup-form');
const FIELDS = ['name', 'age', 'sex', 'no', 'phone', 'email'];
const SEX_LABEL = { 1: '남성', 2: '여성' };

// The server's defaults; texts.json may replace the two that labs configure.
const rules = {
  name: { re: /^[가-힣]{2,}$/, max: 63, error: '성명은 한글로 2자 이상 입력해주세요.' },
  age: { re: /^\d{1,3}$/, check: (v) => Number(v) <= 120, error: '나이를 0에서 120 사이의 숫자로 입력해주세요.' },
  sex: { re: /^[12]$/, error: '성별을 선택해주세요.' },
  no: { re: /^[A-Za-z0-9]+$/, max: 19, error: '학번은 띄어쓰기 없이 영문과 숫자로만 19자 이내로 입력해주세요.' },
  // format: one # per digit; digits typed with or without dashes or spaces
  // are put in this form before they are checked and sent ('' = as typed).
  phone: { re: /^\d{3}-\d{4}-\d{4}$/, format: '###-####-####', error: '휴대전화 번호를 010-1234-5678 형식으로 입력해주세요.' },
  email: {
    re: /^[A-Za-z0-9]+[A-Za-z0-9.+_-]*@[A-Za-z0-9._-]+\.[a-zA-Z0-9]+$/,
    max: 47,
    error: '이메일 주소를 name@example.com 형식으로 입력해주세요.',
  },
};

// Prefixes of the server's 400 messages (README, HTTP API) → the field they concern.
const SERVER_FIELD = [
  ['Invalid Name', 'name'],
  ['Invalid Email Address', 'email'],
  ['Invalid Sex', 'sex'],
  ['Invalid Age', 'age'],
  ['Invalid ExperimentNo.', 'no'],
  ['Invalid Phone Number', 'phone'],
];
const NO_PACK = '입력하신 성별과 나이에 해당하는 검사가 현재 없습니다. 성별과 나이를 다시 확인하시고, 맞다면 연구 담당자에게 문의해주세요.';

const defaultHint = {};
const touched = new Set();
// Measured while the person types, sent with the start.
const refresh = measureRefresh();
// One token for every try of this sign-up: a start the server did but whose
// answer got lost is resumed by the next try, never made twice.
let token = newToken();
const START_TRIES = 4;

// "01012345678", "010 1234 5678", "010-1234-5678" → "010-1234-5678" for
// "###-####-####"; anything that is not that many digits (with dashes or
// spaces) stays as typed, for the pattern to judge. The server does the same.
function canonicalPhone(typed, format) {
  const digits = typed.replace(/[ -]/g, '');
  const slots = (format.match(/#/g) ?? []).length;
  if (!format || rules.phone.re.test(typed) || !/^\d+$/.test(digits) || digits.length !== slots) return typed;
  let i = 0;
  return format.replace(/#/g, () => digits[i++]);
}

function value(field) {
  if (field === 'sex') return form.querySelector('input[name=sex]:checked')?.value ?? '';
  const typed = form.elements[field].value.trim();
  return field === 'phone' ? canonicalPhone(typed, rules.phone.format) : typed;
}

// Shows the number in the form it will be sent in.
function tidyPhone() {
  const input = form.elements.phone;
  const v = value('phone');
  if (input.value !== v) input.value = v;
}

function problem(field) {
  const r = rules[field];
  const v = value(field);
  const ok = r.re.test(v) && (!r.max || v.length <= r.max) && (!r.check || r.check(v));
  return ok ? '' : r.error;
}

function showFieldError(field, message) {
  const box = form.querySelector(`[data-field="${field}"]`);
  const hint = $(`${field}-hint`);
  box.classList.toggle('invalid', Boolean(message));
  box.classList.toggle('valid', !message && touched.has(field));
  hint.textContent = message || defaultHint[field];
  for (const input of box.querySelectorAll('input')) input.setAttribute('aria-invalid', String(Boolean(message)));
}

function validate(field) {
  const message = problem(field);
  showFieldError(field, message);
  return !message;
}

function showGeneral(message) {
  $('general-error').textContent = message;
  $('general-error').hidden = !message;
}

function person() {
  return {
    name: value('name'),
    email: value('email'),
    no: value('no'),
    // The API wants JSON integers, never strings.
    sex: Number(value('sex')),
    age: Number(value('age')),
    phone: value('phone'),
  };
}

function showStep(step) {
  form.hidden = step !== 'form';
  $('confirm').hidden = step !== 'confirm';
  document.body.dataset.step = step;
}

function toConfirm(event) {
  event.preventDefault();
  showGeneral('');
  FIELDS.forEach((f) => touched.add(f));
  tidyPhone();
  const bad = FIELDS.filter((f) => !validate(f));
  if (bad.length) {
    const first = form.querySelector(`[data-field="${bad[0]}"] input`);
    first.focus();
    return;
  }
  const p = person();
  for (const f of FIELDS) $(`c-${f}`).textContent = f === 'sex' ? SEX_LABEL[p.sex] : f === 'age' ? `만 ${p.age}세` : p[f];
  showStep('confirm');
  $('start').focus();
}

// Resolves to '' once the browser is on its way to the experiment, to null
// when the server's message went next to a field, else to the sentence for
// above the form. No answer, a 5xx or a 429 is tried again quietly (with
// the same token) before the person hears of it.
async function requestStart(p, renewed = false) {
  const body = { ...p, token, client: clientFacts(await refresh) };
  let res = null;
  for (let attempt = 1; attempt <= START_TRIES; attempt++) {
    try {
      res = await postJSON('/api/reply/start', body);
    } catch {
      res = null;
    }
    if (!retryable(res) || attempt === START_TRIES) break;
    await new Promise((r) => setTimeout(r, backoff(res, attempt)));
  }
  if (!res) return '서버에 연결하지 못했습니다. 인터넷 연결을 확인하고 다시 시도해주세요.';
  if (res.status === 200 && res.data && Array.isArray(res.data.pic_pairs) && res.data.token) {
    startSession(p, res.data);
    location.href = '/experiment.html';
    return '';
  }
  if (res.status !== 400) return `서버에 문제가 있어 신청을 받지 못했습니다. 잠시 후 다시 시도해주세요. (HTTP ${res.status})`;
  if (res.text.startsWith('Token Already Used') && !renewed) {
    // This page's token went to a run of other details (the person changed
    // their age or e-mail after a lost answer): a new sign-up, a new token.
    token = newToken();
    return requestStart(p, true);
  }
  const hit = SERVER_FIELD.find(([prefix]) => res.text.startsWith(prefix));
  if (hit) {
    showStep('form');
    touched.add(hit[1]);
    showFieldError(hit[1], rules[hit[1]].error);
    form.querySelector(`[data-field="${hit[1]}"] input`).focus();
    return null;
  }
  return res.text.startsWith('No Suitable Pack') ? NO_PACK : `입력하신 내용을 확인해주세요. (${res.text})`;
}

async function start() {
  const button = $('start');
  button.disabled = true;
  $('back').disabled = true;
  button.textContent = '검사를 준비하는 중…';
  const message = await requestStart(person());
  // Leaving for the experiment: keep the button off so it cannot start twice.
  if (message === '') return;
  button.disabled = false;
  $('back').disabled = false;
  button.textContent = '확인, 검사 시작';
  if (message) {
    showStep('form');
    showGeneral(message);
  }
}

function offerResume() {
  const s = loadSession();
  if (!s) return;
  const total = s.pic_pairs.length;
  const done = s.answers.length;
  $('resume-text').textContent = done >= total
    ? `이 컴퓨터에 아직 제출되지 않은 ${s.person.name} 님의 응답이 있습니다. 먼저 제출을 마쳐주세요.`
    : `이 컴퓨터에 ${s.person.name} 님이 마치지 않은 검사가 있습니다 (${done} / ${total} 완료).`;
  // The form stays hidden until the old run is dealt with, so that nobody
  // overwrites it by accident.
  // They started on this computer: no need to say again that it needs one.
  $('resume').hidden = false;
  $('keyboard-note').hidden = true;
  form.hidden = true;
  $('resume-discard').addEventListener('click', () => {
    if (!confirm(`${s.person.name} 님의 진행 기록(${done} / ${total})을 지우고 새로 신청할까요? 지운 기록은 되돌릴 수 없습니다.`)) return;
    clearSession();
    $('resume').hidden = true;
    $('keyboard-note').hidden = false;
    form.hidden = false;
  });
}

async function applyTexts() {
  try {
    const t = (await loadTexts()).signup || {};
    if (t.name_pattern) rules.name.re = new RegExp(t.name_pattern);
    if (t.phone_pattern) rules.phone.re = new RegExp(t.phone_pattern);
    if (typeof t.phone_format === 'string') rules.phone.format = t.phone_format;
    if (t.name_error) rules.name.error = t.name_error;
    if (t.phone_error) rules.phone.error = t.phone_error;
    if (t.name_hint) defaultHint.name = t.name_hint;
    if (t.phone_hint) defaultHint.phone = t.phone_hint;
    if (t.keyboard_note) $('keyboard-note').textContent = t.keyboard_note;
    if (t.touch_only) $('touch-only-text').textContent = t.touch_only;
    for (const f of ['name', 'phone']) if (!form.querySelector(`[data-field="${f}"]`).classList.contains('invalid')) $(`${f}-hint`).textContent = defaultHint[f];
  } catch {
    // The built-in defaults match the server's defaults; go on with them.
  }
}

for (const f of FIELDS) defaultHint[f] = $(`${f}-hint`).textContent;
for (const f of FIELDS) {
  const inputs = form.querySelectorAll(`[data-field="${f}"] input`);
  for (const input of inputs) {
    // Judge a field once the person has left it, then live while they fix it.
    input.addEventListener('blur', () => {
      if (f === 'phone') tidyPhone();
      if (value(f) !== '' || touched.has(f)) { touched.add(f); validate(f); }
    });
    input.addEventListener('input', () => { if (touched.has(f)) validate(f); });
    input.addEventListener('change', () => { if (f === 'sex') { touched.add(f); validate(f); } });
  }
}
// The task is answered with the F and J keys: a phone or tablet (a coarse
// pointer only, nothing that can hover) is told so instead of being let in.
// A laptop with a touch screen still has its touchpad and gets the form.
function touchOnly() {
  const has = (q) => matchMedia(q).matches;
  return has('(any-pointer: coarse)') && !has('(any-pointer: fine)') && !has('(any-hover: hover)');
}

form.addEventListener('submit', toConfirm);
$('back').addEventListener('click', () => { showStep('form'); $('name').focus(); });
$('start').addEventListener('click', start);
applyTexts();
if (touchOnly()) {
  form.hidden = true;
  $('keyboard-note').hidden = true;
  $('form-lead').hidden = true;
  $('touch-only').hidden = false;
  $('touch-url').textContent = location.origin + location.pathname;
  document.body.dataset.step = 'touch-only';
} else {
  showStep('form');
  offerResume();
}
