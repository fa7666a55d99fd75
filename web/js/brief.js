// brief.js: one screen before a call or a coffee; prints on one page.
import * as api from './api.js';
import { h, ut, fmtDay, ago, bothZones, channelName, CHANNELS, money, theirClock, myZone, bidi } from './dom.js';
import { setTitle } from './shell.js';

export async function briefPage([id]) {
  const b = await api.get(`/contacts/${id}/brief`);
  const c = b.contact;
  setTitle('Brief: ' + bidi(c.name));
  const clock = theirClock(b.tz && b.tz !== 'local' ? b.tz : c.tz);
  const role = [c.title, c.org].filter(Boolean).join(' · ');
  const openPromises = b.promises.filter(p => !p.done_at);
  const sec = (key, title, body) => h('section', { class: 'brief-sec', 'aria-labelledby': 'b-' + key }, h('h2', { id: 'b-' + key }, title), body);
  const printBtn = h('button', { type: 'button', class: 'btn' }, 'Print');
  printBtn.addEventListener('click', () => window.print());
  const hl = b.health || {};
  const loy = b.loyalty || {};
  return h('section', { class: 'page page-brief' },
    h('p', { class: 'crumbs no-print' }, h('a', { href: `/contacts/${c.id}` }, h('span', { dir: 'auto' }, c.name))),
    h('header', { class: 'brief-head' },
      h('div', null,
        h('p', { class: 'eyebrow' }, 'Brief'),
        h('h1', { dir: 'auto' }, c.name),
        role ? h('p', { class: 'muted', dir: 'auto' }, role) : null),
      h('div', { class: 'brief-clock' },
        h('p', { class: 'clock ' + (b.working_hours ? 'in-hours' : 'off-hours') }, h('span', { class: 'dot', 'aria-hidden': 'true' }),
          `${b.local_time || clock.time} in ${(b.tz || '').replace(/_/g, ' ')}`),
        h('p', { class: 'muted small' }, (b.working_hours ? 'Inside their working hours' : 'Outside their working hours') +
          (clock.differs ? ` · ${new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZone: myZone() }).format(new Date())} your time` : '')),
        h('div', { class: 'no-print' }, printBtn))),
    h('div', { class: 'brief-stats' },
      stat('Health', hl.score != null ? `${hl.score}/100` : '—', hl.trend ? `${hl.trend > 0 ? '+' : ''}${hl.trend} in 30 days` : 'steady'),
      stat('Last touch', c.summary && c.summary.last_touch ? ago(c.summary.last_touch) : 'never', c.summary && c.summary.effective_every ? `every ${c.summary.effective_every.replace('d', ' days')}` : ''),
      stat('Face to face', c.summary && c.summary.last_in_person ? ago(c.summary.last_in_person) : 'never', ''),
      stat('Client', loy.tenure_years ? `${loy.tenure_years} years` : (c.since ? 'since ' + fmtDay(c.since) : '—'), loy.lifetime_value ? 'value ' + money(loy.lifetime_value) : '')),
    h('div', { class: 'brief-grid' },
      sec('facts', 'Remember', b.facts.length ? h('ul', { class: 'bullets' }, b.facts.map(f => ut(f.text, 'li'))) : h('p', { class: 'muted' }, 'No personal facts yet.')),
      sec('promises', 'Open promises', openPromises.length ? h('ul', { class: 'bullets' }, openPromises.map(p => h('li', { class: p.overdue ? 'is-late' : '' }, ut(p.text),
        h('span', { class: 'muted small' }, (p.overdue ? ' — overdue, was due ' : ' — due ') + bothZones(p.due, c.tz))))) : h('p', { class: 'muted' }, 'Nothing promised.')),
      sec('dates', 'Dates', b.dates.length ? h('ul', { class: 'bullets' }, b.dates.map(d => h('li', null, ut(d.kind, 'strong'), ` — ${fmtDay(d.date)}`,
        d.in_days != null ? h('span', { class: 'muted small' }, ` (in ${d.in_days} days${d.years ? `, ${d.years} years` : ''})`) : null))) : h('p', { class: 'muted' }, 'No dates.')),
      sec('last', 'Last by channel', h('ul', { class: 'last-by compact' }, CHANNELS.map(([v, label]) => h('li', { class: b.last_by_channel[v] ? '' : 'none' },
        h('span', null, label), h('span', { class: 'muted small' }, b.last_by_channel[v] ? ago(b.last_by_channel[v]) : 'never'))))),
      sec('recent', 'Recent touches', b.recent_touches.length ? h('ul', { class: 'bullets' }, b.recent_touches.slice(0, 5).map(t => h('li', null,
        h('strong', null, channelName(t.channel)), h('span', { class: 'muted small' }, ' · ' + ago(t.at)), t.note ? [h('br'), ut(t.note)] : null))) : h('p', { class: 'muted' }, 'No touches yet.')),
      sec('people', 'Ask after', b.seen_with.length ? h('p', null, b.seen_with.map((n, i) => [i ? ', ' : '', ut(n)])) : h('p', { class: 'muted' }, 'No one else seen with them.')),
      b.gifts.length ? sec('gifts', 'Gifts', h('ul', { class: 'bullets' }, b.gifts.map(g => h('li', null, ut(g.text), g.at ? h('span', { class: 'muted small' }, ' · ' + ago(g.at)) : null)))) : null,
      c.notes ? sec('notes', 'Notes', ut(c.notes, 'p', 'pre')) : null));
}

function stat(label, value, sub) {
  return h('div', { class: 'stat' }, h('p', { class: 'stat-label' }, label), h('p', { class: 'stat-value' }, value), sub ? h('p', { class: 'muted small' }, sub) : null);
}
