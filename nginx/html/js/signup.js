// Sign-up: the form mirrors the server's rules so people see mistakes while
// typing, but the server decides; its 400 sentences are mapped back onto the
// field they concern, or said in Korean above the form (errors.js). It also
// continues a run: this computer's (the offer from localStorage, by its
// token) or another computer's (by the resume code typed).
import { loadTexts, retryable, postRetrying } from './api.js';
import { loadSession, clearSession, startSession, continueSession, saveDone, newToken } from './session.js';
import { measureRefresh, clientFacts } from './client.js';
import { explain, showExplained } from './errors.js';

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
// The resume code: Crockford's base32, as the server reads it.
const CODE_CHARS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const code = { error: '이어하기 코드는 영문과 숫자 8자리입니다 (예: 7KX2-9QDM).' };
// texts.json's "errors": the Korean for each refusal of the server.
let errorTexts = {};

const defaultHint = {};
const touched = new Set();
// Measured while the person types, sent with the start.
const refresh = measureRefresh();
// One token for every try of this sign-up: a start the server did but whose
// answer got lost is resumed by the next try, never made twice.
let token = newToken();
const START_TRIES = 4;

// "7kx2 9qdm", "7KX29QDM", "7KX2-9QDM" → "7KX2-9QDM": any case, dash or
// spaces or none, O read as 0 and I, L as 1, as the server reads it; ''
// when it is not 8 such characters.
function canonicalCode(typed) {
  const s = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== 8 || [...s].some((c) => !CODE_CHARS.includes(c))) return '';
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

const typedCode = () => form.elements.code.value.trim();

// validateCode judges the code (none is fine: a new run); tidy shows it
// in the form it will be sent in.
function validateCode(tidy = false) {
  const typed = typedCode();
  const ok = typed === '' || canonicalCode(typed) !== '';
  if (tidy && ok && typed) form.elements.code.value = canonicalCode(typed);
  showFieldError('code', ok ? '' : code.error);
  return ok;
}

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
  delete hint.dataset.detail;
  for (const input of box.querySelectorAll('input')) input.setAttribute('aria-invalid', String(Boolean(message)));
}

function validate(field) {
  const message = problem(field);
  showFieldError(field, message);
  return !message;
}

// showGeneral says message above the form (why: explain's {text, detail});
// '' hides it.
function showGeneral(message) {
  const box = $('general-error');
  if (message && typeof message === 'object') {
    showExplained(box, message);
  } else {
    box.textContent = message;
    delete box.dataset.detail;
  }
  box.hidden = !message;
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
  if (!validateCode(true)) {
    $('other-computer').open = true;
    bad.unshift('code');
  }
  if (bad.length) {
    const first = form.querySelector(`[data-field="${bad[0]}"] input`);
    first.focus();
    return;
  }
  const p = person();
  for (const f of FIELDS) $(`c-${f}`).textContent = f === 'sex' ? SEX_LABEL[p.sex] : f === 'age' ? `만 ${p.age}세` : p[f];
  const resume = canonicalCode(typedCode());
  $('c-code').textContent = resume;
  $('c-code-row').hidden = !resume;
  $('confirm-lead').textContent = resume
    ? '확인을 누르면 다른 컴퓨터에서 하던 검사를 이어서 진행합니다. 조용한 곳에서 키보드를 사용해 진행해주세요.'
    : '확인을 누르면 검사 안내가 시작됩니다. 조용한 곳에서 키보드를 사용해 진행해주세요.';
  showStep('confirm');
  $('start').focus();
}

// enter goes to the experiment page with what a start answered: the
// thank-you screen for a run finished already (on this computer or
// another), else the run. false: an answer the page cannot read.
function enter(data, begin) {
  if (data?.finished === true && typeof data.completion === 'string') {
    clearSession();
    saveDone({ code: data.completion, url: data.url || '', at: Date.now(), before: true });
  } else if (Array.isArray(data?.pic_pairs) && data.token) {
    begin(data);
  } else {
    return false;
  }
  location.href = '/experiment.html';
  return true;
}

