// What the results page's modules (results.js, results-table.js,
// reliability.js, compare.js) share: element lookup, number formats, the
// server's answers read with their provenance headers, and the server's
// English sentences said in Korean.
import { downloadLink } from './admin-kit.js';

export const $ = (id) => document.getElementById(id);

// ---- small formats ----------------------------------------------------------

export const dash = '–';
export const pct = (v) => (v == null ? dash : `${Math.round(v * 100)}%`);
export const fixed = (v, d = 2) => (v == null ? dash : v.toFixed(d));
export const secs = (v) => (v == null ? dash : `${v.toFixed(2)}초`);
export const thousands = (n) => Number(n).toLocaleString('en-US');

// apa is a correlation as a paper writes it: two decimals, no leading zero,
// a real minus sign (.87, −.05, 1.00).
export function apa(v) {
  if (v == null || !Number.isFinite(v)) return 'NA';
  const s = Math.abs(v).toFixed(2).replace(/^0(?=\.)/, '');
  return v < 0 && s !== '.00' ? `−${s}` : s;
}

// ---- the server -------------------------------------------------------------

// get fetches url as the admin's browser does and keeps what the page
// needs: status, the body (JSON, text or a blob) and the provenance headers.
// It never rejects: status 0 means nobody answered.
export async function get(url, { as = 'json', timeoutMs = 300000 } = {}) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { cache: 'no-store', credentials: 'same-origin', signal: ctrl.signal });
    const h = (name) => res.headers.get(name);
    const out = {
      status: res.status,
      replies: h('X-Psyx-Replies') == null ? null : Number(h('X-Psyx-Replies')),
      excluded: (h('X-Psyx-Excluded') ?? '').split(',').filter(Boolean).map(Number),
      seed: h('X-Psyx-Seed'), // a decimal string: a uint64 does not fit a JS number
      version: h('X-Psyx-Version'),
      constant: Number(h('X-Psyx-Scaling-Constant')),
    };
    if (res.status !== 200) return { ...out, text: (await res.text()).trim() };
    if (as === 'blob') return { ...out, blob: await res.blob() };
    const text = await res.text();
    if (as === 'json') {
      try {
        return { ...out, data: JSON.parse(text) };
      } catch {
        return { ...out, status: 0, text: '' };
      }
    }
    return { ...out, text };
  } catch {
    return { status: 0, text: '' };
  } finally {
    clearTimeout(timer);
  }
}

export function explain(res) {
  if (!res || res.status === 0) return '서버에 연결하지 못했습니다. 네트워크와 서버 상태를 확인해주세요.';
  if (res.status === 401) return '관리자 인증이 필요합니다. 페이지를 새로 고침해 다시 로그인해주세요.';
  if (res.status === 400) return korean(res.text);
  if (res.status === 429) return '요청이 너무 많습니다. 잠시 후 다시 시도해주세요.';
  return `서버 오류가 발생했습니다 (HTTP ${res.status}). 서버 로그를 확인해주세요.`;
}

// korean says the server's 400 sentences (README, "HTTP API") in Korean;
// one it does not know is shown as it came.
export function korean(text) {
  const rules = [
    [/^Too Few Replies$/, () => '각 집단에 2명 이상 필요합니다.'],
    [/^Packs Use Different Stimuli$/, () => '두 세트의 사진이 달라 비교할 수 없습니다. 같은 사진으로 만든 세트끼리만 비교할 수 있습니다.'],
    [/^Unknown Reply (.+)$/, (m) => `이 세트에 없는 응답입니다 (r_id ${m[1]}). 페이지를 새로 고침해주세요.`],
    [/^Pack (\d+) Not Found$/, (m) => `ID ${m[1]}인 세트가 없습니다. 삭제되었을 수 있습니다.`],
    [/^No Replies for Pack (\d+)$/, (m) => `세트 ${m[1]}에 아직 완료된 응답이 없습니다.`],
    [/^No Answers in Reply (\d+)$/, (m) => `응답 ${m[1]}에는 답한 시행이 없습니다 (모두 시간 초과).`],
  ];
  for (const [re, say] of rules) {
    const m = re.exec(text ?? '');
    if (m) return say(m);
  }
  return text;
}

// ---- links ------------------------------------------------------------------

export function link(text, href, key, label) {
  const a = downloadLink(text, href, label);
  a.dataset.link = key;
  return a;
}

export function links(box, items) {
  $(box).replaceChildren(...items.map((i) => link(...i)));
}

// ---- the page's message -----------------------------------------------------

export function say(kind, text) {
  const box = $('page-message');
  box.className = `result ${kind}`;
  box.textContent = text;
  box.hidden = !text;
}
