// The participant's run, kept in localStorage so that a reload, a crashed tab
// or a lost network never costs a trial: pairs, answers so far and the run's
// token all survive until the server has confirmed the reply. This is the
// first line of defence on one computer; the server keeps the run too (saved
// every 10 trials), and a sign-up on another computer resumes from there.

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
// server's, which differs from the one sent when an open run was resumed)
// and the answers it had saved.
export function startSession(person, start) {
  const s = {
    person,
    p_id: start.p_id,
    pack_path: start.pack_path,
    pic_pairs: start.pic_pairs,
    token: start.token,
    answers: Array.isArray(start.answers) ? start.answers.slice(0, start.pic_pairs.length) : [],
    // What the server had: shown as "resumed" on the experiment page.
    resumed: Number(start.answered) || 0,
    events: { blur: 0, hidden_ms: 0, resized: 0 },
  };
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
