// The timed two-image task: instructions, one trial per pair of pic_pairs in
// order (the server keeps a copy every 10 trials), then a submit that keeps
// trying until the server has the reply, and the completion code. The run's
// resume code shows on every screen between trials; a run finished on
// another computer meanwhile ends here on the thank-you screen.
import { postJSON, loadTexts, fill, tryRequest, backoff } from './api.js';
import { loadSession, saveSession, clearSession, loadDone, newToken } from './session.js';
import { RunKeeper } from './progress.js';
import { unlockAudio, beep } from './sound.js';
import { $, setState, show, message, progress, setResumeCode } from './screen.js';
import { showDone, thanks, waitOnline } from './done.js';
import { explain, showExplained } from './errors.js';

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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round3 = (x) => Math.round(x * 1000) / 1000;

let texts;
let session;
let keeper;
// Set once the run is over here: submitted, or finished on another
// computer. Every await of the flow checks it, so nothing of the run shows
// after the thank-you screen.
let ended = false;

// finish ends the run on this page and shows the thank-you screen; before:
// it was finished elsewhere, and this page's answers since are not needed.
function finish(before) {
  if (ended) return;
  ended = true;
  keyHandler = null;
  keeper.stop();
  clearSession();
  $('progress').hidden = true;
  thanks(texts, session.token, before);
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
  // A run begun anew because this computer's was left too long says so.
  const note = session.expired ? `${texts.resume_expired}\n` : '';
  for (let i = 0; i < lines.length; i++) {
    setState('instructions', { step: i });
    message(lines[i], (i === 0 ? note : '') + (i < lines.length - 1 ? texts.next_hint : ''));
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
    if (ended) return;
    setState('fixation', { trial: i });
    progress(i, total);
    show('fixation');
    const slow = setTimeout(() => { $('fixation-note').textContent = texts.loading_images; }, 1000);
    const [faces] = await Promise.all([loadPair(i), sleep(FIXATION_MS)]);
    clearTimeout(slow);
    $('fixation-note').textContent = '';
    if (ended) return;
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
    if (ended) return;
    const t0 = performance.now();
    setState('trial', { trial: i });

    const [key, rt, lost] = await respond(t0);
    if (ended) return;
    if (!lost) beep();
    session.answers.push([key, round3(rt), pairs[i][0], pairs[i][1]]);
    saveSession(session);
    if (session.answers.length % SAVE_EVERY === 0) keeper.save();
    if (lost) await paused(true, i + 1, total);
  }
  progress(total, total);
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
    // copies into the reply; it also tells of a run finished elsewhere.
    await keeper.flush();
    if (ended) return;
    let res = null;
    try {
      res = await postJSON('/api/reply/submit', body);
    } catch { /* no answer: retry */ }
    if (ended) return;
    if (res?.status === 200) {
      finish(false);
      return;
    }
    if (res?.status === 400) {
      await refused(body, res);
      return;
    }
    // A 429 only asks us to slow down: wait and try again without alarm.
    if (res?.status !== 429) {
      setState('retrying', { attempt });
      const why = res ? fill(texts.retrying_status, { status: res.status }) : texts.retrying_no_answer;
      message(texts.retrying, `${texts.retrying_hint}\n${fill(texts.retrying_detail, { attempt, why })}`);
    }
    await waitOnline(backoff(res, attempt));
  }
}

// refused handles a 400 to the submit. A run finished meanwhile (on another
// computer: "Token Already Used") ends on the thank-you screen. Otherwise
// retrying cannot help: the reply stays on this computer, with a button to
// save it as a file, and the lab takes it from here; the participant reads
// why in Korean, the server's words go to data-detail and the console.
async function refused(body, res) {
  const done = await tryRequest('GET', `/api/reply/completion?token=${encodeURIComponent(session.token)}`);
  if (ended) return;
  if (done?.status === 200) {
    finish(true);
    return;
  }
  setState('rejected');
  message(texts.rejected, '', [saveFileButton(body)]);
  showExplained($('message-hint'), explain(res, texts.errors));
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
    showDone(texts, done);
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
  setResumeCode(session.resume, texts.resume_code_label);
  keeper = new RunKeeper(session, () => finish(true));
  // Asks at once whether the run was finished on another computer since
  // this one last saved (a reload, a return to an old tab).
  keeper.save();
  const total = session.pic_pairs.length;
  const answered = session.answers.length;
  if (answered < total) {
    loadPair(answered);
    if (answered === 0) await instructions(total);
    else await resume(answered, total);
    if (session.expired) {
      session.expired = false;
      saveSession(session);
    }
    await trials();
  }
  if (!ended) await submit();
}

main();
