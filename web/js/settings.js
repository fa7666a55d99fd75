// settings.js: the workspace: members and roles, API tokens, working
// hours and the response target; your calendar feed; importing a
// contacts file (vCard or CSV) with a preview first.
import * as api from './api.js';
import { h, add, clear, status, fmtDateTime, emptyState } from './dom.js';
import { setTitle, isOwner, canWrite, session, toast } from './shell.js';
import { loadFocus } from './live.js';

export async function settingsPage() {
  setTitle('Settings');
  const [s, users, tokens, targets] = await Promise.all([
    api.getWithEtag('/settings'), api.get('/users').then(r => r.items),
    isOwner() ? api.get('/tokens').then(r => r.items) : Promise.resolve(null),
    api.get('/notify').then(r => r.items),
  ]);
  const page = h('section', { class: 'page page-settings' },
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Settings'),
      h('p', { class: 'page-sub muted', dir: 'auto' }, session.me.workspace.name + ' · you are ' + session.me.user.role))),
    h('div', { class: 'settings-grid' }, workspaceCard(s), membersCard(users), passwordCard(), notifyCard(targets), feedCard(), carddavCard(), mailboxCard(), importCard(), calendarCard(), tokensCard(tokens)));
  return page;
}

function workspaceCard(s) {
  let etag = s.etag, w = s.data;
  const owner = isOwner();
  const msg = h('p', { class: 'status', role: 'status' });
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const f = {
    name: h('input', { id: 's-name', type: 'text', value: w.name, dir: 'auto', required: true }),
    tz: h('input', { id: 's-tz', type: 'text', value: w.tz || '', list: 's-tz-list', placeholder: 'e.g. Europe/Berlin', autocomplete: 'off' }),
    work_start: h('input', { id: 's-start', type: 'time', value: w.work_start }),
    work_end: h('input', { id: 's-end', type: 'time', value: w.work_end }),
    response_target_minutes: h('input', { id: 's-target', type: 'number', min: '1', max: '10080', value: String(w.response_target_minutes), inputmode: 'numeric' }),
  };
  for (const el of Object.values(f)) el.disabled = !owner;
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save settings');
  const form = h('form', { novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 's-name' }, 'Workspace name'), f.name),
    h('div', { class: 'field' }, h('label', { for: 's-tz' }, 'Time zone'), f.tz, h('datalist', { id: 's-tz-list' }, zones.map(z => h('option', { value: z }))),
      h('p', { class: 'hint' }, 'Used for contacts without a zone of their own.')),
    h('fieldset', null, h('legend', null, 'Working hours (Monday to Friday, in each contact’s zone)'),
      h('div', { class: 'grid-2' },
        h('div', { class: 'field' }, h('label', { for: 's-start' }, 'Start'), f.work_start),
        h('div', { class: 'field' }, h('label', { for: 's-end' }, 'End'), f.work_end))),
    h('div', { class: 'field' }, h('label', { for: 's-target' }, 'Target response time (minutes)'), f.response_target_minutes,
      h('p', { class: 'hint' }, 'How fast a website visit or a message should get a personal answer, inside working hours.')),
    msg, owner ? h('div', { class: 'actions' }, save) : h('p', { class: 'muted small' }, 'Only owners change workspace settings.'));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const body = {};
    if (f.name.value.trim() !== w.name) body.name = f.name.value.trim();
    if (f.tz.value.trim() !== (w.tz || '')) body.tz = f.tz.value.trim();
    if (f.work_start.value !== w.work_start) body.work_start = f.work_start.value;
    if (f.work_end.value !== w.work_end) body.work_end = f.work_end.value;
    if (Number(f.response_target_minutes.value) !== w.response_target_minutes) body.response_target_minutes = Number(f.response_target_minutes.value);
    if (!Object.keys(body).length) { status(msg, 'ok', 'Nothing changed.'); return; }
    save.disabled = true;
    status(msg, 'progress', 'Saving…');
    try {
      const r = await api.patch('/settings', body, etag);
      w = r.data; etag = r.etag || etag;
      session.me.workspace = { ...session.me.workspace, ...w };
      document.getElementById('workspace-name').textContent = w.name;
      status(msg, 'ok', 'Settings saved.');
    } catch (err) {
      if (err.status === 412) {
        const latest = await api.getWithEtag('/settings');
        w = latest.data; etag = latest.etag;
        status(msg, 'error', `Someone else changed the settings meanwhile (now: ${w.work_start}–${w.work_end}, ${w.response_target_minutes} min, zone ${w.tz || 'not set'}). Your values are still in the form; save again to keep them.`);
      } else {
        status(msg, 'error', `Not saved: ${err.message}.`);
        const el = f[err.field];
        if (el) el.focus();
      }
    } finally { save.disabled = false; }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'h-ws' }, h('h2', { id: 'h-ws' }, 'Workspace'), form);
}

