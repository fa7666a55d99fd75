// signals.js: inbound interest that deserves a personal answer: waiting
// first, with age, contact and owner; leads to attach or turn into
// contacts; how fast the team answers against the target.
import * as api from './api.js';
import { h, add, clear, status, emptyState, fmtDateTime } from './dom.js';
import { setTitle, canWrite, isOwner } from './shell.js';
import { onLive, signalWho, signalWhat, SIGNAL_TYPE } from './live.js';
import { openLogTouch } from './logtouch.js';

// "12 min", "3 h 5 min", "2 days"
export function minutesText(m) {
  if (m === null || m === undefined) return '—';
  m = Math.round(m);
  if (m < 60) return `${m} min`;
  if (m < 48 * 60) { const hh = Math.floor(m / 60), mm = m % 60; return mm ? `${hh} h ${mm} min` : `${hh} h`; }
  return `${Math.round(m / 1440)} days`;
}
function age(iso) {
  const m = (Date.now() - new Date(iso).getTime()) / 60000;
  return m < 1 ? 'just now' : minutesText(m) + ' ago';
}

export async function signalsPage() {
  setTitle('Signals');
  const [list, stats, users, hook] = await Promise.all([
    api.get('/signals'), api.get('/signals/stats'), api.get('/users').then(r => r.items).catch(() => []),
    isOwner() ? api.get('/webhook').catch(() => null) : Promise.resolve(null),
  ]);
  let items = list.items, cursor = list.next_cursor;
  const userName = id => { const u = users.find(x => x.id === id); return u ? (u.name || u.email) : null; };

  const msg = h('p', { class: 'status', role: 'status' });
  const statsBox = h('div');
  const listBox = h('div', { class: 'signals-box' });
  const sub = h('p', { class: 'page-sub muted' });
  const page = h('section', { class: 'page page-signals' },
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Signals'), sub)),
    statsBox, msg, listBox, hook ? webhookCard(hook) : null);

  function drawStats(s) {
    clear(statsBox);
    const w = s.workspace;
    sub.textContent = `${w.waiting} waiting · target: a personal answer within ${minutesText(s.target_minutes)} in working hours`;
    const tile = (label, value, cls) => h('div', { class: 'stat' + (cls ? ' ' + cls : '') }, h('p', { class: 'stat-label' }, label), h('p', { class: 'stat-value' }, value));
    add(statsBox, h('section', { class: 'signal-stats', 'aria-label': 'Response time' },
      tile('Waiting', String(w.waiting), w.waiting ? 'stat-warn' : null),
      tile('Median answer', w.median_minutes === null ? 'no answers yet' : minutesText(w.median_minutes)),
      tile('90th percentile', w.p90_minutes === null ? '—' : minutesText(w.p90_minutes), w.p90_minutes > s.target_minutes ? 'stat-warn' : null),
      tile(`Over ${minutesText(s.target_minutes)}`, `${w.breaches} of ${w.answered}`, w.breaches ? 'stat-bad' : null)));
  }

  function drawList() {
    clear(listBox);
    if (!items.length) {
      add(listBox, emptyState('No signals yet',
        'A signal is a website visit, a mention, an email, a missed call or a form that deserves a personal answer within minutes. ' +
        'Your website, forms and tools send them to the workspace’s webhook; kith matches them to contacts, alerts the owner and puts them first on Today.',
        isOwner() ? h('p', null, 'The webhook URL is below.') : h('p', null, 'Ask an owner of the workspace for the webhook URL (it is on this page for owners).')));
      return;
    }
    add(listBox, h('ul', { class: 'signal-list', 'aria-label': 'Signals' }, items.map(row)));
    if (cursor) {
      const more = h('button', { type: 'button', class: 'btn more' }, 'Show more');
      more.addEventListener('click', async () => {
        more.disabled = true; more.textContent = 'Loading…';
        try { const r = await api.get('/signals', { cursor }); items = items.concat(r.items); cursor = r.next_cursor; drawList(); }
        catch (err) { more.disabled = false; more.textContent = 'Show more'; status(msg, 'error', `Could not load more: ${err.message}.`); }
      });
      add(listBox, more);
    }
  }

  function row(s) {
    const waiting = !s.answered_at;
    const who = signalWho(s);
    const owner = s.owner_id ? userName(s.owner_id) : null;
    const state = waiting
      ? h('span', { class: 'tag tag-warn' }, `Waiting ${age(s.at).replace(/ ago$/, '')}`)
      : h('span', { class: 'tag ' + (s.response_minutes > stats.target_minutes ? 'tag-bad' : 'tag-ok') }, `Answered in ${minutesText(s.response_minutes)}`);
    const whoEl = s.contact
      ? h('a', { href: `/contacts/${s.contact.id}`, class: 'signal-who', dir: 'auto' }, s.contact.name)
      : h('span', { class: 'signal-who', dir: 'auto' }, who);
    const details = [s.contact ? null : h('span', { class: 'tag tag-lead' }, 'Lead'),
      s.email && (s.contact || s.name) ? h('span', { class: 'muted small', dir: 'auto' }, s.email) : null,
      s.handle ? h('span', { class: 'muted small', dir: 'auto' }, s.handle) : null];
    const actions = h('div', { class: 'signal-actions' });
    const panel = h('div', { class: 'signal-panel', hidden: true });
    if (s.contact) {
      add(actions, h('a', { class: 'btn btn-small', href: `/contacts/${s.contact.id}/brief`, 'aria-label': `Brief: ${s.contact.name}` }, 'Brief'));
      if (waiting && canWrite()) {
        const log = h('button', { type: 'button', class: 'btn btn-small btn-primary', 'aria-label': `Log touch: ${s.contact.name}` }, 'Log touch');
        log.addEventListener('click', () => openLogTouch({ id: s.contact.id, name: s.contact.name }, { onSaved: reload, returnFocus: log }));
        add(actions, log);
      }
    } else if (canWrite()) {
      const attach = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false', 'aria-label': `Attach to…: ${who}` }, 'Attach to…');
      const create = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false', 'aria-label': `New contact: ${who}` }, 'New contact');
      attach.addEventListener('click', () => toggle(attach, create, () => attachPicker(s, panel)));
      create.addEventListener('click', () => toggle(create, attach, () => newContactForm(s, panel)));
      add(actions, attach, create);
    }
    function toggle(btn, other, fill) {
      const open = btn.getAttribute('aria-expanded') !== 'true';
      other.setAttribute('aria-expanded', 'false');
      btn.setAttribute('aria-expanded', String(open));
      clear(panel);
      panel.hidden = !open;
      if (open) { fill(); const f = panel.querySelector('input'); if (f) f.focus(); }
      else btn.focus();
    }
    panel.addEventListener('keydown', ev => {
      if (ev.key !== 'Escape') return;
      const open = actions.querySelector('[aria-expanded="true"]');
      panel.hidden = true; clear(panel);
      if (open) { open.setAttribute('aria-expanded', 'false'); open.focus(); }
    });
    return h('li', { class: 'signal' + (waiting ? ' is-waiting' : ''), id: `signal-${s.id}` },
      h('div', { class: 'signal-top' },
        h('span', { class: 'signal-type' }, SIGNAL_TYPE[s.type] || s.type),
        state,
        h('span', { class: 'muted small signal-at' }, h('time', { datetime: s.at }, fmtDateTime(s.at)))),
      h('p', { class: 'signal-line' }, whoEl, ' ', h('span', { dir: 'auto' }, signalWhat(s)), ' ', details),
      s.text ? h('p', { class: 'signal-text', dir: 'auto' }, s.text) : null,
      s.url ? h('p', { class: 'small muted signal-url', dir: 'auto' }, s.url) : null,
      h('p', { class: 'small muted' }, s.contact ? (owner ? `Owner: ${owner}` : 'No owner: every member was alerted') : 'Not matched: every member was alerted'),
      actions, panel);
  }

  function attachPicker(s, panel) {
    const id = `pick-${s.id}`;
    const q = h('input', { id, type: 'search', autocomplete: 'off', placeholder: 'Type a name or email', dir: 'auto' });
    const results = h('ul', { class: 'pick-list', 'aria-label': 'Matching contacts' });
    const pmsg = h('p', { class: 'status', role: 'status' });
    let seq = 0, timer = null;
    async function search() {
      const my = ++seq;
      try {
        const r = await api.get('/contacts', { q: q.value.trim(), limit: 8 });
        if (my !== seq) return;
        clear(results);
        if (!r.items.length) { status(pmsg, null, 'No contact matches. Try another name, or make a new contact.'); return; }
        status(pmsg, null, '');
        add(results, r.items.map(c => {
          const b = h('button', { type: 'button', class: 'btn btn-small btn-quiet pick' }, h('span', { dir: 'auto' }, c.name), c.org ? h('span', { class: 'muted small', dir: 'auto' }, ' · ' + c.org) : null);
          b.setAttribute('aria-label', `Attach to ${c.name}`);
          b.addEventListener('click', () => doAttach(s, { contact_id: c.id }, c.name, pmsg, panel));
          return h('li', null, b);
        }));
      } catch (err) { if (my === seq) status(pmsg, 'error', `Could not search contacts: ${err.message}.`); }
    }
    q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 150); });
    add(panel, h('div', { class: 'field' }, h('label', { for: id }, `Find the contact ${signalWho(s)} belongs to`), q), results, pmsg);
    search();
  }

  function newContactForm(s, panel) {
    const id = `new-${s.id}`;
    const name = h('input', { id, type: 'text', value: s.name || '', dir: 'auto', required: true, autocomplete: 'off' });
    const pmsg = h('p', { class: 'status', role: 'status' });
    const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Add contact');
    const form = h('form', { class: 'inline-form', novalidate: true },
      h('div', { class: 'field field-grow' }, h('label', { for: id }, 'Name of the new contact'), name), btn);
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      const n = name.value.trim();
      if (!n) { status(pmsg, 'error', 'Enter a name for the new contact.'); name.focus(); return; }
      const contact = { name: n };
      if (s.email) contact.emails = [s.email];
      doAttach(s, { contact }, n, pmsg, panel, btn);
    });
    add(panel, form, s.email ? h('p', { class: 'hint' }, `With the email ${s.email}.`) : null, pmsg);
  }

  async function doAttach(s, body, name, pmsg, panel, btn) {
    for (const b of panel.querySelectorAll('button')) b.disabled = true;
    status(pmsg, 'progress', `Attaching to ${name}…`);
    try {
      const g = await api.post(`/signals/${s.id}/attach`, body);
      const i = items.findIndex(x => x.id === s.id);
      if (i >= 0) items[i] = g;
      drawList();
      status(msg, 'ok', `${signalWho(s) === name ? 'The lead' : signalWho(s)} is now attached to ${g.contact ? g.contact.name : name}.`);
      const link = listBox.querySelector(`#signal-${s.id} .signal-who`);
      if (link) link.focus();
      api.get('/signals/stats').then(drawStats, () => {});
    } catch (err) {
      for (const b of panel.querySelectorAll('button')) b.disabled = false;
      status(pmsg, 'error', `Not attached: ${err.message}.`);
      if (btn) btn.focus();
    }
  }

  async function reload() {
    try {
      const [l, st] = await Promise.all([api.get('/signals'), api.get('/signals/stats')]);
      items = l.items; cursor = l.next_cursor;
      drawStats(st); drawList();
    } catch (err) { status(msg, 'error', `Could not update the signals: ${err.message}.`); }
  }

  drawStats(stats);
  drawList();
  // New signals appear as they arrive, unless the user is in the middle of attaching.
  onLive(() => {
    if (!page.isConnected) return false;
    if (!listBox.querySelector('.signal-panel:not([hidden])')) reload();
    return true;
  });
  // The toast's "Attach or add" points at #signal-N: bring it into view.
  if (location.hash.startsWith('#signal-')) setTimeout(() => {
    const li = page.querySelector(location.hash);
    if (li) { li.classList.add('is-target'); li.scrollIntoView({ block: 'center' }); const b = li.querySelector('button'); if (b) b.focus(); }
  }, 50);
  return page;
}

