// contact.js: one person: who they are, what to remember, how the
// relationship is doing, and inline editing guarded by ETags.
import * as api from './api.js';
import { h, add, clear, ut, status, emptyState, fmtDateTime, fmtDay, bothZones, ago, channelName, CHANNELS, HUMAN, money, initials, theirClock } from './dom.js';
import { setTitle, canWrite, toast, navigate } from './shell.js';
import { openLogTouch } from './logtouch.js';

const FIELDS = [
  ['name', 'Name'], ['title', 'Title'], ['org', 'Organization'], ['emails', 'Emails'], ['phones', 'Phones'],
  ['handles', 'Handles'], ['tags', 'Tags'], ['tier', 'Tier'], ['tz', 'Time zone'], ['since', 'Client since'],
  ['every', 'Touch every'], ['meet_every', 'Meet every'], ['notes', 'Notes'],
];
const LISTS = new Set(['emails', 'phones', 'handles', 'tags']);
const show = (c, k) => { const v = c[k]; return Array.isArray(v) ? v.join(', ') : (v ?? ''); };

export async function contactPage([id], ctx) {
  const cid = Number(id);
  const [cr, brief, touches, facts, dates, promises, gifts, users, cadences] = await Promise.all([
    api.getWithEtag(`/contacts/${cid}`), api.get(`/contacts/${cid}/brief`), api.get(`/contacts/${cid}/touchpoints`, { limit: 12 }),
    api.get(`/contacts/${cid}/facts`), api.get(`/contacts/${cid}/dates`), api.get(`/contacts/${cid}/promises`, { all: true }),
    api.get(`/contacts/${cid}/gifts`), api.get('/users').then(r => r.items).catch(() => []), api.get('/cadences').then(r => r.items).catch(() => []),
  ]);
  let contact = cr.data, etag = cr.etag;
  setTitle(contact.name);

  const head = h('div', { class: 'contact-head' });
  const details = h('section', { class: 'card', 'aria-labelledby': 'h-details' });
  const page = h('section', { class: 'page page-contact' },
    h('p', { class: 'crumbs' }, h('a', { href: '/contacts' }, 'Contacts')),
    head,
    h('div', { class: 'contact-grid' },
      h('div', { class: 'col' }, details,
        listCard('facts', 'Personal facts', facts.items, f => h('li', { class: 'fact' }, ut(f.text)),
          'Nothing remembered yet. Family, interests, the coffee order: the details that make you the person they call first.',
          [['text', 'Fact', 'text', 'e.g. Flat white, no sugar']], b => api.post(`/contacts/${cid}/facts`, b)),
        listCard('dates', 'Dates', dates.items, d => h('li', { class: 'date-row' }, ut(d.kind, 'span', 'strong'),
          h('span', { class: 'muted' }, fmtDay(d.date) + (d.yearly ? ' · every year' : '') + (d.in_days != null && d.in_days >= 0 ? ` · in ${d.in_days} days` : ''))),
          'No dates yet: birthdays, anniversaries, a child’s graduation.',
          [['kind', 'What', 'text', 'e.g. birthday'], ['date', 'Date', 'date'], ['yearly', 'Every year', 'checkbox']],
          b => api.post(`/contacts/${cid}/dates`, b)),
        promisesCard(),
        listCard('gifts', 'Gifts', gifts.items, g => h('li', { class: 'date-row' }, ut(g.text, 'span', 'strong'),
          h('span', { class: 'muted' }, [g.at ? fmtDate(g.at) : null, g.value != null ? 'value ' + money(g.value) : null].filter(Boolean).join(' · '))),
          'No gifts recorded. A thank-you to a loyal client goes a long way.',
          [['text', 'Gift', 'text', 'e.g. Book on Bauhaus'], ['value', 'Value', 'number']], b => api.post(`/contacts/${cid}/gifts`, b))),
      h('div', { class: 'col' }, healthCard(brief.health), cadenceCard(), timelineCard())));

  function drawHead() {
    clear(head);
    const clock = theirClock(contact.tz);
    const role = [contact.title, contact.org].filter(Boolean).join(' · ');
    const logBtn = h('button', { type: 'button', class: 'btn btn-primary', 'aria-label': `Log touch: ${contact.name}` }, 'Log touch');
    logBtn.addEventListener('click', () => openLogTouch(contact, { returnFocus: logBtn, onSaved: () => navigateSelf() }));
    add(head, 
      h('span', { class: 'avatar avatar-lg', 'aria-hidden': 'true' }, initials(contact.name)),
      h('div', { class: 'contact-title' },
        h('h1', { dir: 'auto' }, contact.name),
        role ? h('p', { class: 'muted', dir: 'auto' }, role) : null,
        h('p', { class: 'head-meta' },
          contact.tier ? h('span', { class: 'tier tier-' + contact.tier }, 'Tier ' + contact.tier) : null,
          contact.tags.map(t => h('span', { class: 'tag', dir: 'auto' }, t)),
          h('span', { class: 'clock ' + (clock.inHours ? 'in-hours' : 'off-hours') }, h('span', { class: 'dot', 'aria-hidden': 'true' }),
            `${clock.time}${clock.differs ? ' in ' + clock.place : ' local'} · ${clock.inHours ? 'working hours' : 'outside working hours'}`),
          contact.snooze_until && new Date(contact.snooze_until) > new Date() ? h('span', { class: 'tag tag-warn' }, 'Snoozed until ' + fmtDate(contact.snooze_until)) : null)),
      h('div', { class: 'head-actions' }, canWrite() ? logBtn : null,
        h('a', { class: 'btn', href: `/contacts/${cid}/brief` }, 'Brief')));
  }
  function navigateSelf() { navigate(location.pathname, { replace: true }); }
  function fmtDate(iso) { return fmtDateTime(iso, undefined, { timeStyle: undefined }); }

  // ---- details, with inline editing and conflict handling ----
  function drawDetails(note) {
    clear(details);
    const owner = users.find(u => u.id === contact.owner_id);
    const rows = [
      ['Emails', contact.emails.map(e => h('a', { href: 'mailto:' + e }, e))],
      ['Phones', contact.phones.map(p => h('a', { href: 'tel:' + p.replace(/\s/g, '') }, p))],
      ['Handles', contact.handles.join(', ')],
      ['Time zone', contact.tz || 'Not set (workspace zone)'],
      ['Client since', contact.since ? fmtDay(contact.since) : ''],
      ['Owner', owner ? (owner.name || owner.email) : ''],
      ['Notes', contact.notes ? ut(contact.notes, 'span', 'pre') : ''],
    ];
    const edit = canWrite() ? h('button', { type: 'button', class: 'btn btn-small', 'aria-label': 'Edit details' }, 'Edit') : null;
    if (edit) edit.addEventListener('click', () => drawEditor());
    add(details, h('div', { class: 'card-head' }, h('h2', { id: 'h-details' }, 'Details'), edit),
      note || null,
      h('dl', { class: 'facts-dl' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, (Array.isArray(v) ? (v.length ? v.flatMap((x, i) => i ? [', ', x] : [x]) : '—') : (v || '—')))])));
  }

  // mine: the user's edits (field -> text) to keep over a newer version.
  function drawEditor(mine, conflict) {
    clear(details);
    const inputs = {};
    const msg = h('p', { class: 'status', role: 'status' });
    const base = contact;
    const fieldsEl = FIELDS.map(([k, label]) => {
      let el;
      if (k === 'notes') el = h('textarea', { rows: '4', dir: 'auto' });
      else if (k === 'tier') el = h('select', null, h('option', { value: '' }, 'None'), ['A', 'B', 'C'].map(t => h('option', { value: t }, 'Tier ' + t)));
      else if (k === 'since') el = h('input', { type: 'date' });
      else el = h('input', { type: 'text', dir: ['tz', 'every', 'meet_every', 'since'].includes(k) ? 'ltr' : 'auto', autocomplete: 'off' });
      el.id = 'e-' + k;
      el.value = mine && k in mine ? mine[k] : show(contact, k);
      inputs[k] = el;
      const hint = LISTS.has(k) ? 'Separate with commas.' : (k === 'every' || k === 'meet_every') ? 'Like 30d or 12w; empty follows the tier.' : null;
      return h('div', { class: 'field' + (k === 'notes' || k === 'name' ? ' span-2' : '') }, h('label', { for: el.id }, label), el, hint ? h('p', { class: 'hint' }, hint) : null);
    });
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, conflict ? 'Save my version' : 'Save');
    const cancel = h('button', { type: 'button', class: 'btn btn-quiet' }, conflict ? 'Discard my changes' : 'Cancel');
    cancel.addEventListener('click', () => { drawDetails(); details.querySelector('button')?.focus(); });
    const form = h('form', { class: 'edit-form', novalidate: true }, conflict || null, h('div', { class: 'grid-2' }, fieldsEl), msg, h('div', { class: 'actions' }, save, cancel));
    form.addEventListener('keydown', ev => { if (ev.key === 'Escape') cancel.click(); });
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      // Only what the user changed goes to the server.
      const body = {}, edits = {};
      for (const [k] of FIELDS) {
        const v = inputs[k].value.trim();
        if (v === show(base, k)) continue;
        edits[k] = inputs[k].value;
        body[k] = LISTS.has(k) ? v.split(',').map(s => s.trim()).filter(Boolean) : (v === '' && k !== 'name' && k !== 'org' ? null : v);
      }
      if (!Object.keys(body).length) { drawDetails(h('p', { class: 'status status-ok', role: 'status' }, 'Nothing changed.')); return; }
      if ('name' in body && !body.name) { status(msg, 'error', 'A contact needs a name.'); inputs.name.focus(); return; }
      save.disabled = true;
      status(msg, 'progress', 'Saving…');
      try {
        const r = await api.patch(`/contacts/${cid}`, body, etag);
        contact = r.data;
        etag = r.etag || (await api.getWithEtag(`/contacts/${cid}`)).etag;
        drawHead();
        drawDetails(h('p', { class: 'status status-ok', role: 'status' }, 'Saved.'));
        setTitle(contact.name);
        details.querySelector('.card-head button')?.focus();
      } catch (err) {
        save.disabled = false;
        if (err.status === 412) return showConflict(edits);
        status(msg, 'error', `Not saved: ${err.message}.`);
        const f = inputs[err.field];
        if (f) f.focus();
      }
    });
    add(details, h('div', { class: 'card-head' }, h('h2', { id: 'h-details' }, conflict ? 'Details — resolve the conflict' : 'Edit details')), form);
    (conflict ? conflict : inputs.name).focus();
  }

  // The contact changed under the user: load the newer version, show what
  // changed, and keep the user's own edits in the form for a retry.
  async function showConflict(edits) {
    status(details.querySelector('.status'), 'progress', 'This contact changed meanwhile; loading the newer version…');
    let latest;
    try { latest = await api.getWithEtag(`/contacts/${cid}`); }
    catch (err) { status(details.querySelector('.status'), 'error', `This contact changed, and the newer version could not be loaded: ${err.message}.`); return; }
    const before = contact;
    contact = latest.data;
    etag = latest.etag;
    drawHead();
    const theirs = FIELDS.filter(([k]) => show(before, k) !== show(contact, k));
    const rows = FIELDS.filter(([k]) => theirs.some(t => t[0] === k) || k in edits);
    const panel = h('div', { class: 'conflict', role: 'alert', tabindex: '-1' },
      h('h3', null, 'Someone else changed this contact while you were editing'),
      h('p', null, `Updated ${contact.updated_at ? fmtDateTime(contact.updated_at) : 'just now'}. Your changes are not saved yet. The newer version is below, with your edits still in the form.`),
      h('table', { class: 'diff' }, h('caption', { class: 'sr-only' }, 'What changed'),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Newer version'), h('th', { scope: 'col' }, 'Your edit'))),
        h('tbody', null, rows.map(([k, label]) =>
          h('tr', null, h('th', { scope: 'row' }, label), h('td', { dir: 'auto', class: 'theirs' }, show(contact, k) || '—'),
            h('td', { dir: 'auto' }, k in edits ? (edits[k] || '(cleared)') : h('span', { class: 'muted' }, 'not changed by you')))))),
      h('p', { class: 'muted small' }, 'Save my version to apply your edits on top of the newer version, or discard them.'));
    drawEditor(edits, panel);
  }

  // ---- promises ----
  function promisesCard() {
    const card = h('section', { class: 'card', 'aria-labelledby': 'h-promises' });
    const draw = items => {
      clear(card);
      const open = items.filter(p => !p.done_at), kept = items.filter(p => p.done_at);
      add(card, h('h2', { id: 'h-promises' }, 'Promises'),
        open.length ? h('ul', { class: 'plain-list' }, open.map(p => {
          const btn = canWrite() ? h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Mark kept: ${p.text}` }, 'Kept') : null;
          if (btn) btn.addEventListener('click', async () => {
            btn.disabled = true; btn.textContent = 'Saving…';
            try { await api.post(`/promises/${p.id}/done`); toast('Promise marked as kept.'); draw((await api.get(`/contacts/${cid}/promises`, { all: true })).items); }
            catch (err) { btn.disabled = false; btn.textContent = 'Kept'; toast(`Could not mark it kept: ${err.message}.`, 'error'); }
          });
          return h('li', { class: 'side-row' + (p.overdue ? ' is-late' : '') }, h('div', null, ut(p.text, 'p'),
            h('p', { class: 'muted small' }, (p.overdue ? 'Overdue · was due ' : 'Due ') + (p.due ? bothZones(p.due, contact.tz) : 'some time'))), btn);
        })) : h('p', { class: 'muted' }, 'No open promises.'),
        kept.length ? h('details', null, h('summary', null, `${kept.length} kept`), h('ul', { class: 'plain-list' }, kept.map(p => h('li', null, ut(p.text), h('span', { class: 'muted small' }, ' · kept ' + fmtDate(p.done_at)))))) : null,
        canWrite() ? addForm('promises', [['text', 'Promise', 'text', 'e.g. Send the laptop specs'], ['due', 'Due', 'datetime-local']],
          b => api.post(`/contacts/${cid}/promises`, b), async () => draw((await api.get(`/contacts/${cid}/promises`, { all: true })).items)) : null);
    };
    draw(promises.items);
    return card;
  }

  function listCard(key, title, items, row, empty, fields, create) {
    const card = h('section', { class: 'card', 'aria-labelledby': 'h-' + key });
    const draw = list => {
      clear(card);
      add(card, h('h2', { id: 'h-' + key }, title),
        list.length ? h('ul', { class: 'plain-list' }, list.map(row)) : h('p', { class: 'muted' }, empty),
        canWrite() ? addForm(key, fields, create, async () => draw((await api.get(`/contacts/${cid}/${key}`)).items)) : null);
    };
    draw(items);
    return card;
  }

  function addForm(key, fields, create, after) {
    const els = {};
    const msg = h('p', { class: 'status', role: 'status' });
    const btn = h('button', { type: 'submit', class: 'btn btn-small' }, 'Add');
    const form = h('form', { class: 'add-form', novalidate: true },
      fields.map(([k, label, type, ph]) => {
        const el = h('input', { id: `add-${key}-${k}`, type, placeholder: ph, dir: type === 'text' ? 'auto' : null });
        els[k] = el;
        return type === 'checkbox' ? h('label', { class: 'check' }, el, ' ' + label)
          : h('div', { class: 'field' }, h('label', { for: el.id }, label), el);
      }), h('div', { class: 'add-actions' }, btn), msg);
    const det = h('details', { class: 'add' }, h('summary', null, 'Add'), form);
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      const b = {};
      for (const [k, , type] of fields) {
        const v = els[k];
        if (type === 'checkbox') b[k] = v.checked;
        else if (v.value.trim() === '') continue;
        else if (type === 'number') b[k] = Number(v.value);
        else if (type === 'datetime-local') b[k] = new Date(v.value).toISOString().replace(/\.\d{3}Z$/, 'Z');
        else b[k] = v.value.trim();
      }
      const first = fields[0][0];
      if (!b[first]) { status(msg, 'error', `Fill in “${fields[0][1]}”.`); els[first].focus(); return; }
      btn.disabled = true;
      status(msg, 'progress', 'Adding…');
      try { await create(b); toast('Added.'); await after(); }
      catch (err) { btn.disabled = false; status(msg, 'error', `Not added: ${err.message}.`); if (els[err.field]) els[err.field].focus(); }
    });
    return det;
  }

  // ---- health ----
  function healthCard(hl) {
    const parts = [['recency', 'Recency', 40, 'in touch within the cadence'], ['richness', 'Richness', 25, 'how human the channels were'],
      ['reciprocity', 'Reciprocity', 20, 'both sides start conversations'], ['responsiveness', 'Responsiveness', 15, 'promises kept on time']];
    const level = hl.score >= 70 ? 'good' : hl.score >= 40 ? 'fair' : 'poor';
    return h('section', { class: 'card', 'aria-labelledby': 'h-health' },
      h('h2', { id: 'h-health' }, 'Health'),
      h('div', { class: 'health-top' },
        h('p', { class: 'score score-' + level }, h('span', { class: 'score-num' }, String(hl.score)), h('span', { class: 'score-of' }, '/ 100')),
        h('div', null,
          h('p', null, hl.trend === 0 ? 'Steady over 30 days' : `${hl.trend > 0 ? 'Up' : 'Down'} ${Math.abs(hl.trend)} in 30 days (was ${hl.score_30d_ago})`),
          h('p', { class: 'muted small' }, `${hl.touches_365d} touches in the last year`),
          hl.going_cold ? h('p', { class: 'tag tag-warn' }, 'Going cold') : null)),
      h('dl', { class: 'bars' }, parts.map(([k, label, max, help]) => [
        h('dt', null, label, h('span', { class: 'muted small' }, ` — ${help}`)),
        h('dd', null, h('span', { class: 'bar', role: 'img', 'aria-label': `${label}: ${hl.components[k]} of ${max}` },
          h('span', { class: 'bar-fill w' + Math.round(10 * hl.components[k] / max) })), h('span', { class: 'bar-num' }, `${hl.components[k]} / ${max}`))])));
  }

  function cadenceCard() {
    const s = contact.summary || {};
    const rule = (scope, key) => cadences.find(c => c.scope === scope && c.key === key);
    const from = contact.every ? 'set for this contact'
      : contact.tags.map(t => rule('tag', t)).find(Boolean) ? 'from tag ' + contact.tags.find(t => rule('tag', t))
      : contact.tier && rule('tier', contact.tier) ? 'from tier ' + contact.tier : 'workspace default';
    return h('section', { class: 'card', 'aria-labelledby': 'h-cadence' },
      h('h2', { id: 'h-cadence' }, 'Cadence'),
      h('dl', { class: 'facts-dl' },
        h('dt', null, 'Any touch'), h('dd', null, s.effective_every ? `every ${s.effective_every.replace('d', ' days')} (${from})` : 'none'),
        h('dt', null, 'Face to face'), h('dd', null, s.effective_meet_every ? `every ${s.effective_meet_every.replace('d', ' days')}` : 'no target'),
        h('dt', null, 'Last touch'), h('dd', null, s.last_touch ? `${ago(s.last_touch)} · ${bothZones(s.last_touch, contact.tz)}` : 'never'),
        h('dt', null, 'Last face to face'), h('dd', null, s.last_in_person ? `${ago(s.last_in_person)}` : 'never'),
        h('dt', null, 'Next due'), h('dd', null, s.due_at ? bothZones(s.due_at, contact.tz) : '—')));
  }

  // ---- timeline ----
  function timelineCard() {
    const card = h('section', { class: 'card', 'aria-labelledby': 'h-timeline' });
    let filter = '';
    let items = touches.items, cursor = touches.next_cursor;
    const list = h('div', { class: 'timeline-box' });
    const by = brief.last_by_channel || {};
    const chips = h('div', { class: 'channel-filter', role: 'group', 'aria-label': 'Show channel' },
      [['', 'All'], ...CHANNELS].map(([v, label]) => {
        const b = h('button', { type: 'button', class: 'chip-btn', 'aria-pressed': String(v === filter) }, label);
        b.addEventListener('click', () => { filter = v; for (const x of chips.children) x.setAttribute('aria-pressed', String(x === b)); draw(); });
        return b;
      }));
    const draw = () => {
      clear(list);
      const shown = items.filter(t => !filter || t.channel === filter);
      if (!shown.length) { add(list, h('p', { class: 'muted' }, filter ? `No ${channelName(filter).toLowerCase()} touches yet.` : 'No touches yet. Log the first one when you next speak.')); }
      else add(list, h('ol', { class: 'timeline', 'aria-label': 'Touchpoints, newest first' }, shown.map(t =>
        h('li', { class: 'tl-item ch-' + t.channel },
          h('span', { class: 'tl-dot', 'aria-hidden': 'true' }),
          h('div', null,
            h('p', { class: 'tl-head' }, h('strong', null, channelName(t.channel)),
              h('span', { class: 'muted' }, ` · ${t.direction === 'in' ? 'they reached out' : t.direction === 'out' ? 'you reached out' : 'together'}${t.minutes ? ` · ${t.minutes} min` : ''}`)),
            h('p', { class: 'muted small' }, h('time', { datetime: t.at }, bothZones(t.at, contact.tz))),
            t.note ? ut(t.note, 'p', 'tl-note') : null)))));
      if (cursor) {
        const more = h('button', { type: 'button', class: 'btn btn-small' }, 'Show older');
        more.addEventListener('click', async () => {
          more.disabled = true; more.textContent = 'Loading…';
          try { const r = await api.get(`/contacts/${cid}/touchpoints`, { limit: 25, cursor }); items = items.concat(r.items); cursor = r.next_cursor; draw(); }
          catch (err) { more.disabled = false; more.textContent = 'Show older'; toast(`Could not load older touches: ${err.message}.`, 'error'); }
        });
        add(list, more);
      }
    };
    draw();
    add(card, h('h2', { id: 'h-timeline' }, 'Timeline'),
      h('ul', { class: 'last-by', 'aria-label': 'Last touch by channel' }, CHANNELS.map(([v, label]) =>
        h('li', { class: by[v] ? (HUMAN.has(v) ? 'human' : '') : 'none' }, h('span', null, label), h('span', { class: 'muted small' }, by[v] ? ago(by[v]) : 'never')))),
      chips, list);
    return card;
  }

  drawHead();
  drawDetails();
  return page;
}
