// today.js: the home page: who to reach today and why, with the
// promises that are late and the dates coming up beside it.
import * as api from './api.js';
import { h, add, clear, theirClock, fmtDateTime, bothZones, emptyState, status, myZone } from './dom.js';
import { setTitle, canWrite, toast, session } from './app.js';
import { openLogTouch } from './logtouch.js';
import { navigate } from './app.js';

const REASON_LABEL = {
  overdue: 'Overdue', in_person_overdue: 'Face to face', never_in_person: 'Never met', date_soon: 'Date',
  promise_overdue: 'Promise', thank_you_due: 'Thank-you', going_cold: 'Going cold', never_touched: 'New',
  signal: 'Waiting', unanswered: 'Waiting',
};

export async function todayPage(_params, ctx) {
  setTitle('Today');
  const [agenda, promises] = await Promise.all([api.get('/agenda', { limit: 50 }), api.get('/promises')]);
  let hasContacts = agenda.items.length > 0;
  if (!hasContacts) hasContacts = (await api.get('/contacts', { limit: 1 })).items.length > 0;

  const listBox = h('div', { class: 'agenda-box' });
  const liveMsg = h('p', { class: 'status', role: 'status' });
  const side = h('aside', { class: 'today-side', 'aria-label': 'Promises and dates' });

  const today = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', timeZone: myZone() }).format(new Date());
  const page = h('section', { class: 'page page-today' },
    h('div', { class: 'page-head' },
      h('div', null, h('p', { class: 'eyebrow' }, today), h('h1', null, 'Today')),
      h('p', { class: 'page-sub muted', id: 'agenda-count' })),
    h('div', { class: 'today-grid' }, h('div', { class: 'today-main' }, liveMsg, listBox), side));

  function drawSide(items, proms) {
    clear(side);
    const overdue = proms.filter(p => p.overdue);
    const soon = proms.filter(p => !p.overdue);
    const dates = [];
    for (const it of items) for (const r of it.reasons) if (r.kind === 'date_soon') dates.push({ c: it.contact, text: r.text });
    add(side, h('section', { class: 'card', 'aria-labelledby': 'h-promises' },
      h('h2', { id: 'h-promises' }, 'Overdue promises'),
      overdue.length ? h('ul', { class: 'plain-list' }, overdue.map(p => promiseRow(p, true)))
        : h('p', { class: 'muted' }, 'No promise is late. Keep it that way.'),
      soon.length ? [h('h3', null, 'Open promises'), h('ul', { class: 'plain-list' }, soon.map(p => promiseRow(p, false)))] : null));
    add(side, h('section', { class: 'card', 'aria-labelledby': 'h-dates' },
      h('h2', { id: 'h-dates' }, 'Coming up'),
      dates.length ? h('ul', { class: 'plain-list' }, dates.map(d => h('li', { class: 'side-row' },
        h('a', { href: `/contacts/${d.c.id}`, dir: 'auto' }, d.c.name), h('span', { class: 'muted' }, d.text))))
        : h('p', { class: 'muted' }, 'No birthdays or anniversaries in the next days.')));
  }

  function promiseRow(p, late) {
    const done = canWrite() ? h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Mark kept: ${p.text}` }, 'Kept') : null;
    const row = h('li', { class: 'side-row' + (late ? ' is-late' : '') },
      h('div', null, h('a', { href: `/contacts/${p.contact_id}`, dir: 'auto' }, p.contact_name || 'Contact'),
        h('p', { class: 'promise-text', dir: 'auto' }, p.text),
        h('p', { class: 'muted small' }, (late ? 'Was due ' : 'Due ') + fmtDateTime(p.due))),
      done);
    if (done) done.addEventListener('click', async () => {
      done.disabled = true; done.textContent = 'Saving…';
      try { await api.post(`/promises/${p.id}/done`); toast('Promise marked as kept.'); refresh(); }
      catch (err) { done.disabled = false; done.textContent = 'Kept'; toast(`Could not mark it kept: ${err.message}.`, 'error'); }
    });
    return row;
  }

  function drawAgenda(items) {
    clear(listBox);
    const count = page.querySelector('#agenda-count');
    count.textContent = items.length ? `${items.length} ${items.length === 1 ? 'person' : 'people'} to reach, most important first` : '';
    if (!hasContacts) {
      add(listBox, emptyState('Your book is empty',
        'kith tells you who to reach each day. Start by adding the people you work with: a client, a partner, a prospect.',
        h('a', { class: 'btn btn-primary', href: '/contacts/new' }, 'Add your first contact')));
      return;
    }
    if (!items.length) {
      add(listBox, emptyState('Nobody is due today', 'Everyone is within their cadence. Enjoy the quiet, or look for someone to surprise.',
        h('a', { class: 'btn', href: '/contacts' }, 'Browse contacts')));
      return;
    }
    add(listBox, h('ul', { class: 'agenda', 'aria-label': 'Agenda' }, items.map(agendaItem)));
  }

  function agendaItem(it, i) {
    const c = it.contact;
    const clock = theirClock(c.tz);
    const snoozeBox = h('div', { class: 'snooze-box', hidden: true, role: 'group', 'aria-label': `Snooze ${c.name} for` });
    const snoozeBtn = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Snooze: ${c.name}`, 'aria-expanded': 'false' }, 'Snooze');
    for (const [label, dur] of [['1 day', '1d'], ['3 days', '3d'], ['1 week', '1w'], ['1 month', '30d']]) {
      const b = h('button', { type: 'button', class: 'btn btn-small btn-quiet' }, label);
      b.addEventListener('click', async () => {
        for (const x of snoozeBox.querySelectorAll('button')) x.disabled = true;
        status(liveMsg, 'progress', `Snoozing ${c.name}…`);
        try {
          await api.post(`/contacts/${c.id}/snooze`, { for: dur });
          status(liveMsg, 'ok', `${c.name} is snoozed for ${label}.`);
          refresh();
        } catch (err) {
          for (const x of snoozeBox.querySelectorAll('button')) x.disabled = false;
          status(liveMsg, 'error', `Could not snooze ${c.name}: ${err.message}.`);
        }
      });
      add(snoozeBox, b);
    }
    snoozeBtn.addEventListener('click', () => {
      const open = snoozeBox.hidden;
      snoozeBox.hidden = !open;
      snoozeBtn.setAttribute('aria-expanded', String(open));
      if (open) snoozeBox.querySelector('button').focus();
    });
    snoozeBox.addEventListener('keydown', ev => { if (ev.key === 'Escape') { snoozeBox.hidden = true; snoozeBtn.setAttribute('aria-expanded', 'false'); snoozeBtn.focus(); } });
    const logBtn = h('button', { type: 'button', class: 'btn btn-primary btn-small', 'aria-label': `Log touch: ${c.name}` }, 'Log touch');
    logBtn.addEventListener('click', () => openLogTouch(c, { onSaved: () => refresh(c.id), returnFocus: logBtn }));
    const briefBtn = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Brief: ${c.name}` }, 'Brief');
    briefBtn.addEventListener('click', () => navigate(`/contacts/${c.id}/brief`));
    return h('li', { class: 'agenda-item', 'data-contact': c.id },
      h('div', { class: 'agenda-top' },
        h('span', { class: 'rank', 'aria-hidden': 'true' }, String(i + 1)),
        h('div', { class: 'agenda-who' },
          h('a', { class: 'agenda-name', href: `/contacts/${c.id}`, dir: 'auto' }, c.name),
          c.tier ? h('span', { class: 'tier tier-' + c.tier, title: 'Tier ' + c.tier }, 'Tier ' + c.tier) : null),
        h('p', { class: 'clock ' + (clock.inHours ? 'in-hours' : 'off-hours') },
          h('span', { class: 'dot', 'aria-hidden': 'true' }),
          clock.differs ? `${clock.time} in ${clock.place}` : `${clock.time} local`,
          ' · ', clock.inHours ? 'working hours' : 'outside working hours')),
      h('ul', { class: 'reasons', 'aria-label': `Why ${c.name}` }, it.reasons.map(r =>
        h('li', { class: 'reason reason-' + r.kind }, h('span', { class: 'reason-tag' }, REASON_LABEL[r.kind] || 'Note'), h('span', { dir: 'auto' }, r.text)))),
      canWrite() ? h('div', { class: 'agenda-actions' }, logBtn, snoozeBtn, briefBtn) : h('div', { class: 'agenda-actions' }, briefBtn),
      snoozeBox);
  }

  async function refresh(focusId) {
    status(liveMsg, 'progress', 'Updating the agenda…');
    try {
      const [a, p] = await Promise.all([api.get('/agenda', { limit: 50 }), api.get('/promises')]);
      if (a.items.length) hasContacts = true;
      drawAgenda(a.items);
      drawSide(a.items, p.items);
      status(liveMsg, 'ok', 'Agenda updated.');
      setTimeout(() => { if (liveMsg.textContent === 'Agenda updated.') status(liveMsg, null, ''); }, 3000);
      const again = focusId && listBox.querySelector(`[data-contact="${focusId}"] .agenda-name`);
      if (again) again.focus();
      else if (focusId) { const first = listBox.querySelector('.agenda-name'); if (first) first.focus(); }
    } catch (err) {
      status(liveMsg, 'error', `Could not update the agenda: ${err.message}.`);
    }
  }

  drawAgenda(agenda.items);
  drawSide(agenda.items, promises.items);
  return page;
}