function webhookCard(hook) {
  const msg = h('p', { class: 'status', role: 'status' });
  const url = h('input', { id: 'hook-url', type: 'text', readonly: true, class: 'mono', spellcheck: 'false', value: location.origin + hook.path });
  const copy = h('button', { type: 'button', class: 'btn btn-small' }, 'Copy');
  const rotate = h('button', { type: 'button', class: 'btn btn-small btn-danger' }, 'Rotate');
  copy.addEventListener('click', async () => {
    url.select();
    try { await navigator.clipboard.writeText(url.value); status(msg, 'ok', 'Copied.'); }
    catch { status(msg, null, 'Press Ctrl+C (or ⌘C) to copy the selected URL.'); }
  });
  rotate.addEventListener('click', async () => {
    if (!confirm('Make a new webhook URL? The old one stops working at once: update your website and tools.')) return;
    rotate.disabled = true;
    status(msg, 'progress', 'Rotating…');
    try { const r = await api.post('/webhook/rotate'); url.value = location.origin + r.path; status(msg, 'ok', 'New URL made; the old one no longer works.'); url.focus(); url.select(); }
    catch (err) { status(msg, 'error', `Not rotated: ${err.message}.`); }
    finally { rotate.disabled = false; }
  });
  const example = `curl -X POST ${location.origin}/hooks/… -H 'content-type: application/json' -d '{"id":"ev-1","type":"website_visit","email":"dana@example.com","url":"https://you.example/pricing"}'`;
  return h('section', { class: 'card webhook-card', 'aria-labelledby': 'h-hook' },
    h('h2', { id: 'h-hook' }, 'Webhook'),
    h('p', { class: 'muted small' }, 'POST a JSON object with a type (website_visit, mention, inbound_email, missed_call or form) and any of id, email, name, handle, url, text, at. Keep the URL secret: it is the only credential.'),
    h('div', { class: 'inline-form' }, h('div', { class: 'field field-grow' }, h('label', { for: 'hook-url' }, 'Webhook URL'), url), copy, rotate),
    msg,
    h('details', null, h('summary', null, 'Example'), h('pre', { class: 'mono small code' }, example)));
}


