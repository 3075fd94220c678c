// The validity window as an SVG: iat, nbf and exp marks, the skew bands
// around nbf and exp, the server's now and the browser's now (a skewed
// laptop clock shows up as two lines), and how far outside the window now
// is. A gap far longer than the window (a token that expired last year) is
// drawn as a break, so the window stays visible.
import {formatDuration, formatRelative, formatUtc} from './format.js';

const NS = 'http://www.w3.org/2000/svg';
const CHAR_W = 7;  // approximate width of a 12px label character
const BREAK_PX = 36;

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// makeScale maps times to x with huge gaps compressed to BREAK_PX each.
function makeScale(points, windowSpan, x0, x1) {
  const sorted = [...new Set(points)].sort((a, b) => a - b);
  const huge = Math.max(6 * windowSpan, 60);
  const gaps = [];
  for (let i = 1; i < sorted.length; ++i) {
    const g = sorted[i] - sorted[i - 1];
    gaps.push({from: sorted[i - 1], to: sorted[i], g, broken: g > huge});
  }
  const linear = gaps.filter((g) => !g.broken).reduce((s, g) => s + g.g, 0) || 1;
  const nBroken = gaps.filter((g) => g.broken).length;
  const perSecond = Math.max(0, x1 - x0 - nBroken * BREAK_PX) / linear;
  const x = (t) => {
    let pos = x0;
    if (sorted.length === 0 || t <= sorted[0]) return pos;
    for (const gap of gaps) {
      const width = gap.broken ? BREAK_PX : gap.g * perSecond;
      if (t <= gap.to) return pos + (gap.broken ? (t === gap.to ? width : width / 2) : (t - gap.from) * perSecond);
      pos += width;
    }
    return pos;
  };
  return {x, breaks: gaps.filter((g) => g.broken)};
}

// placeLabel picks the first row where [left, right] overlaps nothing.
function placeLabel(rows, left, right) {
  for (let r = 0; ; ++r) {
    rows[r] = rows[r] || [];
    if (rows[r].every(([a, b]) => right + 6 < a || left - 6 > b)) {
      rows[r].push([left, right]);
      return r;
    }
  }
}

function label(text, cx, width, charWidth = CHAR_W) {
  const w = text.length * charWidth;
  const left = Math.min(Math.max(cx - w / 2, 2), width - w - 2);
  return {left, right: left + w, cx: left + w / 2};
}

// outside describes where |now| stands against the window (zero skew, as
// `tock decode` does), or null inside it.
export function outside(t, now) {
  if (t.exp !== null && now >= t.exp) return {side: 'expired', from: t.exp, to: now, delta: now - t.exp};
  if (t.nbf !== null && now < t.nbf) return {side: 'early', from: now, to: t.nbf, delta: t.nbf - now};
  return null;
}