function membersCard(users) {
  const owner = isOwner();
  const card = h('section', { class: 'card', 'aria-labelledby': 'h-members' });
  const msg = h('p', { class: 'status', role: 'status' });
  const draw = list => {
    clear(card);
    add(card, h('h2', { id: 'h-members' }, 'Members and roles'),
      h('p', { class: 'muted small' }, 'Owners manage people and tokens; members read and write the book; viewers only read.'),
      h('ul', { class: 'member-list', 'aria-label': 'Members' }, list.map(u => {
        const me = u.id === session.me.user.id;
        const label = u.name || u.email;
        let roleEl = h('span', { class: 'tag' }, u.role);
        let remove = null;
        if (owner) {
          roleEl = h('select', { 'aria-label': `Role of ${label}` }, ['owner', 'member', 'viewer'].map(r => h('option', { value: r, selected: r === u.role }, r)));
          roleEl.addEventListener('change', async () => {
            status(msg, 'progress', `Changing ${label}’s role…`);
            try { await api.patch(`/users/${u.id}`, { role: roleEl.value }); status(msg, 'ok', `${label} is now ${roleEl.value}.`); }
            catch (err) { roleEl.value = u.role; status(msg, 'error', `Role not changed: ${err.message}.`); }
          });
          if (!me) {
            remove = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Remove ${label}` }, 'Remove');
            remove.addEventListener('click', async () => {
              if (!confirm(`Remove ${label} from the workspace?`)) return;
              remove.disabled = true;
              status(msg, 'progress', `Removing ${label}…`);
              try { await api.del(`/users/${u.id}`); status(msg, 'ok', `${label} removed.`); draw((await api.get('/users')).items); }
              catch (err) { remove.disabled = false; status(msg, 'error', `Not removed: ${err.message}.`); }
            });
          }
        }
        return h('li', { class: 'member' },
          h('div', { class: 'member-who' }, h('p', { dir: 'auto', class: 'strong' }, label + (me ? ' (you)' : '')), u.name ? h('p', { class: 'muted small' }, u.email) : null),
          h('div', { class: 'member-actions' }, roleEl, remove));
      })), msg, owner ? inviteForm() : null);
  };
  function inviteForm() {
    const email = h('input', { id: 'm-email', type: 'email', autocomplete: 'off', required: true });
    const name = h('input', { id: 'm-name', type: 'text', dir: 'auto' });
    const role = h('select', { id: 'm-role' }, ['member', 'viewer', 'owner'].map(r => h('option', { value: r }, r)));
    const pw = h('input', { id: 'm-pw', type: 'password', autocomplete: 'new-password', minlength: '12' });
    const imsg = h('p', { class: 'status', role: 'status' });
    const btn = h('button', { type: 'submit', class: 'btn' }, 'Add member');
    const form = h('form', { novalidate: true, class: 'add-form' },
      h('div', { class: 'grid-2' },
        h('div', { class: 'field' }, h('label', { for: 'm-email' }, 'Member email'), email),
        h('div', { class: 'field' }, h('label', { for: 'm-name' }, 'Member name'), name),
        h('div', { class: 'field' }, h('label', { for: 'm-role' }, 'Role'), role),
        h('div', { class: 'field' }, h('label', { for: 'm-pw' }, 'First password'), pw)),
      imsg, h('div', { class: 'actions' }, btn));
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      if (!email.value.trim()) { status(imsg, 'error', 'Enter the new member’s email.'); email.focus(); return; }
      const body = { email: email.value.trim(), role: role.value };
      if (name.value.trim()) body.name = name.value.trim();
      if (pw.value && pw.value.length < 12) { status(imsg, 'error', 'A password needs at least 12 characters.'); pw.focus(); return; }
      if (pw.value) body.password = pw.value;
      btn.disabled = true;
      status(imsg, 'progress', 'Adding…');
      try { await api.post('/users', body); toast(`Added ${body.email}.`); draw((await api.get('/users')).items); }
      catch (err) { btn.disabled = false; status(imsg, 'error', `Not added: ${err.message}.`); }
    });
    return h('details', { class: 'add' }, h('summary', null, 'Add a member'), form);
  }
  draw(users);
  return card;
}

// Your own password: the server asks for the current one too, and ends
// your other sessions when it changes.
function passwordCard() {
  const cur = h('input', { id: 'p-cur', type: 'password', autocomplete: 'current-password', required: true });
  const pw = h('input', { id: 'p-new', type: 'password', autocomplete: 'new-password', minlength: '12', required: true });
  const msg = h('p', { class: 'status', role: 'status' });
  const btn = h('button', { type: 'submit', class: 'btn' }, 'Change password');
  const form = h('form', { novalidate: true, class: 'add-form' },
    h('div', { class: 'grid-2' },
      h('div', { class: 'field' }, h('label', { for: 'p-cur' }, 'Current password'), cur),
      h('div', { class: 'field' }, h('label', { for: 'p-new' }, 'New password (12 characters or more)'), pw)),
    msg, h('div', { class: 'actions' }, btn));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    if (!cur.value) { status(msg, 'error', 'Enter your current password.'); cur.focus(); return; }
    if (pw.value.length < 12) { status(msg, 'error', 'A password needs at least 12 characters.'); pw.focus(); return; }
    btn.disabled = true;
    status(msg, 'progress', 'Changing…');
    try {
      await api.patch(`/users/${session.me.user.id}`, { password: pw.value, current_password: cur.value });
      cur.value = ''; pw.value = '';
      status(msg, 'ok', 'Password changed. Your other sessions were signed out.');
    } catch (err) { status(msg, 'error', `Not changed: ${err.message}.`); }
    btn.disabled = false;
  });
  return h('section', { class: 'card', 'aria-labelledby': 'h-password' },
    h('h2', { id: 'h-password' }, 'Your password'), form);
}

function tokensCard(tokens) {
  const card = h('section', { class: 'card', 'aria-labelledby': 'h-tokens' });
  if (tokens === null) {
    add(card, h('h2', { id: 'h-tokens' }, 'API tokens'), h('p', { class: 'muted' }, 'Only owners create and revoke API tokens.'));
    return card;
  }
  const msg = h('p', { class: 'status', role: 'status' });
  const secretBox = h('div', { class: 'secret-box', hidden: true });
  const draw = list => {
    clear(card);
    const live = list.filter(t => !t.revoked_at);
    const name = h('input', { id: 't-name', type: 'text', placeholder: 'e.g. zapier, backup script', autocomplete: 'off', dir: 'auto' });
    const btn = h('button', { type: 'submit', class: 'btn' }, 'Create token');
    const form = h('form', { class: 'inline-form', novalidate: true },
      h('div', { class: 'field field-grow' }, h('label', { for: 't-name' }, 'Token name'), name), btn);
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      btn.disabled = true;
      status(msg, 'progress', 'Creating…');
      try {
        const t = await api.post('/tokens', name.value.trim() ? { name: name.value.trim() } : {});
        status(msg, null, '');
        draw((await api.get('/tokens')).items);
        showSecret(t);
      } catch (err) { btn.disabled = false; status(msg, 'error', `Not created: ${err.message}.`); }
    });
    add(card, h('h2', { id: 'h-tokens' }, 'API tokens'),
      h('p', { class: 'muted small' }, 'For scripts and integrations: send as “Authorization: Bearer …”. A token acts as you.'),
      secretBox,
      live.length ? h('ul', { class: 'member-list', 'aria-label': 'API tokens' }, live.map(t => {
        const rev = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Revoke token ${t.name}` }, 'Revoke');
        rev.addEventListener('click', async () => {
          if (!confirm(`Revoke “${t.name}”? Anything using it stops working.`)) return;
          rev.disabled = true;
          status(msg, 'progress', 'Revoking…');
          try { await api.del(`/tokens/${t.id}`); status(msg, 'ok', `Token “${t.name}” revoked.`); draw((await api.get('/tokens')).items); }
          catch (err) { rev.disabled = false; status(msg, 'error', `Not revoked: ${err.message}.`); }
        });
        return h('li', { class: 'member' }, h('div', null, h('p', { class: 'strong', dir: 'auto' }, t.name),
          h('p', { class: 'muted small' }, `Created ${fmtDateTime(t.created_at)} · ${t.last_used_at ? 'last used ' + fmtDateTime(t.last_used_at) : 'never used'}`)), rev);
      })) : h('p', { class: 'muted' }, 'No tokens yet. Create one to connect a script or another tool.'),
      form, msg);
  };
  function showSecret(t) {
    clear(secretBox);
    const input = h('input', { id: 't-secret', type: 'text', readonly: true, value: t.secret, class: 'mono', spellcheck: 'false' });
    const copy = h('button', { type: 'button', class: 'btn btn-small' }, 'Copy');
    copy.addEventListener('click', async () => {
      input.select();
      try { await navigator.clipboard.writeText(t.secret); copy.textContent = 'Copied'; }
      catch { copy.textContent = 'Press Ctrl+C to copy'; }
    });
    add(secretBox, h('p', { class: 'strong', role: 'alert' }, `Token “${t.name}” created. Copy it now: it will not be shown again.`),
      h('div', { class: 'inline-form' }, h('div', { class: 'field field-grow' }, h('label', { for: 't-secret' }, 'Secret'), input), copy));
    secretBox.hidden = false;
    input.focus();
    input.select();
  }
  draw(tokens);
  return card;
}

