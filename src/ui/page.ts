/**
 * The review page's static HTML and CSS. No inline script or style (the CSP forbids both): behaviour lives in
 * /app.js, looks in /app.css, and every piece of record content is inserted by the script as text.
 */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>cordon — audit review</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
  <h1>cordon <span class="sub">audit review</span></h1>
  <div id="verify" class="badge unknown" role="status" aria-live="polite">
    <span class="badge-label">audit chain</span>
    <span id="verify-status" class="badge-status">checking…</span>
    <span id="verify-detail" class="badge-detail"></span>
  </div>
</header>
<nav id="filters" aria-label="Filters">
  <label>Decision
    <select id="f-decision">
      <option value="">any</option>
      <option value="deny">deny</option>
      <option value="ask">ask</option>
      <option value="allow">allow</option>
    </select>
  </label>
  <label>Tool
    <select id="f-tool"><option value="">any</option></select>
  </label>
  <label class="check"><input type="checkbox" id="f-tainted"> untrusted ingestion only</label>
  <button type="button" id="refresh">Refresh</button>
  <span id="status" class="status"></span>
</nav>
<main>
  <section id="sessions-section" aria-labelledby="sessions-title">
    <h2 id="sessions-title">Sessions <span id="sessions-count" class="count"></span></h2>
    <table id="sessions">
      <thead><tr>
        <th>Session</th><th>Start</th><th>Last activity</th><th class="num">Events</th><th>Tools</th>
        <th class="num">Denials</th><th class="num">Asks</th><th class="num">Untrusted ingestions</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    <p id="sessions-empty" class="empty" hidden></p>
  </section>
  <section id="timeline-section" aria-labelledby="timeline-title" hidden>
    <h2 id="timeline-title">Timeline <span id="timeline-session" class="mono"></span> <span id="timeline-count" class="count"></span></h2>
    <table id="timeline">
      <thead><tr>
        <th>Time</th><th>Event</th><th>Tool</th><th>Decision</th><th>Rule</th><th>Reason</th><th class="num">Duration</th><th>Input</th><th>Extra</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    <p id="timeline-empty" class="empty" hidden></p>
  </section>
</main>
<footer>Highlighted sessions recorded the ingestion of untrusted content (web pages, search results, MCP output, network output). Inputs are shown redacted.</footer>
</body>
</html>
`;

export const APP_CSS = `
:root { --fg: #1d2430; --muted: #5b6576; --line: #d9dee7; --bg: #f6f7f9; --card: #fff;
  --deny: #b42318; --deny-bg: #fde8e6; --ask: #8a5a00; --ask-bg: #fff3d6; --allow: #1f6f43; --allow-bg: #e3f4ea;
  --taint: #c2410c; --taint-bg: #fff1e6; --sel: #e8effc; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding: .75rem 1.25rem; background: #111827; color: #f9fafb; }
h1 { font-size: 1.2rem; margin: 0; }
h1 .sub { font-weight: 400; color: #cbd5e1; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
.badge { display: flex; align-items: baseline; gap: .5rem; padding: .3rem .8rem; border-radius: 14px; background: #374151; max-width: 65%; }
.badge-label { color: #d1d5db; font-size: .85rem; white-space: nowrap; }
.badge-status { font-weight: 700; text-transform: uppercase; letter-spacing: .03em; white-space: nowrap; }
.badge-detail { font-size: .85rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge.intact { background: #14532d; }
.badge.broken { background: #991b1b; }
.badge.broken .badge-detail { white-space: normal; }
nav { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .6rem 1.25rem; background: var(--card); border-bottom: 1px solid var(--line); }
nav label { display: flex; align-items: center; gap: .4rem; color: var(--muted); }
select, button { font: inherit; padding: .2rem .4rem; }
.status { color: var(--muted); }
.status.error { color: var(--deny); font-weight: 600; }
main { padding: 1rem 1.25rem; display: grid; gap: 1.25rem; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .8rem; color: var(--muted); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.count { color: var(--muted); font-weight: 400; }
.mono, td.input, td.rule { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: .85rem; }
td.input { max-width: 36rem; white-space: pre-wrap; word-break: break-all; }
td.time, td.rule, td.decision { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.broken td { background: #fde8e6; }
tr.broken td:first-child { border-left: 4px solid var(--deny); }
.tag.break { background: var(--deny); color: #fff; }
#sessions tbody tr { cursor: pointer; }
#sessions tbody tr:hover { background: #f1f4f9; }
#sessions tbody tr.selected { background: var(--sel); }
.session-link { font: inherit; font-family: ui-monospace, "DejaVu Sans Mono", monospace; background: none; border: 0; padding: 0; color: #1d4ed8; cursor: pointer; text-decoration: underline; }
tr.tainted td:first-child { border-left: 4px solid var(--taint); }
tr.tainted { background: var(--taint-bg); }
.tag { display: inline-block; padding: 0 .4rem; border-radius: 4px; font-size: .75rem; font-weight: 700; margin-left: .3rem; }
.tag.taint { background: var(--taint); color: #fff; }
.pill { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-weight: 700; font-size: .8rem; }
.pill.deny { background: var(--deny-bg); color: var(--deny); }
.pill.ask { background: var(--ask-bg); color: var(--ask); }
.pill.allow { background: var(--allow-bg); color: var(--allow); }
.hot { color: var(--deny); font-weight: 700; }
details pre { margin: .3rem 0 0; max-width: 28rem; white-space: pre-wrap; word-break: break-all; font-size: .8rem; }
.empty { color: var(--muted); margin: .5rem 0; }
footer { padding: 0 1.25rem 1rem; color: var(--muted); font-size: .8rem; }
`;
