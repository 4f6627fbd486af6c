// The timed two-image task: instructions, one trial per pair of pic_pairs in
// order (the server keeps a copy every 10 trials), then a submit that keeps
// trying until the server has the reply, and the completion code.
import { postJSON, loadTexts, fill, tryRequest, retryable, backoff } from './api.js';
import { loadSession, saveSession, clearSession, loadDone, saveDone, newToken } from './session.js';
import { RunKeeper } from './progress.js';
import { unlockAudio, beep } from './sound.js';

const LIMIT_MS = 3000;
// The server gets the answers so far after every SAVE_EVERY trials.
const SAVE_EVERY = 10;
// A thank-you screen with its code comes back on a reload for this long.
const DONE_KEPT_MS = 6 * 3600 * 1000;
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
let keeper;

// ---- screens -------------------------------------------------------------

function setState(state, data = {}) {
  document.body.dataset.state = state;
  for (const k of ['step', 'trial', 'attempt', 'lost']) delete document.body.dataset[k];
  Object.assign(document.body.dataset, data);
}

function show(screen) {
  for (const s of document.querySelectorAll('.screen')) s.hidden = s.id !== `screen-${screen}`;
}

function message(text, hint = '', actions = []) {
  $('completion').hidden = true;
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

// A page being left (reload, navigation, closed tab) is hidden too, after
// its pagehide: that trial is not lost, it comes back unanswered.
let leaving = false;
window.addEventListener('pagehide', () => { leaving = true; });
window.addEventListener('pageshow', () => { leaving = false; });

// Resolves to [key, rt, lost]: a timeout is [' ', limit]; a trial during
// which the page was hidden (another tab, a minimised window) ends there as
// a timeout with lost = true.
function respond(t0) {
  return new Promise((resolve) => {
    const end = (answer) => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onHide);
      keyHandler = null;
      resolve(answer);
    };
    const timer = setTimeout(() => end([' ', LIMIT_MS / 1000, false]), LIMIT_MS - (performance.now() - t0));
    const onHide = () => { if (document.hidden && !leaving) end([' ', LIMIT_MS / 1000, true]); };
    document.addEventListener('visibilitychange', onHide);
    keyHandler = (e) => {
      const key = ANSWER_CODE[e.code] ?? ANSWER_KEY[e.key];
      if (!key) return false;
      // The event's timestamp is when the key went down, not when this
      // handler got its turn.
      end([key, Math.max(0, e.timeStamp - t0) / 1000, false]);
      return true;
    };
    onHide();
  });
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

// The experiment stops only between trials: after a trial lost to a hidden
// page (lost), or when the page was hidden between two trials, it waits
// for the participant to come back and press Space.
async function paused(lost, done, total) {
  setState('paused', lost ? { lost: '1' } : {});
  progress(done, total);
  const why = lost ? `${texts.paused_lost}\n` : '';
  message(texts.paused, why + texts.resume_hint);
  await waitSpace();
}

async function trials() {
  const pairs = session.pic_pairs;
  const total = pairs.length;
  $('question').textContent = texts.question;
  $('label-left').textContent = texts.key_left;
  $('label-right').textContent = texts.key_right;
  for (let i = session.answers.length; i < total; i++) {
    if (document.hidden) await paused(false, i, total);
    setState('fixation', { trial: i });
    progress(i, total);
    show('fixation');
    const slow = setTimeout(() => { $('fixation-note').textContent = texts.loading_images; }, 1000);
    const [faces] = await Promise.all([loadPair(i), sleep(FIXATION_MS)]);
    clearTimeout(slow);
    $('fixation-note').textContent = '';
    if (document.hidden) {
      i--; // not shown yet: this trial again, after the pause
      continue;
    }

    $('face-left').replaceChildren(faces[0]);
    $('face-right').replaceChildren(faces[1]);
    show('trial');
    loading.delete(i);
    loadPair(i + 1);
    await nextPaint();
    const t0 = performance.now();
    setState('trial', { trial: i });

    const [key, rt, lost] = await respond(t0);
    if (!lost) beep();
    session.answers.push([key, round3(rt), pairs[i][0], pairs[i][1]]);
    saveSession(session);
    if (session.answers.length % SAVE_EVERY === 0) keeper.save();
    if (lost) await paused(true, i + 1, total);
  }
  progress(total, total);
}