// Resolves to '' once the browser is on its way to the experiment, to null
// when the server's message went next to a field, else to what to say
// above the form (explain's {text, detail}). No answer, a 5xx or a 429 is
// tried again quietly (with the same token) before the person hears of it.
async function requestStart(p, renewed = false) {
  const resume = canonicalCode(typedCode());
  const body = { ...p, token, client: clientFacts(await refresh) };
  if (resume) body.resume = resume;
  const res = await postRetrying('/api/reply/start', body, START_TRIES);
  // expired: the code's run was left too long, so the server began a new one.
  if (res?.status === 200 && enter(res.data, (d) => startSession(p, d, { expired: Boolean(resume) && d.resume !== resume }))) return '';
  const why = explain(res, errorTexts);
  if (res?.status !== 400) return why;
  if (res.text.startsWith('Token Already Used') && !renewed) {
    // This page's token went to a run of other details (the person changed
    // their age or e-mail after a lost answer): a new sign-up, a new token.
    token = newToken();
    return requestStart(p, true);
  }
  const hit = SERVER_FIELD.find(([prefix]) => res.text.startsWith(prefix));
  if (hit || res.text.startsWith('Unknown Resume Code')) {
    const field = hit ? hit[1] : 'code';
    showStep('form');
    touched.add(field);
    showFieldError(field, hit ? rules[field].error : why.text);
    $(`${field}-hint`).dataset.detail = why.detail;
    if (!hit) $('other-computer').open = true;
    form.querySelector(`[data-field="${field}"] input`).focus();
    return null;
  }
  return why;
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

// continueHere asks the server about this computer's run before going on
// with it: finished meanwhile (on another computer) → the thank-you screen;
// answered further elsewhere → from there. Without an answer it goes on
// with what this computer holds; the experiment page saves as it can.
async function continueHere(s) {
  const button = $('resume-go');
  const label = button.textContent;
  button.disabled = true;
  button.textContent = '확인하는 중…';
  showGeneral('');
  const res = await postRetrying('/api/reply/start', { ...s.person, token: s.token, client: clientFacts(await refresh) }, START_TRIES);
  if (res?.status === 200 && enter(res.data, (d) => continueSession(s, d))) return;
  if (retryable(res)) {
    location.href = '/experiment.html';
    return;
  }
  button.disabled = false;
  button.textContent = label;
  showGeneral(explain(res, errorTexts));
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
  $('resume-go').addEventListener('click', () => continueHere(s));
  $('resume-discard').addEventListener('click', () => {
    if (!confirm(`${s.person.name} 님의 진행 기록(${done} / ${total})을 지우고 새로 신청할까요? 지운 기록은 되돌릴 수 없습니다.`)) return;
    clearSession();
    showGeneral('');
    $('resume').hidden = true;
    $('keyboard-note').hidden = false;
    form.hidden = false;
  });
}

async function applyTexts() {
  try {
    const all = await loadTexts();
    errorTexts = all.errors || {};
    const t = all.signup || {};
    if (t.name_pattern) rules.name.re = new RegExp(t.name_pattern);
    if (t.phone_pattern) rules.phone.re = new RegExp(t.phone_pattern);
    if (typeof t.phone_format === 'string') rules.phone.format = t.phone_format;
    if (t.name_error) rules.name.error = t.name_error;
    if (t.phone_error) rules.phone.error = t.phone_error;
    if (t.name_hint) defaultHint.name = t.name_hint;
    if (t.phone_hint) defaultHint.phone = t.phone_hint;
    if (t.code_hint) defaultHint.code = t.code_hint;
    if (t.code_error) code.error = t.code_error;
    if (t.keyboard_note) $('keyboard-note').textContent = t.keyboard_note;
    if (t.touch_only) $('touch-only-text').textContent = t.touch_only;
    for (const f of ['name', 'phone', 'code']) if (!form.querySelector(`[data-field="${f}"]`).classList.contains('invalid')) $(`${f}-hint`).textContent = defaultHint[f];
  } catch {
    // The built-in defaults match the server's defaults; go on with them.
  }
}

for (const f of [...FIELDS, 'code']) defaultHint[f] = $(`${f}-hint`).textContent;
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

// The code is judged once the person leaves the field, then live.
form.elements.code.addEventListener('blur', () => { if (typedCode() !== '' || touched.has('code')) { touched.add('code'); validateCode(true); } });
form.elements.code.addEventListener('input', () => { if (touched.has('code')) validateCode(); });
$('other-computer').addEventListener('toggle', () => { if ($('other-computer').open) form.elements.code.focus(); });
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
