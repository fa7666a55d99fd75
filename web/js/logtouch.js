// logtouch.js: the "Log touch" dialog, keyboard-first. Opens from the
// agenda and the contact page; calls onSaved(touch) so the caller can
// refresh what it shows without a reload.
import * as api from './api.js';
import { h, add, CHANNELS, status, localInputNow, clear, channelName, bidi } from './dom.js';
import { session, toast } from './shell.js';

let contactCache = null;
async function allContacts() {
  if (!contactCache) {
    const r = await api.get('/contacts', { limit: 1000 });
    contactCache = r.items;
    setTimeout(() => { contactCache = null; }, 60000);
  }
  return contactCache;
}

export function openLogTouch(contact, { onSaved, returnFocus } = {}) {
  const opener = returnFocus || document.activeElement;
  const id = 'lt' + Date.now();
  const others = [];
  const channel = h('select', { id: id + '-ch', name: 'channel' },
    CHANNELS.map(([v, label]) => h('option', { value: v }, label)));
  channel.value = 'call';
  const when = h('input', { id: id + '-at', type: 'datetime-local', name: 'at', value: localInputNow(), required: true });
  const minutes = h('input', { id: id + '-min', type: 'number', name: 'minutes', min: '0', max: '100000', inputmode: 'numeric', placeholder: 'e.g. 30' });
  const direction = h('select', { id: id + '-dir', name: 'direction' },
    h('option', { value: '' }, 'Usual for the channel'),
    h('option', { value: 'out' }, 'I reached out'),
    h('option', { value: 'in' }, 'They reached out'),
    h('option', { value: 'mutual' }, 'Both / together'));
  const note = h('textarea', { id: id + '-note', name: 'note', rows: '3', dir: 'auto', placeholder: 'What happened, what to remember', 'aria-describedby': id + '-note-hint' });
  const chips = h('ul', { class: 'chips', 'aria-label': 'Also present' });
  const pick = h('input', { id: id + '-with', type: 'text', list: id + '-list', autocomplete: 'off', dir: 'auto', placeholder: 'Type a name, then Enter', 'aria-describedby': id + '-with-hint' });
  const datalist = h('datalist', { id: id + '-list' });
  const msg = h('p', { class: 'status', role: 'status' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
  const cancel = h('button', { type: 'button', class: 'btn btn-quiet' }, 'Cancel');

  allContacts().then(list => {
    for (const c of list) if (c.id !== contact.id) add(datalist, h('option', { value: c.name }));
  }).catch(() => {});

  function drawChips() {
    clear(chips);
    for (const c of others) {
      add(chips, h('li', { class: 'chip' }, h('span', { dir: 'auto' }, c.name),
        h('button', { type: 'button', class: 'chip-x', 'aria-label': `Remove ${c.name}`, onclick: () => { others.splice(others.indexOf(c), 1); drawChips(); pick.focus(); } }, '×')));
    }
  }
  async function addPicked() {
    const name = pick.value.trim();
    if (!name) return false;
    const list = await allContacts().catch(() => []);
    const c = list.find(x => x.name.toLowerCase() === name.toLowerCase());
    if (!c || c.id === contact.id) { status(msg, 'error', `No contact named “${name}”. Pick a name from the list.`); return true; }
    if (!others.some(o => o.id === c.id)) others.push(c);
    pick.value = '';
    status(msg, null, '');
    drawChips();
    return true;
  }
  pick.addEventListener('keydown', async ev => {
    if (ev.key === 'Enter' && pick.value.trim()) { ev.preventDefault(); await addPicked(); }
  });
  pick.addEventListener('change', () => { if (datalist.querySelector(`option[value="${CSS.escape(pick.value)}"]`)) addPicked(); });
  // Enter saves from the note too; Shift+Enter starts a new line.
  note.addEventListener('keydown', ev => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); form.requestSubmit(); }
  });

  const form = h('form', { class: 'dialog-form', novalidate: true },
    h('div', { class: 'dialog-head' },
      h('h2', { id: id + '-title' }, 'Log touch with ', h('span', { dir: 'auto' }, contact.name)),
      h('button', { type: 'button', class: 'btn btn-icon', 'aria-label': 'Close', onclick: () => close() }, '×')),
    h('div', { class: 'grid-2' },
      h('div', { class: 'field' }, h('label', { for: channel.id }, 'Channel'), channel),
      h('div', { class: 'field' }, h('label', { for: when.id }, 'When'), when)),
    h('div', { class: 'grid-2' },
      h('div', { class: 'field' }, h('label', { for: minutes.id }, 'Minutes'), minutes),
      h('div', { class: 'field' }, h('label', { for: direction.id }, 'Who started it'), direction)),
    h('div', { class: 'field' }, h('label', { for: pick.id }, 'Participants'), pick, datalist,
      h('p', { class: 'hint', id: id + '-with-hint' }, 'Others who were there, besides ', h('span', { dir: 'auto' }, contact.name), '.'), chips),
    h('div', { class: 'field' }, h('label', { for: note.id }, 'Note'), note,
      h('p', { class: 'hint', id: id + '-note-hint' }, 'Enter saves; Shift+Enter for a new line; Escape closes.')),
    msg,
    h('div', { class: 'actions' }, save, cancel));

  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': id + '-title' }, form);
  cancel.addEventListener('click', () => close());
  dlg.addEventListener('close', () => { dlg.remove(); if (opener && opener.isConnected) opener.focus(); });
  dlg.addEventListener('click', ev => { if (ev.target === dlg) close(); });

  function close() { if (dlg.open) dlg.close(); }

  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    if (pick.value.trim()) { await addPicked(); if (pick.value.trim()) return; }
    if (!when.value) { status(msg, 'error', 'Say when it happened.'); when.focus(); return; }
    const at = new Date(when.value);
    if (isNaN(at)) { status(msg, 'error', 'That date and time is not valid.'); when.focus(); return; }
    const body = { contacts: [contact.id, ...others.map(o => o.id)], channel: channel.value, at: at.toISOString().replace(/\.\d{3}Z$/, 'Z') };
    if (minutes.value !== '') body.minutes = Number(minutes.value);
    if (note.value.trim()) body.note = note.value.trim();
    if (direction.value) body.direction = direction.value;
    if (session.me) body.users = [session.me.user.id];
    save.disabled = true;
    status(msg, 'progress', 'Saving…');
    try {
      const t = await api.post('/touchpoints', body);
      close();
      toast(`Logged ${channelName(channel.value).toLowerCase()} with ${bidi(contact.name)}.`);
      if (onSaved) onSaved(t);
    } catch (err) {
      save.disabled = false;
      status(msg, 'error', `Not saved: ${err.message}.`);
      const f = { channel, at: when, minutes, note, direction, contacts: pick }[err.field];
      if (f) f.focus();
    }
  });

  add(document.body, dlg);
  dlg.showModal();
  channel.focus();
  return dlg;
}
