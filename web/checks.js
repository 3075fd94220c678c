// The check list of a verification document (`tock verify --json`, the
// "verification" member of POST /api/inspect): the check trace the server's
// library recorded as it ran the checks, shown as it comes. Which checks
// there are, their order, what passed and why are the library's; nothing
// here decides.

// Codes of the documents where tock could not judge the token at all
// (the exit-2 codes of `tock verify`).
const CANNOT_JUDGE = new Set(['usage', 'key_error', 'io_error', 'network_error']);

// SHOWN: the outcomes listed, as `tock verify` lists them. Skipped checks
// (the policy does not ask for them) and not-reached ones are left out.
const SHOWN = new Set(['passed', 'failed']);

// buildChecks turns a verification document into rows.
//   verification: the `tock verify --json` document, with its "checks"
//   decoded: the `tock decode --json` document (for its now), or null
// Returns {outcome: 'accepted'|'rejected'|'cannot_judge', rows, now, skew,
// error, laterNotRun, clockNote}; skew is null when the document has no
// trace (a key that could not be had).
export function buildChecks(verification, decoded) {
  const v = verification || {};
  const error = v.error || null;
  const trace = Array.isArray(v.checks) ? v.checks : [];
  const number = (x) => (typeof x === 'number' ? x : null);
  const now = number(v.now) ?? number(error && error.now) ?? number(decoded && decoded.now) ?? 0;
  const skew = number(v.skew_s) ?? number(error && error.skew_s);
  const outcome = v.valid === true ? 'accepted' :
      !error || CANNOT_JUDGE.has(error.code) ? 'cannot_judge' : 'rejected';
  const rows = trace.filter((c) => SHOWN.has(c.outcome)).map((c) => ({
    name: String(c.name), ok: c.outcome === 'passed', detail: String(c.detail ?? ''),
    problem: Array.isArray(c.problems) && c.problems.length ? c.problems[0] : null,
  }));
  return {outcome, rows, now, skew, error, clockNote: v.clock_note || null,
    laterNotRun: trace.some((c) => c.outcome === 'not_reached')};
}

// testId gives a row's stable data-testid: "check-row-claim-types", ….
export function testId(name) {
  return 'check-row-' + name.replace(/\s+/g, '-');
}
