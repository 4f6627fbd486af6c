// The timed two-image task: instructions, one trial per pair of pic_pairs in
// order, then a submit that keeps trying until the server has the reply.
import { postJSON, loadTexts, fill } from './api.js';
import { loadSession, saveSession, clearSession } from './session.js';

const LIMIT_MS = 3000;
// The 300-trial browser test shortens the pause through localStorage;
// participants never set this key, and the bounds keep a stray value harmless.
const FIXATION_MS = (() => {
  const raw = localStorage.getItem('psyx.fixationMs');
  const v = Number(raw);
  return raw !== null && v >= 0 && v <= 2000 ? v : 500;
})();

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round3 = (x) => Math.round(x * 1000) / 1000;

let texts;
let session;

// ---- screens -------------------------------------------------------------

function setState(state, data = {}) {
  document.body.dataset.state = state;
  for (const k of ['step', 'trial', 'attempt']) delete document.body.dataset[k];
  Object.assign(document.body.dataset, data);
}

function show(screen) {
  for (const s of document.querySelectorAll('.screen')) s.hidden = s.id !== `screen-${screen}`;
}

function message(text, hint = '', actions = []) {
  $('message').textContent = text;
  $('message-hint').textContent = hint;
  $('message-actions').replaceChildren(...actions);
  show('message');
}

function progress(done, total) {
  const bar = $('progress');
  bar.hidden = false;
  bar.setAttribute('aria-valuemax', total);
  bar.setAttribute('aria-valuenow', done);
  $('progress-bar').style.width = `${(100 * done) / total}%`;
}

// ---- keyboard ------------------------------------------------------------

// One listener; whoever waits for a key installs a handler that returns true
// when it took the key.
let keyHandler = null;
document.addEventListener('keydown', (e) => {
  // A held key repeats and a shortcut (Ctrl+R, ...) is not an answer.
  if (e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
  if (keyHandler && keyHandler(e)) e.preventDefault();
});

function waitSpace() {
  return new Promise((resolve) => {
    keyHandler = (e) => {
      if (e.code !== 'Space' && e.key !== ' ') return false;
      keyHandler = null;
      resolve();
      return true;
    };
  });
}

// e.code names the physical key, so F/J work while a Korean IME is on
// (e.key would then be ㄹ/ㅓ).
const ANSWER_CODE = { KeyF: 'F', KeyJ: 'J' };
const ANSWER_KEY = { f: 'F', j: 'J', F: 'F', J: 'J', ㄹ: 'F', ㅓ: 'J' };

function respond(t0) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      keyHandler = null;
      resolve([' ', LIMIT_MS / 1000]);
    }, LIMIT_MS - (performance.now() - t0));
    keyHandler = (e) => {
      const key = ANSWER_CODE[e.code] ?? ANSWER_KEY[e.key];
      if (!key) return false;
      clearTimeout(timer);
      keyHandler = null;
      // The event's timestamp is when the key went down, not when this
      // handler got its turn.
      resolve([key, Math.max(0, e.timeStamp - t0) / 1000]);
      return true;
    };
  });
}

// ---- sound ---------------------------------------------------------------

// Browsers only let audio start after a key press on the page; the Space that
// ends the instructions (or resumes) is that press.
let audio = null;
function unlockAudio() {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') audio.resume();
  } catch {
    audio = null;
  }
}

function beep() {
  if (!audio) return;
  try {
    const t = audio.currentTime;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    // A ramp in and out avoids the click of a square edge.
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.2, t + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.12);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(t + 0.13);
  } catch { /* no sound is better than a stuck trial */ }
}

// ---- images --------------------------------------------------------------

const loading = new Map();

async function loadImage(url) {
  for (let attempt = 0; ; attempt++) {
    const img = new Image();
    img.alt = '';
    img.draggable = false;
    img.src = url;
    try {
      await img.decode();
      return img;
    } catch {
      await sleep(Math.min(1000 * 2 ** attempt, 10000));
    }
  }
}

// Decoded in advance so that both faces appear in the same frame.
function loadPair(i) {
  const pairs = session.pic_pairs;
  if (i >= pairs.length) return null;
  if (!loading.has(i)) {
    const url = (file) => `${session.pack_path}/${encodeURIComponent(file)}`;
    loading.set(i, Promise.all(pairs[i].map((f) => loadImage(url(f)))));
  }
  return loading.get(i);
}

