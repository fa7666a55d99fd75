// today.js: the home page: who to reach today and why, with the
// promises that are late and the dates coming up beside it.
import * as api from './api.js';
import { h, add, clear, theirClock, workHours, fmtDateTime, emptyState, status, myZone } from './dom.js';
import { setTitle, canWrite, toast, navigate } from './shell.js';
import { openLogTouch } from './logtouch.js';
import { onLive } from './live.js';

const REASON_LABEL = {
  overdue: 'Overdue', in_person_overdue: 'Face to face', never_in_person: 'Never met', date_soon: 'Date',
  promise_overdue: 'Promise', thank_you_due: 'Thank-you', going_cold: 'Going cold', never_touched: 'New',
  signal: 'Waiting', unanswered: 'Waiting',
};

export async function todayPage(_params, ctx) {
  setTitle('Today');
  const [agenda, promises, dates, meetings] = await Promise.all([api.get('/agenda', { limit: 50 }), api.get('/promises'),
    api.get('/dates', { within: 14 }), api.get('/meetings', { state: 'suggested' })]);
  let hasContacts = agenda.items.length > 0;
  if (!hasContacts) hasContacts = (await api.get('/contacts', { limit: 1 })).items.length > 0;

  const listBox = h('div', { class: 'agenda-box' });
  const liveMsg = h('p', { class: 'status', role: 'status' });
  const side = h('aside', { class: 'today-side', 'aria-label': 'Meetings, promises and dates' });
  const meetBox = h('section', { class: 'card meetings-card', 'aria-labelledby': 'h-meetings' });
  const sideRest = h('div');
  add(side, meetBox, sideRest);

  const today = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', timeZone: myZone() }).format(new Date());
  const page = h('section', { class: 'page page-today' },
    h('div', { class: 'page-head' },
      h('div', null, h('p', { class: 'eyebrow' }, today), h('h1', null, 'Today')),
      h('p', { class: 'page-sub muted', id: 'agenda-count' })),
    h('div', { class: 'today-grid' }, h('div', { class: 'today-main' }, liveMsg, listBox), side));

  function drawSide(proms, dates) {
    clear(sideRest);
    const overdue = proms.filter(p => p.overdue);
    const soon = proms.filter(p => !p.overdue);
    add(sideRest, h('section', { class: 'card', 'aria-labelledby': 'h-promises' },
      h('h2', { id: 'h-promises' }, 'Overdue promises'),
      overdue.length ? h('ul', { class: 'plain-list' }, overdue.map(p => promiseRow(p, true)))
        : h('p', { class: 'muted' }, 'No promise is late. Keep it that way.'),
      soon.length ? [h('h3', null, 'Open promises'), h('ul', { class: 'plain-list' }, soon.map(p => promiseRow(p, false)))] : null));
    add(sideRest, h('section', { class: 'card', 'aria-labelledby': 'h-dates' },
      h('h2', { id: 'h-dates' }, 'Coming up'),
      dates.length ? h('ul', { class: 'plain-list' }, dates.map(d => h('li', { class: 'side-row date-side' },
        h('a', { href: `/contacts/${d.contact_id}`, dir: 'auto' }, d.contact_name),
        h('span', { class: 'muted' }, dateText(d)))))
        : h('p', { class: 'muted' }, 'No birthdays or anniversaries in the next two weeks.')));
  }

  function dateText(d) {
    const kind = d.kind ? d.kind[0].toUpperCase() + d.kind.slice(1) : 'Date';
    const when = d.in_days === 0 ? 'today' : d.in_days === 1 ? 'tomorrow' : `in ${d.in_days} days`;
    const years = d.years ? (/birthday/i.test(d.kind) ? ` · turns ${d.years}` : ` · ${d.years} years`) : '';
    const [, m, dd] = d.date.split('-').map(Number);
    const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, m - 1, dd)));
    return `${kind} ${when} (${day})${years}`;
  }

  // Past meetings with contacts, imported from a calendar: log them in one step.
  let meets = meetings.items;
  const names = new Map();
  async function drawMeetings() {
    clear(meetBox);
    add(meetBox, h('h2', { id: 'h-meetings' }, 'Meetings to confirm'));
    if (!meets.length) {
      add(meetBox, h('p', { class: 'muted' }, 'No meetings to confirm. ',
        canWrite() ? ['Import your calendar in ', h('a', { href: '/settings#calendar' }, 'Settings'), ' and past meetings with contacts appear here, ready to log.'] : null));
      return;
    }
    const missing = [...new Set(meets.flatMap(m => m.contacts))].filter(id => !names.has(id));
    await Promise.all(missing.map(id => api.get(`/contacts/${id}`).then(c => names.set(id, c.name), () => names.set(id, `Contact ${id}`))));
    const mmsg = h('p', { class: 'status', role: 'status' });
    add(meetBox, h('ul', { class: 'plain-list', 'aria-label': 'Meetings to confirm' }, meets.map(m => {
      const who = m.contacts.map(id => names.get(id));
      const title = m.summary || 'Meeting';
      const log = h('button', { type: 'button', class: 'btn btn-small btn-primary', 'aria-label': `Log it: ${title}` }, 'Log it');
      const dismiss = h('button', { type: 'button', class: 'btn btn-small btn-quiet', 'aria-label': `Dismiss: ${title}` }, 'Dismiss');
      const act = async (verb, done) => {
        log.disabled = dismiss.disabled = true;
        status(mmsg, 'progress', verb === 'confirm' ? `Logging “${title}”…` : `Dismissing “${title}”…`);
        try {
          await api.post(`/meetings/${m.id}/${verb}`);
          meets = meets.filter(x => x.id !== m.id);
          await drawMeetings();
          toast(done);
          if (verb === 'confirm') refresh();
        } catch (err) {
          log.disabled = dismiss.disabled = false;
          status(mmsg, 'error', `Could not ${verb === 'confirm' ? 'log' : 'dismiss'} “${title}”: ${err.message}.`);
        }
      };
      log.addEventListener('click', () => act('confirm', `Logged ${m.video ? 'a video call' : 'an in-person meeting'} with ${who.join(', ')}.`));
      dismiss.addEventListener('click', () => act('dismiss', `Dismissed “${title}”.`));
      return h('li', { class: 'side-row meeting-row' },
        h('div', null, h('p', { class: 'strong', dir: 'auto' }, title),
          h('p', { class: 'muted small' }, `${fmtDateTime(m.start)} · ${m.video ? 'video' : 'in person'}`),
          h('p', { class: 'small' }, 'With ', who.map((n, i) => [i ? ', ' : '', h('a', { href: `/contacts/${m.contacts[i]}`, dir: 'auto' }, n)]))),
        canWrite() ? h('div', { class: 'meeting-actions' }, log, dismiss) : null);
    })), mmsg);
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
    // The API gives their clock (in the contact's zone, else the workspace's);
    // we only name the place.
    const zoneName = c.tz || workHours().tz;
    const zone = theirClock(zoneName);
    const clock = { time: it.local_time || zone.time, inHours: it.working_hours ?? zone.inHours, differs: zone.differs, place: zone.place };
    const where = !zoneName ? '(no time zone set)' : clock.differs ? `in ${clock.place}` : 'local';
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
          `${clock.time} ${where}`,
          ' · ', clock.inHours ? 'working hours' : 'outside working hours')),
      h('ul', { class: 'reasons', 'aria-label': `Why ${c.name}` }, it.reasons.map(r =>
        h('li', { class: 'reason reason-' + r.kind }, h('span', { class: 'reason-tag' }, REASON_LABEL[r.kind] || 'Note'), h('span', { dir: 'auto' }, r.text)))),
      canWrite() ? h('div', { class: 'agenda-actions' }, logBtn, snoozeBtn, briefBtn) : h('div', { class: 'agenda-actions' }, briefBtn),
      snoozeBox);
  }

  async function refresh(focusId) {
    status(liveMsg, 'progress', 'Updating the agenda…');
    try {
      const [a, p, d] = await Promise.all([api.get('/agenda', { limit: 50 }), api.get('/promises'), api.get('/dates', { within: 14 })]);
      if (a.items.length) hasContacts = true;
      drawAgenda(a.items);
      drawSide(p.items, d.items);
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
  drawSide(promises.items, dates.items);
  await drawMeetings();
  // A live signal for a contact puts them first: show it without a reload.
  onLive(kind => {
    if (!page.isConnected) return false;
    if (kind === 'signal' || kind === 'digest') refresh();
    return true;
  });
  return page;
}