// Where alerts go besides this browser: ntfy topics, chat webhooks...
function notifyCard(targets) {
  const card = h('section', { class: 'card', 'aria-labelledby': 'h-notify', id: 'notifications' });
  const msg = h('p', { class: 'status', role: 'status' });
  const url = h('input', { id: 'n-url', type: 'url', inputmode: 'url', placeholder: 'https://ntfy.sh/your-topic', autocomplete: 'off', spellcheck: 'false' });
  const json = h('input', { id: 'n-json', type: 'checkbox' });
  const add1 = h('button', { type: 'submit', class: 'btn' }, 'Add URL');
  const test = h('button', { type: 'button', class: 'btn' }, 'Send a test');
  const listBox = h('div');
  const form = h('form', { class: 'add-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'n-url' }, 'Notification URL'), url,
      h('p', { class: 'hint' }, 'kith POSTs one line of text to it (as ntfy accepts), or a JSON object when you tick the box.')),
    h('label', { class: 'check' }, json, 'Send JSON'),
    h('div', { class: 'actions' }, add1));
  const draw = list => {
    clear(listBox);
    test.disabled = !list.length;
    if (!list.length) {
      add(listBox, h('p', { class: 'muted' }, 'No notification URLs yet. Alerts reach you here in the browser; add an ntfy topic or a chat webhook to get them on your phone too, with your morning digest.'));
      return;
    }
    add(listBox, h('ul', { class: 'member-list', 'aria-label': 'Notification URLs' }, list.map(t => {
      const rm = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Remove ${t.url}` }, 'Remove');
      rm.addEventListener('click', async () => {
        rm.disabled = true;
        status(msg, 'progress', 'Removing…');
        try { await api.del(`/notify/${t.id}`); status(msg, 'ok', `Removed ${t.url}.`); draw((await api.get('/notify')).items); url.focus(); }
        catch (err) { rm.disabled = false; status(msg, 'error', `Not removed: ${err.message}.`); }
      });
      return h('li', { class: 'member' }, h('div', { class: 'member-who' }, h('p', { class: 'mono small', dir: 'ltr' }, t.url),
        h('p', { class: 'muted small' }, (t.json ? 'JSON' : 'Plain text') + ' · added ' + fmtDateTime(t.created_at))), rm);
    })));
  };
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const v = url.value.trim();
    if (!/^https?:\/\/\S+$/i.test(v)) { status(msg, 'error', 'Enter a web address that starts with http:// or https://.'); url.focus(); return; }
    add1.disabled = true;
    status(msg, 'progress', 'Adding…');
    try {
      await api.post('/notify', { url: v, json: json.checked });
      status(msg, 'ok', `Alerts now also go to ${v}.`);
      url.value = ''; json.checked = false;
      draw((await api.get('/notify')).items);
    } catch (err) { status(msg, 'error', `Not added: ${err.message}.`); url.focus(); }
    finally { add1.disabled = false; }
  });
  test.addEventListener('click', async () => {
    test.disabled = true;
    status(msg, 'progress', 'Sending…');
    try { await api.post('/notify/test'); status(msg, 'ok', 'Test sent: your morning digest is on its way to every URL above.'); }
    catch (err) { status(msg, 'error', `Not sent: ${err.message}.`); }
    finally { test.disabled = false; }
  });
  add(card, h('h2', { id: 'h-notify' }, 'Notifications'),
    h('p', { class: 'muted small' }, 'Signals for your contacts and leads, held while you are in Do not disturb or a meeting, and a morning digest at the start of your working hours.'),
    listBox, h('div', { class: 'actions' }, test), msg, form);
  draw(targets);
  return card;
}

// A calendar export (.ics): meetings mark focus time; past meetings with
// contacts become touches to confirm on Today.
function calendarCard() {
  const card = h('section', { class: 'card', 'aria-labelledby': 'h-calendar', id: 'calendar' });
  add(card, h('h2', { id: 'h-calendar' }, 'Calendar'));
  if (!canWrite()) { add(card, h('p', { class: 'muted' }, 'Viewers cannot import meetings.')); return card; }
  const msg = h('p', { class: 'status', role: 'status' });
  const file = h('input', { id: 'c-ics', type: 'file', accept: '.ics,text/calendar' });
  file.addEventListener('change', async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    if (f.size > 8 * 1024 * 1024) { status(msg, 'error', 'That file is larger than 8 MB. Export a shorter range of your calendar.'); return; }
    file.disabled = true;
    status(msg, 'progress', `Importing ${f.name}…`);
    try {
      const r = await api.post('/meetings/import', { ics: await f.text() });
      const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
      status(msg, 'ok', `Imported ${plural(r.events, 'event', 'events')}, ${r.with_contacts} with contacts. ` +
        (r.suggested ? `${plural(r.suggested, 'past meeting is', 'past meetings are')} waiting on Today to be logged.` : 'No past meeting to log.'));
      loadFocus(); // a meeting under way holds alerts now
    } catch (err) {
      status(msg, 'error', `Not imported: ${err.message}.`);
    } finally { file.disabled = false; file.value = ''; }
  });
  add(card, h('p', { class: 'muted small' }, 'Meetings hold your alerts while they run; past meetings with your contacts become touches you confirm in one step on Today.'),
    h('div', { class: 'field' }, h('label', { for: 'c-ics' }, 'Import calendar (.ics)'), file,
      h('p', { class: 'hint' }, 'Export it from Google Calendar, Outlook or Apple Calendar. Recurring events are expanded.')),
    msg);
  return card;
}

// Your secret calendar feed: birthdays, anniversaries, promises and who
// is due today, for Google Calendar, Apple Calendar or Thunderbird to
// subscribe to. The URL is the only credential: Rotate replaces it.
function feedCard() {
  const card = h('section', { class: 'card', 'aria-labelledby': 'h-feed', id: 'feed' });
  const msg = h('p', { class: 'status', role: 'status' });
  const url = h('input', { id: 'feed-url', type: 'text', readonly: true, class: 'mono', spellcheck: 'false', dir: 'ltr', value: '' });
  const copy = h('button', { type: 'button', class: 'btn btn-small' }, 'Copy');
  const rotate = h('button', { type: 'button', class: 'btn btn-small btn-danger' }, 'Rotate');
  const show = r => { url.value = r.url; };
  copy.addEventListener('click', async () => {
    url.select();
    try { await navigator.clipboard.writeText(url.value); status(msg, 'ok', 'Copied.'); }
    catch { status(msg, null, 'Press Ctrl+C (or ⌘C) to copy the selected URL.'); }
  });
  rotate.addEventListener('click', async () => {
    if (!confirm('Make a new feed URL? Calendars subscribed to the old one stop updating: subscribe them again.')) return;
    rotate.disabled = true;
    status(msg, 'progress', 'Rotating…');
    try { show(await api.post('/feed/rotate')); status(msg, 'ok', 'New feed URL made; the old one no longer works.'); url.focus(); url.select(); }
    catch (err) { status(msg, 'error', `Not rotated: ${err.message}.`); }
    finally { rotate.disabled = false; }
  });
  api.get('/feed').then(show).catch(err => status(msg, 'error', `No feed URL: ${err.message}.`));
  add(card, h('h2', { id: 'h-feed' }, 'Calendar feed'),
    h('p', { class: 'muted small' }, 'Subscribe to it in Google Calendar (Other calendars › From URL), Apple Calendar or Thunderbird: birthdays, anniversaries, promises with a due date, and each morning who is due today. Keep it secret: anyone with the URL can read it.'),
    h('div', { class: 'inline-form' }, h('div', { class: 'field field-grow' }, h('label', { for: 'feed-url' }, 'Feed URL'), url), copy, rotate),
    msg);
  return card;
}

// The phone's address book over CardDAV: the URL and user name to paste
// into iOS/macOS Contacts, DAVx5, Thunderbird or vdirsyncer. The password
// is the member's own, or an API token made below.
function carddavCard() {
  const card = h('section', { class: 'card', 'aria-labelledby': 'h-carddav', id: 'carddav' });
  const msg = h('p', { class: 'status', role: 'status' });
  const url = h('input', { id: 'dav-url', type: 'text', readonly: true, class: 'mono', spellcheck: 'false', dir: 'ltr', value: '' });
  const user = h('input', { id: 'dav-user', type: 'text', readonly: true, class: 'mono', spellcheck: 'false', dir: 'ltr', value: '' });
  const book = h('input', { id: 'dav-book', type: 'text', readonly: true, class: 'mono', spellcheck: 'false', dir: 'ltr', value: '' });
  const copy = h('button', { type: 'button', class: 'btn btn-small' }, 'Copy');
  copy.addEventListener('click', async () => {
    url.select();
    try { await navigator.clipboard.writeText(url.value); status(msg, 'ok', 'Copied.'); }
    catch { status(msg, null, 'Press Ctrl+C (or ⌘C) to copy the selected URL.'); }
  });
  api.get('/carddav').then(r => { url.value = r.url; user.value = r.username; book.value = r.addressbook; })
    .catch(err => status(msg, 'error', `No CardDAV URL: ${err.message}.`));
  add(card, h('h2', { id: 'h-carddav' }, 'Phone and address book (CardDAV)'),
    h('p', { class: 'muted small' }, 'Your contacts on your phone and back, both ways. iPhone: Settings › Contacts › Accounts › Add Account › Other › Add CardDAV Account. Android: DAVx5. Thunderbird: Address Book › New CardDAV Address Book. The password is your kith password, or an API token made below.'),
    h('div', { class: 'inline-form' }, h('div', { class: 'field field-grow' }, h('label', { for: 'dav-url' }, 'Server URL'), url), copy),
    h('div', { class: 'field' }, h('label', { for: 'dav-user' }, 'User name'), user),
    h('div', { class: 'field' }, h('label', { for: 'dav-book' }, 'Address book URL (for vdirsyncer, or a client that does not discover it)'), book),
    msg);
  return card;
}

// Mailboxes kith reads (headers only) so email becomes touches and
// signals. Owners add them; the password goes in once and never comes back.
function mailboxCard() {
  const card = h('section', { class: 'card', 'aria-labelledby': 'h-mail', id: 'mailboxes' });
  add(card, h('h2', { id: 'h-mail' }, 'Email'));
  if (!isOwner()) { add(card, h('p', { class: 'muted' }, 'Only owners add mailboxes.')); return card; }
  const msg = h('p', { class: 'status', role: 'status' });
  const url = h('input', { id: 'm-url', type: 'text', placeholder: 'imaps://ana@mail.example.com/INBOX', autocomplete: 'off', spellcheck: 'false', dir: 'ltr' });
  const pass = h('input', { id: 'm-pass', type: 'password', autocomplete: 'new-password' });
  const addr = h('input', { id: 'm-addr', type: 'email', placeholder: 'ana@example.com', autocomplete: 'off', dir: 'ltr' });
  const add1 = h('button', { type: 'submit', class: 'btn' }, 'Add mailbox');
  const listBox = h('div');
  const form = h('form', { class: 'add-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'm-url' }, 'Mailbox URL'), url,
      h('p', { class: 'hint' }, 'imaps:// (or imap:// with STARTTLS), your user name, the server and the folder. Add Sent as a second mailbox: mail you sent answers what it replies to.')),
    h('div', { class: 'field' }, h('label', { for: 'm-pass' }, 'Password (an app password where your provider has them)'), pass,
      h('p', { class: 'hint' }, 'Leave it empty for another folder of an account added here: it takes that one’s password.')),
    h('div', { class: 'field' }, h('label', { for: 'm-addr' }, 'Your address in it (optional)'), addr),
    h('div', { class: 'actions' }, add1));
  const state = m => m.last_error ? `Last sync failed: ${m.last_error}` :
    m.last_sync ? `Synced ${fmtDateTime(m.last_sync)} · ${m.messages} messages read` : 'Not synced yet: the server syncs within a few minutes.';
  const draw = list => {
    clear(listBox);
    if (!list.length) {
      add(listBox, h('p', { class: 'muted' }, 'No mailboxes yet. kith reads only the headers of your mail: who, when and the subject, never the body. Emails with your contacts become touches, and an unanswered one from a client waits on Today.'));
      return;
    }
    add(listBox, h('ul', { class: 'member-list', 'aria-label': 'Mailboxes' }, list.map(m => {
      const rm = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Remove ${m.url}` }, 'Remove');
      rm.addEventListener('click', async () => {
        rm.disabled = true;
        status(msg, 'progress', 'Removing…');
        try { await api.del(`/mailboxes/${m.id}`); status(msg, 'ok', `Removed ${m.url}.`); draw((await api.get('/mailboxes')).items); url.focus(); }
        catch (err) { rm.disabled = false; status(msg, 'error', `Not removed: ${err.message}.`); }
      });
      return h('li', { class: 'member' }, h('div', { class: 'member-who' }, h('p', { class: 'mono small', dir: 'ltr' }, m.url),
        h('p', { class: 'muted small mailbox-state' + (m.last_error ? ' is-error' : '') }, state(m))), rm);
    })));
  };
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const v = url.value.trim();
    if (!/^imaps?:\/\/\S+$/i.test(v)) { status(msg, 'error', 'Enter a mailbox URL that starts with imaps:// or imap://.'); url.focus(); return; }
    add1.disabled = true;
    status(msg, 'progress', 'Adding…');
    try {
      // No password: the server takes it from another folder of the
      // account, or answers 422 asking for it.
      const body = { url: v };
      if (pass.value) body.password = pass.value;
      if (addr.value.trim()) body.address = addr.value.trim();
      await api.post('/mailboxes', body);
      status(msg, 'ok', `Added ${v}. The server reads its new mail every few minutes.`);
      url.value = ''; pass.value = ''; addr.value = '';
      draw((await api.get('/mailboxes')).items);
    } catch (err) { status(msg, 'error', `Not added: ${err.message}.`); url.focus(); }
    finally { add1.disabled = false; }
  });
  add(card, listBox, msg, form);
  api.get('/mailboxes').then(r => draw(r.items)).catch(err => status(msg, 'error', `Mailboxes not read: ${err.message}.`));
  return card;
}