// Two frames: the first callback runs before the new images are painted,
// the second once that frame is on its way to the screen.
const nextPaint = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

// ---- flow ----------------------------------------------------------------

async function instructions(total) {
  const lines = texts.instructions.map((l) => fill(l, { count: total, seconds: LIMIT_MS / 1000 }));
  for (let i = 0; i < lines.length; i++) {
    setState('instructions', { step: i });
    message(lines[i], i < lines.length - 1 ? texts.next_hint : '');
    await waitSpace();
    unlockAudio();
  }
}

async function resume(done, total) {
  setState('resume');
  progress(done, total);
  message(fill(texts.resume, { done, total }), texts.resume_hint);
  await waitSpace();
  unlockAudio();
}

async function trials() {
  const pairs = session.pic_pairs;
  const total = pairs.length;
  $('question').textContent = texts.question;
  $('label-left').textContent = texts.key_left;
  $('label-right').textContent = texts.key_right;
  for (let i = session.answers.length; i < total; i++) {
    setState('fixation', { trial: i });
    progress(i, total);
    show('fixation');
    const slow = setTimeout(() => { $('fixation-note').textContent = texts.loading_images; }, 1000);
    const [faces] = await Promise.all([loadPair(i), sleep(FIXATION_MS)]);
    clearTimeout(slow);
    $('fixation-note').textContent = '';

    $('face-left').replaceChildren(faces[0]);
    $('face-right').replaceChildren(faces[1]);
    show('trial');
    loading.delete(i);
    loadPair(i + 1);
    await nextPaint();
    const t0 = performance.now();
    setState('trial', { trial: i });

    const [key, rt] = await respond(t0);
    beep();
    session.answers.push([key, round3(rt), pairs[i][0], pairs[i][1]]);
    saveSession(session);
  }
  progress(total, total);
}

// Waits ms, or less if the network comes back meanwhile.
function pause(ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    window.addEventListener('online', done);
  });
}

function saveFileButton(body) {
  const a = document.createElement('a');
  a.className = 'btn btn-quiet';
  a.textContent = texts.save_file;
  a.download = `psyx-reply-${body.token}.json`;
  a.href = URL.createObjectURL(new Blob([JSON.stringify(body)], { type: 'application/json' }));
  return a;
}

async function submit() {
  const body = { ...session.person, p_id: session.p_id, answers: session.answers, token: session.token };
  setState('submitting');
  message(texts.submitting);
  let delay = 1000;
  for (let attempt = 1; ; attempt++) {
    let res = null;
    try {
      res = await postJSON('/api/reply/submit', body);
    } catch { /* no answer: retry */ }
    if (res?.status === 200) {
      clearSession();
      $('progress').hidden = true;
      setState('done');
      message(texts.thanks, texts.thanks_hint);
      return;
    }
    if (res?.status === 400) {
      // The server read the reply and refused it: retrying cannot help, so
      // keep it on this computer and let the lab take it from here.
      setState('rejected');
      message(texts.rejected, res.text, [saveFileButton(body)]);
      return;
    }
    setState('retrying', { attempt });
    const why = res ? `HTTP ${res.status}` : '응답 없음';
    message(texts.retrying, `${texts.retrying_hint}\n(${attempt}회 시도, ${why})`);
    await pause(delay);
    delay = Math.min(delay * 2, 15000);
  }
}

async function main() {
  try {
    texts = await loadTexts();
  } catch {
    setState('error');
    message('화면을 불러오지 못했습니다. 새로고침(F5)해주세요.');
    return;
  }
  session = loadSession();
  if (!session) {
    setState('none');
    const home = document.createElement('a');
    home.className = 'btn btn-primary';
    home.href = '/';
    home.textContent = texts.to_signup;
    message(texts.no_session, '', [home]);
    return;
  }
  const total = session.pic_pairs.length;
  const done = session.answers.length;
  if (done < total) {
    loadPair(done);
    if (done === 0) await instructions(total);
    else await resume(done, total);
    await trials();
  }
  await submit();
}

main();
