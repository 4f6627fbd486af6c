// The experiment page's screens: which one shows, the state the tests and
// the researcher read from <body data-state>, the progress bar, and the
// run's resume code under every message of a run (instructions, pauses,
// retries, a refused reply), so the participant can go on elsewhere.

export const $ = (id) => document.getElementById(id);

let resumeCode = '';

export function setState(state, data = {}) {
  document.body.dataset.state = state;
  for (const k of ['step', 'trial', 'attempt', 'lost']) delete document.body.dataset[k];
  Object.assign(document.body.dataset, data);
}

export function show(screen) {
  for (const s of document.querySelectorAll('.screen')) s.hidden = s.id !== `screen-${screen}`;
}

// setResumeCode sets the code shown under the messages from now on ('' for
// none: a run from before resume codes).
export function setResumeCode(code, label) {
  resumeCode = code || '';
  $('resume-label').textContent = label;
  $('resume-code').textContent = resumeCode;
}

// message shows a sentence, a hint under it, the run's resume code (unless
// withCode is false, as on the thank-you screen) and buttons.
export function message(text, hint = '', actions = [], withCode = true) {
  $('completion').hidden = true;
  $('message').textContent = text;
  $('message-hint').textContent = hint;
  delete $('message-hint').dataset.detail;
  $('resume-box').hidden = !withCode || !resumeCode;
  $('message-actions').replaceChildren(...actions);
  show('message');
}

export function progress(done, total) {
  const bar = $('progress');
  bar.hidden = false;
  bar.setAttribute('aria-valuemax', total);
  bar.setAttribute('aria-valuenow', done);
  $('progress-bar').style.width = `${(100 * done) / total}%`;
}
