// What the start request tells the lab about the participant's machine
// (the start's "client" object): screen and window size, pixel ratio, a measured
// refresh rate, touch points, language, time zone and browser. Numbers and
// short strings only; a fact the browser does not give is left out.

// The refresh rate is measured, not asked for (no API tells it): the median
// interval between ~60 animation frames. It resolves within maxMs even in a
// background tab, where frames do not run, to null.
export function measureRefresh(frames = 60, maxMs = 2500) {
  return new Promise((resolve) => {
    const times = [];
    const timer = setTimeout(() => resolve(null), maxMs);
    const step = (t) => {
      times.push(t);
      if (times.length <= frames) {
        requestAnimationFrame(step);
        return;
      }
      clearTimeout(timer);
      const gaps = times.slice(1).map((x, i) => x - times[i]).sort((a, b) => a - b);
      const median = gaps[gaps.length >> 1];
      resolve(median > 0 ? Math.round(10000 / median) / 10 : null);
    };
    requestAnimationFrame(step);
  });
}

const text = (s) => (typeof s === 'string' && s !== '' ? s.slice(0, 500) : undefined);
const num = (n) => (Number.isFinite(n) && n >= 0 && n <= 1e6 ? n : undefined);

// clientFacts builds the object; refreshHz comes from measureRefresh.
export function clientFacts(refreshHz) {
  let tz;
  try {
    tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch { /* an old browser: no time zone */ }
  const facts = {
    screen_w: num(screen.width),
    screen_h: num(screen.height),
    window_w: num(innerWidth),
    window_h: num(innerHeight),
    dpr: num(devicePixelRatio),
    refresh_hz: num(refreshHz),
    touch: num(navigator.maxTouchPoints ?? 0),
    lang: text(navigator.language),
    tz: text(tz),
    user_agent: text(navigator.userAgent),
  };
  for (const k of Object.keys(facts)) if (facts[k] === undefined) delete facts[k];
  return facts;
}
