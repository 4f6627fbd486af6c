// What the admin's two pages (index.html, results.html) build alike.

export function cell(text, className = '') {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

// Plain links: the browser streams the file to disk, the page never holds
// it. The file is named by the server (<pack_name>-<p_id>.json): the empty
// download attribute asks for a download without naming it. The label
// starts with the visible text, as a spoken command would say it.
export function downloadLink(text, href, label) {
  const a = document.createElement('a');
  a.textContent = text;
  a.href = href;
  a.download = '';
  a.setAttribute('aria-label', label);
  a.title = label;
  return a;
}
