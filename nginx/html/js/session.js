// The participant's run, kept in localStorage so that a reload, a crashed tab
// or a lost network never costs a trial: pairs, answers so far and the run's
// token all survive until the server has confirmed the reply. This is the
// first line of defence on one computer; the server keeps the run too (saved
// every 10 trials), and a sign-up on another computer with the run's resume
// code goes on from there.

const KEY = 'psyx.session';
// The finished run's completion code, so that a reload of the thank-you
// screen still shows it.
const DONE = 'psyx.done';

export function loadSession() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY));
    if (s && Array.isArray(s.pic_pairs) && Array.isArray(s.answers) && s.person) return s;
  } catch { /* a corrupt entry is treated as no session */ }
  return null;
}

export function saveSession(s) {
  localStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession() {
  localStorage.removeItem(KEY);
}

// crypto.randomUUID exists only on HTTPS or localhost; the lab serves plain
// HTTP, so build the id from getRandomValues, which works everywhere.
export function newToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// startSession keeps what the start request answered: the run's token (the
// server's, which differs from the one sent when an open run was resumed),
// its resume code (shown on every pause, for another computer) and the
// answers it had saved. expired: this computer's run had answers but was
// left too long, so the server began a new one (the page says so).
export function startSession(person, start, { expired = false } = {}) {
  const s = {
    person,
    p_id: start.p_id,
    pack_path: start.pack_path,
    pic_pairs: start.pic_pairs,
    token: start.token,
    resume: typeof start.resume === 'string' ? start.resume : '',
    answers: Array.isArray(start.answers) ? start.answers.slice(0, start.pic_pairs.length) : [],
    // What the server had: shown as "resumed" on the experiment page.
    resumed: Number(start.answered) || 0,
    events: { blur: 0, hidden_ms: 0, resized: 0 },
    expired,
  };
  saveSession(s);
  localStorage.removeItem(DONE);
  return s;
}

// Two answers are the same trial answered alike: key and the two files
// (rt may differ in its last digit once the server has rounded it).
const alike = (a, b) => Array.isArray(a) && Array.isArray(b) && a[0] === b[0] && a[2] === b[2] && a[3] === b[3];

// continueSession takes what a start with this computer's token answered.
// The same run goes on with the server's answers when they are more, or
// differ (another computer answered after this one), else with this
// computer's, which may hold trials not saved yet. Another run (the old
// one was left too long, or the server never had it) replaces this one.
export function continueSession(s, start) {
  if (start.token !== s.token || JSON.stringify(start.pic_pairs) !== JSON.stringify(s.pic_pairs)) {
    return startSession(s.person, start, { expired: s.answers.length > 0 });
  }
  const server = Array.isArray(start.answers) ? start.answers.slice(0, s.pic_pairs.length) : [];
  if (server.length >= s.answers.length || server.some((a, i) => !alike(a, s.answers[i]))) s.answers = server;
  if (typeof start.resume === 'string') s.resume = start.resume;
  s.resumed = Number(start.answered) || 0;
  saveSession(s);
  localStorage.removeItem(DONE);
  return s;
}

export function loadDone() {
  try {
    const d = JSON.parse(localStorage.getItem(DONE));
    if (d && typeof d.code === 'string') return d;
  } catch { /* none */ }
  return null;
}

export function saveDone(d) {
  localStorage.setItem(DONE, JSON.stringify(d));
}
