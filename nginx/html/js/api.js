// HTTP helpers shared by the pages. The API answers 200 with JSON or text,
// 400 with a text/plain sentence for the user, 500 with "< SERVER ERROR >".

// Resolves with {status, text, data} for every HTTP answer; rejects only when
// no answer came (network down, proxy gone, timeout), so callers can tell
// "the server said no" from "nobody answered". The body is json (sent as
// JSON) or form (an object sent as application/x-www-form-urlencoded).
export async function request(method, url, { json, form, timeoutMs = 30000 } = {}) {
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