// Waits ms, or less if the network comes back meanwhile.
function waitOnline(ms) {
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
  for (let attempt = 1; ; attempt++) {
    // The last save carries the final event counts, which the submit
    // copies into the reply.
    await keeper.flush();
    let res = null;
    try {
      res = await postJSON('/api/reply/submit', body);
    } catch { /* no answer: retry */ }
    if (res?.status === 200) {
      keeper.stop();
      clearSession();
      $('progress').hidden = true;
      await thanks(session.token);
      return;
    }
    if (res?.status === 400) {
      // The server read the reply and refused it: retrying cannot help, so
      // keep it on this computer and let the lab take it from here.
      setState('rejected');
      message(texts.rejected, res.text, [saveFileButton(body)]);
      return;
    }
    // A 429 only asks us to slow down: wait and try again without alarm.
    if (res?.status !== 429) {
      setState('retrying', { attempt });
      const why = res ? `HTTP ${res.status}` : '응답 없음';
      message(texts.retrying, `${texts.retrying_hint}\n(${attempt}회 시도, ${why})`);
    }
    await waitOnline(backoff(res, attempt));
  }
}

// ---- thank-you and completion code ----------------------------------------

function copyCode() {
  const code = $('completion-code').textContent;
  const done = () => { $('copy-code').textContent = texts.copied; };
  // The clipboard API exists only on HTTPS (or localhost); on plain HTTP the
  // selected text is copied the old way.
  if (window.isSecureContext && navigator.clipboard) {
    navigator.clipboard.writeText(code).then(done, () => {});
    return;
  }
  const range = document.createRange();
  range.selectNodeContents($('completion-code'));
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  try {
    if (document.execCommand('copy')) done();
  } catch { /* the code stays selected for Ctrl+C */ }
}

function showDone(done) {
  setState('done');
  message(texts.thanks, done?.code ? texts.thanks_code_hint : texts.thanks_hint);
  if (!done?.code) return;
  $('completion-label').textContent = texts.completion_label;
  $('completion-code').textContent = done.code;
  $('copy-code').textContent = texts.copy_code;
  const link = $('completion-link');
  link.hidden = !done.url;
  if (done.url) {
    link.href = done.url;
    link.textContent = texts.completion_link;
  }
  $('completion').hidden = false;
  document.body.dataset.code = done.code;
}

// thanks shows the thank-you screen at once, then the completion code as
// soon as the server gives it (asked again quietly until it answers).
async function thanks(token) {
  showDone(null);
  $('message-hint').textContent = texts.completion_wait;
  for (let attempt = 1; ; attempt++) {
    const res = await tryRequest('GET', `/api/reply/completion?token=${encodeURIComponent(token)}`);
    if (res?.status === 200 && typeof res.data?.code === 'string') {
      const done = { code: res.data.code, url: res.data.url || '', at: Date.now() };
      saveDone(done);
      showDone(done);
      return;
    }
    if (!retryable(res)) {
      showDone(null);
      return;
    }
    await waitOnline(backoff(res, attempt));
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
  const done = loadDone();
  if (!session && done && Date.now() - (done.at || 0) < DONE_KEPT_MS) {
    showDone(done);
    return;
  }
  if (!session) {
    setState('none');
    const home = document.createElement('a');
    home.className = 'btn btn-primary';
    home.href = '/';
    home.textContent = texts.to_signup;
    message(texts.no_session, '', [home]);
    return;
  }
  // A session from before runs had server tokens.
  session.token ||= newToken();
  keeper = new RunKeeper(session);
  const total = session.pic_pairs.length;
  const answered = session.answers.length;
  if (answered < total) {
    loadPair(answered);
    if (answered === 0) await instructions(total);
    else await resume(answered, total);
    await trials();
  }
  await submit();
}

main();
