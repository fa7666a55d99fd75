// contacts.js: the book: search as you type, filters, and adding a contact.
import * as api from './api.js';
import { h, add, clear, ago, emptyState, status, initials, bidi } from './dom.js';
import { setTitle, canWrite, navigate, toast } from './shell.js';

export async function contactsPage(_p, ctx) {
  setTitle('Contacts');
  const params = new URLSearchParams(location.search);
  const users = await api.get('/users').then(r => r.items).catch(() => []);
  const total = await api.get('/contacts', { limit: 1 });

  const q = h('input', { id: 'c-q', type: 'search', value: params.get('q') || '', placeholder: 'Name, email, company, note…', autocomplete: 'off', dir: 'auto' });
  const tag = h('input', { id: 'c-tag', type: 'text', value: params.get('tag') || '', placeholder: 'e.g. client', autocomplete: 'off', dir: 'auto' });
  const tier = h('select', { id: 'c-tier' }, h('option', { value: '' }, 'Any tier'), ['A', 'B', 'C'].map(t => h('option', { value: t }, 'Tier ' + t)));
  tier.value = params.get('tier') || '';
  const owner = h('select', { id: 'c-owner' }, h('option', { value: '' }, 'Anyone'),
    users.map(u => h('option', { value: String(u.id) }, u.name || u.email)));
  owner.value = params.get('owner') || '';
  const cold = h('input', { id: 'c-cold', type: 'checkbox', checked: params.get('going_cold') === 'true' });
  const digital = h('input', { id: 'c-digital', type: 'checkbox', checked: params.get('digital_only') === 'true' });
  const msg = h('p', { class: 'status', role: 'status' });
  const results = h('div', { class: 'results' });

  const filters = h('form', { class: 'filters card', role: 'search', 'aria-label': 'Find contacts', onsubmit: ev => { ev.preventDefault(); load(); } },
    h('div', { class: 'field field-grow' }, h('label', { for: q.id }, 'Search contacts'), q),
    h('div', { class: 'filter-row' },
      h('div', { class: 'field' }, h('label', { for: tag.id }, 'Tag'), tag),
      h('div', { class: 'field' }, h('label', { for: tier.id }, 'Tier'), tier),
      h('div', { class: 'field' }, h('label', { for: owner.id }, 'Owner'), owner),
      h('div', { class: 'checks' },
        h('label', { class: 'check' }, cold, ' Going cold'),
        h('label', { class: 'check' }, digital, ' Digital-only'))));

  const page = h('section', { class: 'page page-contacts' },
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, 'Contacts'), h('p', { class: 'page-sub muted' }, 'Everyone in the book. Search as you type.')),
      canWrite() ? h('a', { class: 'btn btn-primary', href: '/contacts/new' }, 'Add contact') : null),
    total.items.length ? filters : null, msg, results);

  if (!total.items.length) {
    add(results, emptyState('No contacts yet',
      'Add the first person you work with. kith will start telling you when to reach them, and remember what matters to them.',
      canWrite() ? h('a', { class: 'btn btn-primary', href: '/contacts/new' }, 'Add your first contact') : h('p', { class: 'muted' }, 'Ask a member of your workspace to add contacts.')));
    return page;
  }

  let seq = 0, timer = null;
  function query(cursor) {
    return {
      q: q.value.trim(), tag: tag.value.trim(), tier: tier.value, owner: owner.value,
      going_cold: cold.checked, digital_only: digital.checked, limit: 50, cursor,
    };
  }
  async function load(cursor) {
    const my = ++seq;
    const qs = query();
    const url = new URLSearchParams();
    for (const [k, v] of Object.entries(qs)) if (v && k !== 'limit') url.set(k, v === true ? 'true' : v);
    history.replaceState(null, '', '/contacts' + (url.toString() ? '?' + url : ''));
    status(msg, 'progress', 'Searching…');
    try {
      const r = await api.get('/contacts', query(cursor));
      if (my !== seq) return;
      status(msg, null, '');
      if (!cursor) clear(results);
      const old = results.querySelector('.more');
      if (old) old.remove();
      if (!cursor && !r.items.length) {
        add(results, emptyState('No one matches', 'Try fewer words, or clear a filter.',
          h('button', { type: 'button', class: 'btn', onclick: () => { q.value = tag.value = tier.value = owner.value = ''; cold.checked = digital.checked = false; load(); q.focus(); } }, 'Clear search and filters')));
        return;
      }
      let list = results.querySelector('ul.contact-list');
      if (!list) { list = h('ul', { class: 'contact-list', 'aria-label': 'Contacts' }); add(results, list); }
      for (const c of r.items) add(list, contactRow(c, users));
      status(msg, 'ok', `${list.children.length}${r.next_cursor ? '+' : ''} ${list.children.length === 1 ? 'contact' : 'contacts'} shown.`);
      if (r.next_cursor) {
        const more = h('button', { type: 'button', class: 'btn more' }, 'Show more');
        more.addEventListener('click', () => { more.disabled = true; more.textContent = 'Loading…'; load(r.next_cursor); });
        add(results, more);
      }
    } catch (err) {
      if (my === seq) status(msg, 'error', `Could not search: ${err.message}.`);
    }
  }
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => load(), 180); });
  tag.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => load(), 300); });
  for (const el of [tier, owner, cold, digital]) el.addEventListener('change', () => load());
  await load();
  return page;
}

