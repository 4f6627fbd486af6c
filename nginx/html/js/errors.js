// What a participant reads when the API refuses: the server speaks English
// (README, HTTP API), the participant reads Korean. texts.json's "errors"
// gives the Korean for the start of each server sentence; the English goes
// only to the console and to the element's data-detail, for the researcher.

// Used until texts.json has loaded (or when it cannot be): the sentences a
// sign-up can meet, and the three catch-alls.
const BUILT_IN = {
  'No Suitable Pack for You': '입력하신 성별과 나이에 해당하는 검사가 현재 없습니다. 성별과 나이를 다시 확인하시고, 맞다면 연구 담당자에게 문의해주세요.',
  'Unknown Resume Code': '이 코드로 이어서 할 수 있는 검사가 없습니다. 코드를 다시 확인하시고, 학번과 이메일을 처음 신청할 때와 똑같이 입력해주세요.',
  'Token Already Used': '이 검사 기록은 다른 참여자 정보로 시작된 것이어서 이어서 진행할 수 없습니다. 기록을 지우고 새로 신청하시거나 연구 담당자에게 문의해주세요.',
  _other: '처리하지 못한 문제가 생겼습니다. 잠시 후 다시 시도하시고, 계속되면 연구 담당자에게 이 화면을 보여주세요.',
  _server: '서버에 일시적인 문제가 있어 처리하지 못했습니다. 잠시 후 다시 시도해주세요.',
  _offline: '서버에 연결하지 못했습니다. 인터넷 연결을 확인하고 다시 시도해주세요.',
};

// explain turns an answer of the API (null: none came) into {text, detail}:
// text is the Korean to show, detail the server's own words. A 400 gets
// the text of the longest key its sentence starts with, or _other; any
// other status (a 5xx, a 429 after the retries) gets _server.
export function explain(res, errors = {}) {
  const t = { ...BUILT_IN, ...errors };
  if (!res) return { text: t._offline, detail: 'no answer' };
  const detail = `${res.status} ${res.text}`.slice(0, 300);
  if (res.status !== 400) return { text: t._server, detail };
  let best = '';
  for (const k of Object.keys(t)) {
    if (!k.startsWith('_') && res.text.startsWith(k) && k.length > best.length) best = k;
  }
  return { text: best ? t[best] : t._other, detail };
}

// showExplained puts the Korean in el, and the English where the
// researcher finds it: el's data-detail and the console.
export function showExplained(el, why) {
  el.textContent = why.text;
  el.dataset.detail = why.detail;
  console.warn(`psyx: the server answered ${why.detail}`);
}
