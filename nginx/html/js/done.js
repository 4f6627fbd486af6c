// The thank-you screen: the completion code the server gives a finished
// run, large and easy to copy, and the lab's link when it has one.
import { tryRequest, retryable, backoff } from './api.js';
import { saveDone } from './session.js';
import { $, setState, message } from './screen.js';

function copyCode(texts) {
  const code = $('completion-code').textContent;
  const done = () => { $('copy-code').textContent = texts.copied; };
  // The clipboard API exists only on HTTPS (or localhost); on plain HTTP the
  // selected text is copied the old way.
  if (window.isSecureContext && navigator.clipboard) {
    navigator.clipboard.writeText(code).then(done, () => {});
    return;
  }
  const range = document.createRange();
  range.selectNodeContents($('completion-code'));
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  try {
    if (document.execCommand('copy')) done();
  } catch { /* the code stays selected for Ctrl+C */ }
}

let copyWired = false;

// showDone shows the thank-you screen; done is {code, url, before} (null:
// no code yet). before: the run was finished already, on another computer
// or before a reload, so this page answered nothing more.
export function showDone(texts, done, before = done?.before) {
  setState('done');
  const hint = done?.code ? texts.thanks_code_hint : texts.thanks_hint;
  message(texts.thanks, before ? `${texts.finished_before}\n${hint}` : hint, [], false);
  if (!done?.code) return;
  $('completion-label').textContent = texts.completion_label;
  $('completion-code').textContent = done.code;
  $('copy-code').textContent = texts.copy_code;
  if (!copyWired) {
    $('copy-code').addEventListener('click', () => copyCode(texts));
    copyWired = true;
  }
  const link = $('completion-link');
  link.hidden = !done.url;
  if (done.url) {
    link.href = done.url;
    link.textContent = texts.completion_link;
  }
  $('completion').hidden = false;
  document.body.dataset.code = done.code;
}

// waitOnline waits ms, or less if the network comes back meanwhile.
export function waitOnline(ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    window.addEventListener('online', done);
  });
}

// thanks shows the thank-you screen at once, then the completion code as
// soon as the server gives it (asked again quietly until it answers).
export async function thanks(texts, token, before = false) {
  showDone(texts, null, before);
  $('message-hint').textContent = texts.completion_wait;
  for (let attempt = 1; ; attempt++) {
    const res = await tryRequest('GET', `/api/reply/completion?token=${encodeURIComponent(token)}`);
    if (res?.status === 200 && typeof res.data?.code === 'string') {
      const done = { code: res.data.code, url: res.data.url || '', at: Date.now(), before };
      saveDone(done);
      showDone(texts, done);
      return;
    }
    if (!retryable(res)) {
      showDone(texts, null, before);
      return;
    }
    await waitOnline(backoff(res, attempt));
  }
}
