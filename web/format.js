// Time text in the words of `tock decode` (library/src/time_text.cc), so the
// page and the CLI say the same thing: "in 9m12s", "33s ago", "now".

const DAY = 86400;

// formatSeconds prints a number of seconds without exponent or "-0".
export function formatSeconds(s) {
  if (s === 0) return '0';
  return Number.isInteger(s) ? String(s) : String(Number(s.toPrecision(15)));
}

// formatDuration: the largest unit and the next one, truncated ("1d2h", "9m12s").
export function formatDuration(seconds) {
  if (seconds < 0) return '-' + formatDuration(-seconds);
  if (!(seconds >= 60 && seconds < 1e15)) return formatSeconds(seconds) + 's';
  const whole = Math.floor(seconds);
  const units = [[DAY, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  let i = 0;
  while (whole < units[i][0]) ++i;
  let text = Math.floor(whole / units[i][0]) + units[i][1];
  const next = Math.floor((whole % units[i][0]) / units[i + 1][0]);
  if (next > 0) text += next + units[i + 1][1];
  return text;
}

// formatRelative prints delta = t - now.
export function formatRelative(delta) {
  if (delta === 0) return 'now';
  if (delta > 0) return 'in ' + formatDuration(delta);
  return formatDuration(-delta) + ' ago';
}

function validDate(t) {
  const d = new Date(t * 1000);
  return Number.isFinite(t) && !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= 0 &&
      d.getUTCFullYear() <= 9999 ? d : null;
}

// formatUtc prints RFC 3339 in UTC, whole seconds ("2026-06-12T09:17:10Z").
export function formatUtc(t) {
  const d = validDate(t);
  if (!d) return formatSeconds(t);
  const iso = d.toISOString();  // 2026-06-12T09:17:10.000Z
  const frac = t - Math.floor(t);
  return iso.slice(0, 19) + (frac ? String(Number(frac.toFixed(6))).slice(1) : '') + 'Z';
}

// formatLocal prints |t| in the browser's time zone, with the zone's name.
export function formatLocal(t) {
  const d = validDate(t);
  if (!d) return '';
  return new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
    second: '2-digit', timeZoneName: 'short',
  }).format(d);
}

export function localZoneName() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
}

// parseDuration reads the CLI's durations: "90s", "5m", "2h", "1d", "1m30s",
// a bare integer of seconds. Returns seconds, or null when unreadable.
export function parseDuration(text) {
  const s = String(text).trim();
  if (/^\d+$/.test(s)) return Number(s);
  if (!/^(\d+[dhms])+$/.test(s)) return null;
  const unit = {d: DAY, h: 3600, m: 60, s: 1};
  let total = 0;
  for (const [, n, u] of s.matchAll(/(\d+)([dhms])/g)) total += Number(n) * unit[u];
  return total;
}

// parseTime reads "now" overrides: integer seconds or RFC 3339 (a zone is
// required, so the same link means the same instant everywhere).
export function parseTime(text) {
  const s = String(text).trim();
  if (/^-?\d+$/.test(s)) return Number(s);
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return null;
  const ms = Date.parse(s.replace(' ', 'T'));
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
