// app.js: the router and the sign-in page. What pages share is in shell.js.
import * as api from './api.js';
import { h, add, clear, status, setZones } from './dom.js';
import { todayPage } from './today.js';
import { contactsPage, newContactPage } from './contacts.js';
import { contactPage } from './contact.js';
import { briefPage } from './brief.js';
import { reportsPage } from './reports.js';
import { settingsPage } from './settings.js';
import { signalsPage } from './signals.js';
import { startLive, stopLive, startFocus } from './live.js';
import { session, setTitle, focusHeading, navigate } from './shell.js';

const main = () => document.getElementById('main');

const routes = [
  [/^\/$/, 'today', todayPage],
  [/^\/contacts\/?$/, 'contacts', contactsPage],
  [/^\/contacts\/new$/, 'contacts', newContactPage],
  [/^\/contacts\/(\d+)\/brief$/, 'contacts', briefPage],
  [/^\/contacts\/(\d+)$/, 'contacts', contactPage],
  [/^\/signals\/?$/, 'signals', signalsPage],
  [/^\/reports\/?$/, 'reports', reportsPage],
  [/^\/settings\/?$/, 'settings', settingsPage],
];

let renderSeq = 0;

async function render() {
  const seq = ++renderSeq;
  const path = location.pathname;
  const root = main();
  if (!session.me) {
    stopLive();
    document.getElementById('topbar').hidden = true;
    signInPage(root);
    return;
  }
  document.getElementById('topbar').hidden = false;
  startLive();
  document.getElementById('workspace-name').textContent = session.me.workspace.name;
  let found = null, m = null;
  for (const r of routes) { m = path.match(r[0]); if (m) { found = r; break; } }
  for (const a of document.querySelectorAll('.nav a')) {
    if (found && a.dataset.nav === found[1]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  clear(root);
  if (!found) {
    setTitle('Not found');
    add(root, h('section', { class: 'page' }, h('h1', null, 'Page not found'),
      h('p', null, 'There is nothing at this address. ', h('a', { href: '/', 'data-link': '' }, 'Go to Today'), '.')));
    return;
  }
  add(root, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  try {
    const page = await found[2](m.slice(1), { isCurrent: () => seq === renderSeq });
    if (seq !== renderSeq) return;
    add(clear(root), page);
    focusHeading(root);
  } catch (err) {
    if (seq !== renderSeq) return;
    if (err.status === 401) return;
    add(clear(root), h('section', { class: 'page' }, h('h1', null, err.status === 404 ? 'Not found' : 'Something went wrong'),
      h('p', { role: 'alert', class: 'status status-error' }, err.status === 404 ? 'This contact or page does not exist (it may have been deleted or merged).' : `Could not load this page: ${err.message}.`),
      h('p', null, h('a', { href: '/', 'data-link': '' }, 'Back to Today'))));
  }
}

function signInPage(root) {
  setTitle('Sign in');
  const msg = h('p', { class: 'status', role: 'status', id: 'signin-status' });
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true, autocapitalize: 'off', spellcheck: 'false' });
  const pw = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');
  const form = h('form', { class: 'signin-form', novalidate: true, 'aria-describedby': 'signin-status' },
    h('div', { class: 'field' }, h('label', { for: 'email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), pw),
    msg, btn);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    if (!email.value.trim() || !pw.value) {
      status(msg, 'error', 'Enter your email and password.');
      (email.value.trim() ? pw : email).focus();
      return;
    }
    btn.disabled = true;
    status(msg, 'progress', 'Signing in…');
    try {
      const r = await api.post('/session', { email: email.value.trim(), password: pw.value });
      api.setCsrf(r.csrf_token);
      await loadMe();
      const next = location.pathname === '/signin' ? '/' : location.pathname;
      navigate(next, { replace: true });
    } catch (err) {
      btn.disabled = false;
      if (err.status === 401) status(msg, 'error', 'That email and password do not match an account. Check both and try again.');
      else if (err.status === 429) status(msg, 'error', 'Too many failed attempts. ' + err.message.replace(/^too/, 'Too') + '.');
      else status(msg, 'error', `Could not sign in: ${err.message}.`);
      pw.select();
      pw.focus();
    }
  });
  add(clear(root), h('section', { class: 'signin' },
    h('div', { class: 'signin-card' },
      h('div', { class: 'signin-brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'k'), h('span', { class: 'brand-name' }, 'kith')),
      h('h1', null, 'Sign in'),
      h('p', { class: 'muted' }, 'Who to reach today, and what to remember when you do.'),
      form)));
  email.focus();
}

async function loadMe() {
  try {
    const me = await api.get('/me');
    session.me = me;
    api.setCsrf(me.csrf_token);
    setZones(me);
    startFocus();
  } catch (err) {
    session.me = null;
    if (err.status !== 401) throw err;
  }
}

function start() {
  api.whenSignedOut(() => {
    if (!session.me) return;
    session.me = null;
    stopLive();
    render();
  });
  document.addEventListener('click', ev => {
    const a = ev.target.closest('a[href]');
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/') || a.target || a.hasAttribute('download')) return;
    if (url.hash && url.pathname === location.pathname) return;
    ev.preventDefault();
    navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', render);
  document.getElementById('sign-out').addEventListener('click', async ev => {
    ev.target.disabled = true;
    stopLive();
    try { await api.del('/session'); } catch { /* signed out either way */ }
    ev.target.disabled = false;
    session.me = null;
    navigate('/', { replace: true });
  });
  loadMe().then(render, err => {
    clear(main()).append(h('section', { class: 'page' }, h('h1', null, 'kith is unreachable'),
      h('p', { role: 'alert', class: 'status status-error' }, `Could not reach the server: ${err.message}. Reload to try again.`)));
  });
}

start();
