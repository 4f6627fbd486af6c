// The server's copy of the run: the answers so far and what the
// page noticed (blur, time hidden, resizes), saved every few trials and when
// the page is hidden or closed. Saving never holds up a trial: it runs in the
// background, and no answer, a 5xx or a 429 is tried again quietly. A 400
// (the run is gone, or another tab answered differently) stops the saving;
// the submit at the end decides. A run finished meanwhile on another
// computer ({"finished": true}) stops it too, and onFinished is called.
import { postJSON, retryable, backoff } from './api.js';
import { saveSession } from './session.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Chromium refuses keepalive bodies above 64 KB (all in flight together).
const KEEPALIVE_MAX = 60000;

export class RunKeeper {
  constructor(session, onFinished = () => {}) {
    this.session = session;
    this.onFinished = onFinished;
    // Cumulative over reloads on this computer: kept in the session.
    session.events = { blur: 0, hidden_ms: 0, resized: 0, ...session.events };
    this.hiddenSince = document.hidden ? performance.now() : null;
    this.confirmed = 0; // answers the server said it holds
    this.running = false;
    this.again = false;
    this.stopped = false;
    this.listen();
  }

  listen() {
    const ev = this.session.events;
    window.addEventListener('blur', () => { ev.blur++; });
    // One drag of the window's edge fires dozens of resize events: count
    // the gesture, once it has been still for half a second.
    let resizing = null;
    window.addEventListener('resize', () => {
      if (resizing === null) ev.resized++;
      clearTimeout(resizing);
      resizing = setTimeout(() => { resizing = null; }, 500);
    });
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) {
        this.hiddenSince = performance.now();
        this.beacon();
      } else {
        this.closeHiddenSpan();
        saveSession(this.session);
        // Back from elsewhere, perhaps from another computer that finished
        // this run: ask before the participant goes on.
        this.save();
      }
    });
    window.addEventListener('pagehide', () => {
      this.closeHiddenSpan();
      if (document.hidden) this.hiddenSince = performance.now();
      saveSession(this.session);
      this.beacon();
    });
  }

  // Adds the time hidden so far to the counts.
  closeHiddenSpan() {
    if (this.hiddenSince === null) return;
    this.session.events.hidden_ms += Math.round(performance.now() - this.hiddenSince);
    this.hiddenSince = null;
  }

  events() {
    const ev = this.session.events;
    const open = this.hiddenSince === null ? 0 : performance.now() - this.hiddenSince;
    return { blur: ev.blur, hidden_ms: Math.round(ev.hidden_ms + open), resized: ev.resized };
  }

  body() {
    return { token: this.session.token, answers: this.session.answers, events: this.events() };
  }

  // One try; resolves with the answer (null: none came).
  async send(opts = {}) {
    let res = null;
    try {
      res = await postJSON('/api/reply/progress', this.body(), { timeoutMs: 15000, ...opts });
    } catch { /* no answer */ }
    if (res?.status === 200) {
      this.confirmed = Math.max(this.confirmed, Number(res.data?.answered) || 0);
      if (res.data?.finished === true && !this.stopped) {
        this.stopped = true;
        this.onFinished();
      }
    } else if (res && !retryable(res)) {
      this.stopped = true;
    }
    return res;
  }

  // save asks for a save in the background; saves asked for while one is
  // on its way are sent together, with the answers of that moment.
  save() {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    (async () => {
      for (let attempt = 1; !this.stopped;) {
        this.again = false;
        const res = await this.send();
        if (res?.status === 200 || this.stopped) {
          if (!this.again) break;
          attempt = 1;
          continue;
        }
        await sleep(backoff(res, attempt++, 2000, 30000));
      }
      this.running = false;
    })();
  }

  // beacon is the save sent as the page is hidden or closed: keepalive lets
  // it finish after the tab is gone. No retry is possible then.
  beacon() {
    if (this.stopped || !this.session.token) return;
    const size = JSON.stringify(this.body()).length;
    this.send({ keepalive: size < KEEPALIVE_MAX });
  }

  // flush is the last save before the submit, which copies the run's event
  // counts into the reply: one try, whatever it answers.
  async flush() {
    if (!this.stopped) await this.send();
  }

  stop() {
    this.stopped = true;
  }
}
