// The participant's run, kept in localStorage so that a reload, a crashed tab
// or a lost network never costs a trial: pairs, answers so far and the submit
// token all survive until the server has confirmed the reply.

const KEY = 'psyx.session';

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

export function startSession(person, start) {
  const s = {
    person,
    p_id: start.p_id,
    pack_path: start.pack_path,
    pic_pairs: start.pic_pairs,
    token: newToken(),
    answers: [],
  };
  saveSession(s);
  return s;
}
