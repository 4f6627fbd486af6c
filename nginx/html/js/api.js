// HTTP helpers shared by the pages. The API answers 200 with JSON or text,
// 400 with a text/plain sentence for the user, 500 with "< SERVER ERROR >".

// Resolves with {status, text, data} for every HTTP answer; rejects only when
// no answer came (network down, proxy gone, timeout), so callers can tell
// "the server said no" from "nobody answered". The body is json (sent as
// JSON) or form (an object sent as application/x-www-form-urlencoded).
export async function request(method, url, { json, form, timeoutMs = 30000, keepalive = false } = {}) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  let body;
  if (json !== undefined) body = JSON.stringify(json);
  else if (form !== undefined) body = new URLSearchParams(form);
  try {
    const res = await fetch(url, {
      method,
      cache: 'no-store',
      // Same-origin only: the browser adds Origin and Sec-Fetch-Site, which
      // the service checks before it changes anything.
      credentials: 'same-origin',
      headers: json === undefined ? {} : { 'Content-Type': 'application/json' },
      body,
      // keepalive lets a save sent as the tab closes outlive the page.
      keepalive,
      signal: ctrl.signal,
    });
    const text = await res.text();
    let data = null;
    if ((res.headers.get('Content-Type') || '').includes('application/json')) {
      try { data = JSON.parse(text); } catch { /* leave data null */ }
    }
    return { status: res.status, text: text.trim(), data };
  } finally {
    clearTimeout(timer);
  }
}

export const postJSON = (url, body, opts = {}) => request('POST', url, { ...opts, json: body });

// Whether an answer (null: none came) is worth asking again: no answer, a
// 5xx (a restart, a proxy without its upstream) or Nginx's 429 (too many
// requests from one address). A 400 is the server's verdict and final.
export const retryable = (res) => !res || res.status >= 500 || res.status === 429;

// How long to wait before the next try: 429 asks us to slow down, so 1 to
// 5 s at random (a class behind one address must not come back in step);
// otherwise base doubled per attempt up to cap, with some jitter too.
export function backoff(res, attempt, base = 1000, cap = 15000) {
  if (res?.status === 429) return 1000 + Math.random() * 4000;
  const d = Math.min(base * 2 ** Math.max(0, attempt - 1), cap);
  return d * (0.75 + Math.random() * 0.5);
}

// postRetrying posts body up to tries times while the answer is worth
// asking again (see retryable), waiting backoff in between; it resolves
// with the last answer, null when none came.
export async function postRetrying(url, body, tries) {
  let res = null;
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      res = await postJSON(url, body);
    } catch {
      res = null;
    }
    if (!retryable(res) || attempt === tries) break;
    await new Promise((r) => setTimeout(r, backoff(res, attempt)));
  }
  return res;
}

// request that never rejects: null when nobody answered.
export async function tryRequest(method, url, opts) {
  try {
    return await request(method, url, opts);
  } catch {
    return null;
  }
}

// Texts live in one JSON file so the lab can reword them without touching code.
export async function loadTexts() {
  const res = await request('GET', '/texts.json');
  if (res.status !== 200) throw new Error(`texts.json: HTTP ${res.status}`);
  return res.data ?? JSON.parse(res.text);
}

// "{count}번" → "300번"
export function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
}