function contactRow(c, users) {
  const owner = users.find(u => u.id === c.owner_id);
  const role = [c.title, c.org].filter(Boolean).join(' · ');
  return h('li', { class: 'contact-row' },
    h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(c.name)),
    h('div', { class: 'contact-main' },
      h('a', { href: `/contacts/${c.id}`, dir: 'auto', class: 'contact-name' }, c.name),
      role ? h('p', { class: 'muted small', dir: 'auto' }, role) : null,
      c.tags.length ? h('p', { class: 'tags' }, c.tags.map(t => h('span', { class: 'tag', dir: 'auto' }, t))) : null),
    h('div', { class: 'contact-meta small' },
      c.tier ? h('span', { class: 'tier tier-' + c.tier }, 'Tier ' + c.tier) : null,
      h('span', { class: 'muted' }, 'Last touch ' + ago(c.summary && c.summary.last_touch)),
      owner ? h('span', { class: 'muted', dir: 'auto' }, 'Owner ' + (owner.name || owner.email)) : null));
}

export async function newContactPage() {
  setTitle('Add contact');
  const f = {};
  const field = (key, label, el, hint) => {
    el.id = 'n-' + key;
    f[key] = el;
    return h('div', { class: 'field' }, h('label', { for: el.id }, label), el, hint ? h('p', { class: 'hint' }, hint) : null);
  };
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const tzList = h('datalist', { id: 'tz-list' }, zones.map(z => h('option', { value: z })));
  const msg = h('p', { class: 'status', role: 'status' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add contact');
  const form = h('form', { class: 'card form-card', novalidate: true },
    field('name', 'Name', h('input', { type: 'text', required: true, dir: 'auto', autocomplete: 'off' })),
    h('div', { class: 'grid-2' },
      field('email', 'Email', h('input', { type: 'email', autocomplete: 'off' })),
      field('phone', 'Phone', h('input', { type: 'tel', autocomplete: 'off' }))),
    h('div', { class: 'grid-2' },
      field('org', 'Organization', h('input', { type: 'text', dir: 'auto' })),
      field('title', 'Title', h('input', { type: 'text', dir: 'auto' }))),
    h('div', { class: 'grid-2' },
      field('tier', 'Tier', h('select', null, h('option', { value: '' }, 'None'), ['A', 'B', 'C'].map(t => h('option', { value: t }, 'Tier ' + t))), 'A: reach often; C: now and then.'),
      field('tz', 'Time zone', h('input', { type: 'text', list: 'tz-list', placeholder: 'e.g. Europe/London', autocomplete: 'off' }), 'Where they live, for their local time.')),
    tzList,
    field('tags', 'Tags', h('input', { type: 'text', dir: 'auto', placeholder: 'client, partner' }), 'Separate tags with commas.'),
    field('notes', 'Notes', h('textarea', { rows: '3', dir: 'auto' })),
    msg, h('div', { class: 'actions' }, save, h('a', { class: 'btn btn-quiet', href: '/contacts' }, 'Cancel')));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const name = f.name.value.trim();
    if (!name) { status(msg, 'error', 'A contact needs a name.'); f.name.focus(); return; }
    const body = { name };
    if (f.email.value.trim()) body.emails = [f.email.value.trim()];
    if (f.phone.value.trim()) body.phones = [f.phone.value.trim()];
    if (f.org.value.trim()) body.org = f.org.value.trim();
    if (f.title.value.trim()) body.title = f.title.value.trim();
    if (f.tier.value) body.tier = f.tier.value;
    if (f.tz.value.trim()) body.tz = f.tz.value.trim();
    const tags = f.tags.value.split(',').map(s => s.trim()).filter(Boolean);
    if (tags.length) body.tags = tags;
    if (f.notes.value.trim()) body.notes = f.notes.value.trim();
    save.disabled = true;
    status(msg, 'progress', 'Adding…');
    try {
      const c = await api.post('/contacts', body);
      toast(`Added ${bidi(c.name)}.`);
      navigate(`/contacts/${c.id}`);
    } catch (err) {
      save.disabled = false;
      status(msg, 'error', `Not added: ${err.message}.`);
      const el = { emails: f.email, phones: f.phone, tz: f.tz, tier: f.tier, name: f.name }[err.field];
      if (el) el.focus();
    }
  });
  return h('section', { class: 'page page-narrow' },
    h('p', { class: 'crumbs' }, h('a', { href: '/contacts' }, 'Contacts')),
    h('h1', null, 'Add contact'), form);
}
