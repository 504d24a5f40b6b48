/**
 * The review page's script, served as /app.js. Plain DOM code: every value from the API is inserted with
 * textContent or as an attribute value, never parsed as HTML, so a record holding `<script>` shows as text.
 * State (filters, open session) lives in the URL fragment so a reload shows the same view.
 */
export const APP_JS = String.raw`'use strict';
(function () {
  var state = { decision: '', tool: '', tainted: false, session: '' };
  // The record where the chain breaks, when verify found one: marked in the timeline.
  var brokenId = null;
  var byId = function (id) { return document.getElementById(id); };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function cell(row, cls, text) { var td = el('td', cls, text); row.appendChild(td); return td; }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function pad(n) { return String(n).padStart(2, '0'); }
  function fmtTime(ts) {
    var d = new Date(ts);
    if (isNaN(d.getTime())) return String(ts);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function fmtDuration(ms) {
    if (typeof ms !== 'number') return '';
    return ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  }
  function setStatus(msg, isError) {
    var s = byId('status');
    s.textContent = msg || '';
    s.className = isError ? 'status error' : 'status';
  }

  function readHash() {
    var p = new URLSearchParams(location.hash.slice(1));
    var d = p.get('decision') || '';
    state.decision = ['allow', 'ask', 'deny'].indexOf(d) >= 0 ? d : '';
    state.tool = p.get('tool') || '';
    state.tainted = p.get('tainted') === '1';
    state.session = p.get('session') || '';
  }
  function writeHash() {
    var p = filterParams();
    if (state.session) p.set('session', state.session);
    history.replaceState(null, '', location.pathname + (p.toString() ? '#' + p.toString() : ''));
  }
  function filterParams() {
    var p = new URLSearchParams();
    if (state.decision) p.set('decision', state.decision);
    if (state.tool) p.set('tool', state.tool);
    if (state.tainted) p.set('tainted', '1');
    return p;
  }

  async function getJson(path) {
    var r = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (r.status === 403) throw new Error('access refused (403): open the link cordon ui printed');
    var body = await r.json().catch(function () { return {}; });
    if (!r.ok) throw new Error((body && body.error) || ('HTTP ' + r.status));
    return body;
  }

  function decisionPill(d) {
    if (!d) return el('span', '', '');
    return el('span', 'pill ' + (['allow', 'ask', 'deny'].indexOf(d) >= 0 ? d : ''), d);
  }

  async function loadVerify() {
    var badge = byId('verify');
    var status = byId('verify-status');
    var detail = byId('verify-detail');
    try {
      var v = await getJson('/api/verify');
      badge.className = 'badge ' + (v.ok ? 'intact' : 'broken');
      badge.dataset.status = v.ok ? 'intact' : 'broken';
      status.textContent = v.ok ? 'intact' : 'broken';
      detail.textContent = v.ok
        ? (v.records === 0 ? 'no records' : v.records + ' records (' + v.firstId + '–' + v.lastId + ')')
        : ((v.problem && v.problem.message) || 'unknown problem');
      badge.title = detail.textContent;
      brokenId = !v.ok && v.problem && typeof v.problem.id === 'number' ? v.problem.id : null;
    } catch (err) {
      brokenId = null;
      badge.className = 'badge unknown';
      badge.dataset.status = 'unknown';
      status.textContent = 'unknown';
      detail.textContent = err.message;
    }
  }

  function fillTools(tools) {
    var sel = byId('f-tool');
    clear(sel);
    var any = el('option', '', 'any'); any.value = ''; sel.appendChild(any);
    var list = tools.slice();
    if (state.tool && list.indexOf(state.tool) < 0) list.push(state.tool);
    list.forEach(function (t) { var o = el('option', '', t); o.value = t; sel.appendChild(o); });
    sel.value = state.tool;
  }

  async function loadSessions() {
    var q = filterParams().toString();
    var data = await getJson('/api/sessions' + (q ? '?' + q : ''));
    fillTools(data.tools);
    var body = byId('sessions').tBodies[0];
    clear(body);
    byId('sessions-count').textContent = data.sessions.length === data.total ? '(' + data.total + ')' : '(' + data.sessions.length + ' of ' + data.total + ')';
    data.sessions.forEach(function (s) {
      var tr = el('tr');
      tr.dataset.session = s.sessionId;
      if (s.tainted) tr.classList.add('tainted');
      if (s.sessionId === state.session) tr.classList.add('selected');
      var first = cell(tr, 'session');
      var btn = el('button', 'session-link', s.sessionId);
      btn.type = 'button';
      btn.title = s.cwd ? 'cwd: ' + s.cwd : s.sessionId;
      first.appendChild(btn);
      if (s.tainted) first.appendChild(el('span', 'tag taint', 'untrusted'));
      cell(tr, 'time', fmtTime(s.firstTs));
      cell(tr, 'time', fmtTime(s.lastTs));
      cell(tr, 'num', s.events);
      cell(tr, 'tools', s.tools.join(', '));
      cell(tr, 'num' + (s.denials ? ' hot' : ''), s.denials);
      cell(tr, 'num', s.asks);
      cell(tr, 'num', s.untrusted);
      tr.addEventListener('click', function () { openSession(s.sessionId); });
      body.appendChild(tr);
    });
    var empty = byId('sessions-empty');
    empty.hidden = data.sessions.length > 0;
    empty.textContent = data.total === 0 ? 'No sessions recorded yet.' : 'No session matches these filters.';
  }

  async function loadTimeline() {
    var section = byId('timeline-section');
    if (!state.session) { section.hidden = true; return; }
    var p = filterParams();
    p.set('session', state.session);
    var data = await getJson('/api/records?' + p.toString());
    section.hidden = false;
    byId('timeline-session').textContent = data.sessionId;
    var filtered = state.decision || state.tool || state.tainted;
    byId('timeline-count').textContent = '(' + (data.truncated ? 'newest ' + data.records.length + ' of ' : '') + data.matched + (filtered ? ' matching' : '') + ' records)';
    var body = byId('timeline').tBodies[0];
    clear(body);
    data.records.forEach(function (r) {
      var tr = el('tr');
      tr.dataset.id = String(r.id);
      if (r.tainted) tr.classList.add('tainted');
      var t = cell(tr, 'time', fmtTime(r.ts).slice(11));
      t.title = fmtTime(r.ts);
      var ev = cell(tr, 'event', r.event);
      if (r.tainted) ev.appendChild(el('span', 'tag taint', 'untrusted'));
      cell(tr, 'tool', r.tool || '');
      cell(tr, 'decision').appendChild(decisionPill(r.decision));
      cell(tr, 'rule', r.ruleId || '');
      cell(tr, 'reason', r.reason || '');
      cell(tr, 'num', fmtDuration(r.durationMs));
      cell(tr, 'input', r.input);
      var x = cell(tr, 'extra');
      if (r.extra !== undefined) {
        var det = el('details');
        det.appendChild(el('summary', '', 'show'));
        det.appendChild(el('pre', '', JSON.stringify(r.extra, null, 2)));
        x.appendChild(det);
      }
      body.appendChild(tr);
    });
    var empty = byId('timeline-empty');
    empty.hidden = data.records.length > 0;
    empty.textContent = 'No record of this session matches these filters.';
  }

  function markBroken() {
    Array.prototype.forEach.call(byId('timeline').tBodies[0].rows, function (tr) {
      var hit = brokenId !== null && tr.dataset.id === String(brokenId);
      tr.classList.toggle('broken', hit);
      var tag = tr.querySelector('.tag.break');
      if (hit && !tag) tr.cells[1].appendChild(el('span', 'tag break', 'chain breaks here'));
      if (!hit && tag) tag.remove();
    });
  }

  function markSelected() {
    Array.prototype.forEach.call(byId('sessions').tBodies[0].rows, function (tr) {
      tr.classList.toggle('selected', tr.dataset.session === state.session);
    });
  }

  async function guarded(fn) {
    try { await fn(); setStatus(''); } catch (err) { setStatus(err.message, true); }
  }

  function openSession(id) {
    state.session = id;
    writeHash();
    markSelected();
    guarded(function () { return loadTimeline().then(markBroken); });
  }

  function refresh() {
    setStatus('loading…');
    return guarded(function () { return Promise.all([loadVerify(), loadSessions(), loadTimeline()]).then(markBroken); });
  }

  function onFilter() {
    state.decision = byId('f-decision').value;
    state.tool = byId('f-tool').value;
    state.tainted = byId('f-tainted').checked;
    writeHash();
    guarded(function () { return Promise.all([loadSessions(), loadTimeline()]).then(markBroken); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    readHash();
    byId('f-decision').value = state.decision;
    byId('f-tainted').checked = state.tainted;
    byId('f-decision').addEventListener('change', onFilter);
    byId('f-tool').addEventListener('change', onFilter);
    byId('f-tainted').addEventListener('change', onFilter);
    byId('refresh').addEventListener('click', refresh);
    refresh();
  });
})();
`;