// Contacts from a file: a vCard (.vcf) or a CSV export of Google,
// Outlook, Apple or LinkedIn. Sent once with dry_run for the preview,
// then again to import.
function importCard() {
  const card = h('section', { class: 'card', 'aria-labelledby': 'h-import', id: 'import' });
  add(card, h('h2', { id: 'h-import' }, 'Import contacts'));
  if (!isOwner()) { add(card, h('p', { class: 'muted' }, 'Only owners import contacts.')); return card; }
  const msg = h('p', { class: 'status', role: 'status' });
  const file = h('input', { id: 'imp-file', type: 'file', accept: '.vcf,.vcard,.csv,text/vcard,text/csv' });
  const drop = h('div', { class: 'drop-zone', tabindex: '-1' },
    h('p', null, 'Drop a .vcf or .csv file here, or choose one.'),
    h('div', { class: 'field' }, h('label', { for: 'imp-file' }, 'Contacts file (.vcf, .csv)'), file));
  const preview = h('button', { type: 'button', class: 'btn', disabled: true }, 'Preview');
  const doImport = h('button', { type: 'button', class: 'btn btn-primary', disabled: true }, 'Import');
  const report = h('div', { class: 'import-report', 'aria-live': 'polite' });
  let chosen = null;
  const typeOf = f => /\.csv$/i.test(f.name) || f.type === 'text/csv' ? 'text/csv' : 'text/vcard';
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const drawReport = (r, done) => {
    clear(report);
    const counts = `${r.created} created, ${r.merged} merged, ${r.unchanged} unchanged, ${r.skipped} skipped`;
    add(report,
      h('p', { class: 'strong' }, (done ? 'Imported: ' : 'Preview: ') + counts + '.'),
      r.profile ? h('p', { class: 'muted small' }, `Read as a ${r.profile} export.`) : null,
      r.unknown_columns && r.unknown_columns.length ? h('p', { class: 'muted small' }, 'Columns kith does not know (kept on each card): ' + r.unknown_columns.join(', ')) : null,
      r.items && r.items.length ? h('ul', { class: 'member-list import-items', 'aria-label': done ? 'Imported contacts' : 'Import preview' }, r.items.map(it =>
        h('li', { class: 'member' }, h('div', { class: 'member-who' },
          h('p', { class: 'strong' }, h('bdi', null, it.name || '(no name)'), ' ', h('span', { class: 'tag' }, it.action)),
          h('p', { class: 'muted small' }, [it.line ? `line ${it.line}` : null, it.matched_by ? `matched by ${it.matched_by}` : null, it.reason].filter(Boolean).join(' · ')))))) : null);
  };
  const send = async dry => {
    const text = await chosen.text();
    return api.postRaw('/import', text, typeOf(chosen), dry ? { dry_run: 1, skip_bad: 1 } : { skip_bad: 1 });
  };
  const choose = f => {
    chosen = f || null;
    clear(report);
    doImport.disabled = true;
    preview.disabled = !chosen;
    if (chosen) status(msg, null, `${chosen.name} (${typeOf(chosen) === 'text/csv' ? 'CSV' : 'vCard'}) chosen. Preview it first.`);
  };
  file.addEventListener('change', () => choose(file.files && file.files[0]));
  drop.addEventListener('dragover', ev => { ev.preventDefault(); drop.classList.add('is-over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('is-over'));
  drop.addEventListener('drop', ev => {
    ev.preventDefault();
    drop.classList.remove('is-over');
    const f = ev.dataTransfer && ev.dataTransfer.files && ev.dataTransfer.files[0];
    if (f) choose(f);
  });
  preview.addEventListener('click', async () => {
    if (!chosen) return;
    preview.disabled = true;
    status(msg, 'progress', `Reading ${chosen.name}…`);
    try {
      const r = await send(true);
      drawReport(r, false);
      status(msg, 'ok', `Nothing written yet: ${plural(r.created + r.merged, 'contact', 'contacts')} would change. Import to apply.`);
      doImport.disabled = false;
    } catch (err) { status(msg, 'error', `Cannot import ${chosen.name}: ${err.message}.`); }
    finally { preview.disabled = false; }
  });
  doImport.addEventListener('click', async () => {
    if (!chosen) return;
    doImport.disabled = preview.disabled = true;
    status(msg, 'progress', `Importing ${chosen.name}…`);
    try {
      const r = await send(false);
      drawReport(r, true);
      status(msg, 'ok', `Imported ${chosen.name}.`);
      toast(`Imported ${plural(r.created, 'new contact', 'new contacts')} and merged ${r.merged}.`);
    } catch (err) { status(msg, 'error', `Not imported: ${err.message}.`); doImport.disabled = false; }
    finally { preview.disabled = false; }
  });
  add(card, h('p', { class: 'muted small' }, 'From your phone, Google Contacts, Outlook, Apple Contacts, Thunderbird or LinkedIn. A contact already in kith (same UID, email or phone) is merged, not doubled; importing the same file twice changes nothing.'),
    drop, h('div', { class: 'actions' }, preview, doImport), msg, report);
  return card;
}
