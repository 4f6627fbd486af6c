// A pack's name, sex and age fields are written once, in the admin page's
// <template id="pack-fields">; each form that makes a pack holds a
// <div class="pack-fields" data-prefix="…">, replaced here by a copy whose
// ids (and the labels' for) carry the prefix. Imported first by admin.js,
// so the fields exist before any other module looks for them.
const template = document.getElementById('pack-fields');
for (const slot of document.querySelectorAll('.pack-fields')) {
  const prefix = slot.dataset.prefix || '';
  const copy = template.content.cloneNode(true);
  for (const el of copy.querySelectorAll('[id]')) el.id = prefix + el.id;
  for (const el of copy.querySelectorAll('label[for]')) el.htmlFor = prefix + el.htmlFor;
  slot.replaceWith(copy);
}