// renderTimeline draws into |host|. t: {iat, nbf, exp, serverNow,
// browserNow, skew, nowLabel}; numbers or null.
export function renderTimeline(host, t) {
  const width = Math.max(280, Math.floor(host.clientWidth || 640));
  const marks = [['iat', t.iat], ['nbf', t.nbf], ['exp', t.exp]].filter(([, v]) => v !== null);
  const start = t.nbf !== null ? t.nbf : t.iat;
  const windowSpan = start !== null && t.exp !== null ? Math.max(Math.abs(t.exp - start), 1) :
      Math.max(t.skew, 60);
  const points = [t.serverNow, t.browserNow, ...marks.map(([, v]) => v)];
  if (t.nbf !== null) points.push(t.nbf - t.skew);
  if (t.exp !== null) points.push(t.exp + t.skew);
  // At least a minute across, so two nows a second apart stay close.
  const lo = Math.min(...points);
  const hi = Math.max(...points);
  if (hi - lo < 60) points.push(lo - (60 - (hi - lo)) / 2, hi + (60 - (hi - lo)) / 2);
  // Margins in pixels (not seconds), so a far-off now adds no empty years.
  const margin = Math.min(40, width / 10);
  const {x, breaks} = makeScale(points, windowSpan, margin, width - margin);
  const above = [];
  const below = [];
  const breakLabels = breaks.map((b) => {
    const text = '≈' + formatDuration(b.g);
    const l = label(text, x(b.from) + BREAK_PX / 2, width);
    return {b, text, l, row: placeLabel(below, l.left, l.right)};
  });
  const parts = [];

  // Window and skew bands.
  if (t.nbf !== null && t.exp !== null && t.nbf > t.exp) {
    parts.push(['rect', {class: 'tl-never', x: x(t.exp), w: x(t.nbf) - x(t.exp)}]);
  } else if (start !== null || t.exp !== null) {
    const a = t.nbf !== null ? x(t.nbf) : 8;
    const b = t.exp !== null ? x(t.exp) : width - 8;
    parts.push(['rect', {class: 'tl-window', x: a, w: Math.max(b - a, 2)}]);
  }
  if (t.skew > 0 && t.nbf !== null) parts.push(['rect', {class: 'tl-skew', x: x(t.nbf - t.skew), w: x(t.nbf) - x(t.nbf - t.skew)}]);
  if (t.skew > 0 && t.exp !== null) parts.push(['rect', {class: 'tl-skew', x: x(t.exp), w: x(t.exp + t.skew) - x(t.exp)}]);

  const markLabels = marks.map(([name, v]) => {
    // Relative to now: a window of days would make clock times ambiguous.
    const text = `${name} ${formatRelative(v - t.serverNow)}`;
    const l = label(text, x(v), width);
    return {name, v, text, l, row: placeLabel(above, l.left, l.right)};
  });
  const nowLines = [
    {name: 'server-now', v: t.serverNow, text: t.nowLabel},
    {name: 'browser-now', v: t.browserNow, text: 'browser now'},
  ].map((n) => {
    const l = label(n.text, x(n.v), width, CHAR_W + 0.6);
    return {...n, l, row: placeLabel(below, l.left, l.right)};
  });
  const out = outside(t, t.serverNow);
  const rowH = 18;
  const top = 8 + above.length * rowH;
  const yAxis = top + 22;
  const outY = yAxis + 26 + below.length * rowH;
  const height = outY + (out ? 30 : 6);

  const root = svg('svg', {width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    class: 'tl', 'aria-labelledby': 'timeline-title timeline-text'});
  root.append(svg('title', {id: 'timeline-title'}, 'Validity window of the token'));
  for (const [, p] of parts) {
    root.append(svg('rect', {class: p.class, x: p.x, y: yAxis - 10, width: Math.max(p.w, 1), height: 20, rx: 2}));
  }
  root.append(svg('line', {class: 'tl-axis', x1: 8, x2: width - 8, y1: yAxis, y2: yAxis}));
  for (const {b, text, l, row} of breakLabels) {
    const bx = x(b.from) + BREAK_PX / 2;
    root.append(svg('rect', {class: 'tl-break-bg', x: bx - 6, y: yAxis - 14, width: 12, height: 28}));
    root.append(svg('path', {class: 'tl-break', d: `M${bx - 6},${yAxis + 8} l6,-16 M${bx},${yAxis + 8} l6,-16`}));
    root.append(svg('text', {class: 'tl-break-text', x: l.cx, y: yAxis + 30 + row * rowH,
      'text-anchor': 'middle'}, text));
  }
  for (const m of markLabels) {
    const ly = top - m.row * rowH;
    root.append(svg('line', {class: `tl-mark tl-${m.name}`, x1: x(m.v), x2: x(m.v), y1: ly + 3, y2: yAxis + 12,
      'data-testid': `timeline-${m.name}`}));
    const text = svg('text', {class: 'tl-label', x: m.l.cx, y: ly, 'text-anchor': 'middle'}, m.text);
    text.append(svg('title', {}, `${m.name} ${formatUtc(m.v)}`));
    root.append(text);
  }
  for (const n of nowLines) {
    const ly = yAxis + 30 + n.row * rowH;
    root.append(svg('line', {class: `tl-now tl-${n.name}`, x1: x(n.v), x2: x(n.v), y1: yAxis - 16, y2: ly - 11,
      'data-testid': `timeline-${n.name}`}));
    root.append(svg('text', {class: `tl-label tl-${n.name}-text`, x: n.l.cx, y: ly, 'text-anchor': 'middle'}, n.text));
  }
  if (out) {
    const a = x(out.from);
    const b = x(out.to);
    const y = outY + 4;
    root.append(svg('path', {class: 'tl-out', d: `M${a},${y - 5} v10 M${a},${y} H${b} M${b},${y - 5} v10`}));
    const text = out.side === 'early' ? `${formatDuration(out.delta)} before nbf` :
        `expired ${formatDuration(out.delta)} ago`;
    const l = label(text, (a + b) / 2, width, CHAR_W + 1);  // bold
    root.append(svg('text', {class: 'tl-out-text', x: l.cx, y: y + 18, 'text-anchor': 'middle',
      'data-testid': 'timeline-outside'}, text));
  }
  host.replaceChildren(root);
}

// describeTimeline says in words what the picture shows.
export function describeTimeline(t) {
  const words = [];
  const nowName = t.nowLabel === 'server now' ? 'The server\'s now' : 'The overridden now';
  const out = outside(t, t.serverNow);
  if (t.nbf === null && t.exp === null) {
    words.push('The token has neither nbf nor exp: it has no validity window.');
  } else if (t.nbf !== null && t.exp !== null && t.nbf > t.exp) {
    words.push('nbf is after exp: the window is empty, the token is never valid.');
  } else if (!out) {
    words.push(`${nowName} is inside the validity window` +
        (t.exp !== null ? `; ${formatDuration(t.exp - t.serverNow)} left before exp.` : '; the token has no exp.'));
  } else if (out.side === 'early') {
    const covered = out.delta <= t.skew;
    words.push(`${nowName} is ${formatDuration(out.delta)} before nbf: not yet valid. ` +
        (covered ? `The ${formatDuration(t.skew)} skew tolerance covers it.` :
          `The ${formatDuration(t.skew)} skew tolerance does not cover it (short by ${formatDuration(out.delta - t.skew)}).`));
  } else {
    const covered = out.delta < t.skew;
    words.push(`${nowName} is ${formatDuration(out.delta)} past exp: expired. ` +
        (covered ? `The ${formatDuration(t.skew)} skew tolerance still covers it.` :
          `Beyond the ${formatDuration(t.skew)} skew tolerance by ${formatDuration(out.delta - t.skew)}.`));
  }
  const drift = Math.round(t.browserNow - t.serverNow);
  if (t.nowLabel === 'server now' && Math.abs(drift) >= 2) {
    words.push(`Your browser's clock is ${formatDuration(Math.abs(drift))} ${drift > 0 ? 'ahead of' : 'behind'} the server's.`);
  } else if (t.nowLabel === 'server now') {
    words.push('Your browser\'s clock agrees with the server\'s.');
  }
  return words.join(' ');
}
