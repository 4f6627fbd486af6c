// A pack's name, sex and age fields are written once, in the admin page's
// <template id="pack-fields">; each form that makes a pack holds a
// <div class="pack-fields" data-prefix="…">, replaced here by a copy whose
// ids (and the labels' for) carry the prefix. Imported first by admin.js,
// so the fields exist before any other module looks for them; their checks
// (packProblems) live here too, one copy for both forms.
const template = document.getElementById('pack-fields');
for (const slot of document.querySelectorAll('.pack-fields')) {
  const prefix = slot.dataset.prefix || '';
  const copy = template.content.cloneNode(true);
  for (const el of copy.querySelectorAll('[id]')) el.id = prefix + el.id;
  for (const el of copy.querySelectorAll('label[for]')) el.htmlFor = prefix + el.htmlFor;
  slot.replaceWith(copy);
}

export const SEX = { 1: '남성', 2: '여성' };
const PACK_NAME_RE = /^[a-z][a-z0-9_]{0,14}$/;

// packProblems says, in Korean, what is wrong with a pack's name, sex and
// ages (f: their form values) before the server is asked, given the packs
// already there.
export function packProblems(f, packs) {
  const out = [];
  if (!PACK_NAME_RE.test(f.pack_name)) out.push('세트 이름은 영문 소문자로 시작하고 소문자·숫자·_ 만 써서 15자 이내로 지어주세요.');
  else if (packs.some((p) => p.pack_name === f.pack_name)) out.push(`'${f.pack_name}' 세트가 이미 있습니다. 다른 이름을 써주세요.`);
  if (!SEX[f.sex]) out.push('대상 성별을 선택해주세요.');
  const isAge = (v) => /^\d{1,3}$/.test(v) && Number(v) <= 120;
  if (!isAge(f.age_min) || !isAge(f.age_max)) out.push('나이는 0~120 사이의 정수로 입력해주세요.');
  else if (Number(f.age_min) > Number(f.age_max)) out.push('최소 나이가 최대 나이보다 클 수 없습니다.');
  else {
    const clash = packs.find((p) => String(p.sex) === f.sex && p.age_min <= Number(f.age_max) && Number(f.age_min) <= p.age_max);
    if (clash) out.push(`'${clash.pack_name}' 세트(${SEX[clash.sex]} ${clash.age_min}~${clash.age_max}세)와 나이 범위가 겹칩니다.`);
  }
  return out;
}
