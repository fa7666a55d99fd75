// live.js: what happens while the app is open: the live signal stream
// (Server-Sent Events on /api/v1/events) shown as polite toasts, and the
// "Do not disturb" switch in the top bar (GET/PUT /api/v1/me/focus).
import * as api from './api.js';
import { h, add, clear, myZone } from './dom.js';
import { signedIn } from './shell.js';

let es = null;
let retryTimer = null;
let failures = 0;
const listeners = new Set();

// Pages that show signals (the agenda, the Signals page) subscribe here;
// fn(kind, data) returns false, or the page is gone, to stop listening.
export function onLive(fn) { listeners.add(fn); return () => listeners.delete(fn); }

function tell(kind, data) {
  for (const fn of [...listeners]) {
    try { if (fn(kind, data) === false) listeners.delete(fn); } catch { listeners.delete(fn); }
  }
}

export function startLive() {
  if (es || typeof EventSource !== 'function') return;
  const src = new EventSource('/api/v1/events', { withCredentials: true });
  es = src;
  es.addEventListener('signal', ev => {
    const s = parse(ev.data);
    if (!s) return;
    signalToast(s);
    tell('signal', s);
  });
  es.addEventListener('digest', ev => {
    const d = parse(ev.data);
    if (!d || !Array.isArray(d.signals) || !d.signals.length) return;
    digestToast(d.signals);
    tell('digest', d);
  });
  es.addEventListener('open', () => { failures = 0; });
  es.addEventListener('error', () => {
    // The browser retries by itself (resuming with Last-Event-ID) unless
    // the server refused the stream; then EventSource has stopped for
    // good and does not say why. Ask /me: a 401 there signs the page
    // out (api.js whenSignedOut), and signing in again starts a fresh
    // stream from render(); retrying a refused stream would only be
    // refused again. Anything else (a restart, too many streams): try
    // again later, waiting longer each time.
    if (es !== src || src.readyState !== EventSource.CLOSED) return;
    src.close();
    es = null;
    clearTimeout(retryTimer);
    const wait = Math.min(300000, 5000 * 2 ** Math.min(failures++, 6));
    const later = () => { retryTimer = setTimeout(() => { if (signedIn()) startLive(); }, wait); };
    api.get('/me').then(later, err => { if (err.status !== 401) later(); });
  });
}

export function stopLive() {
  clearTimeout(retryTimer);
  if (es) { es.close(); es = null; }
  stopFocus();
  for (const t of document.querySelectorAll('#toasts .toast-live')) t.remove();
}


function parse(s) { try { return JSON.parse(s); } catch { return null; } }

// ---- words for a signal ----

export const SIGNAL_TYPE = {
  website_visit: 'Website visit', mention: 'Mention', inbound_email: 'Email', missed_call: 'Missed call', form: 'Form',
};

export function signalWho(s) {
  return (s.contact && s.contact.name) || s.name || s.email || s.handle || 'Someone';
}

export function signalWhat(s) {
  const path = urlPath(s.url);
  switch (s.type) {
    case 'website_visit': return path ? `visited ${path}` : 'visited your website';
    case 'mention': return s.url ? `mentioned you at ${hostOf(s.url)}` : 'mentioned you';
    case 'inbound_email': return 'sent an email';
    case 'missed_call': return 'called and missed you';
    case 'form': return path ? `sent a form from ${path}` : 'sent a form';
    default: return 'got in touch';
  }
}

function urlPath(u) {
  if (!u) return '';
  try { const x = new URL(u); return x.pathname + (x.search || ''); } catch { return u; }
}
function hostOf(u) { try { return new URL(u).host; } catch { return u; } }

// ---- toasts with a next step, kept until read ----

function liveToast(title, body, actions) {
  const box = document.getElementById('toasts');
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, '×');
  const t = h('div', { class: 'toast toast-live' },
    h('div', { class: 'toast-body' }, h('p', { class: 'toast-title', dir: 'auto' }, title), body ? h('p', { class: 'toast-text', dir: 'auto' }, body) : null,
      actions && actions.length ? h('p', { class: 'toast-actions' }, actions) : null),
    close);
  let timer = null;
  const arm = () => { clearTimeout(timer); timer = setTimeout(() => { if (!t.contains(document.activeElement) && !t.matches(':hover')) t.remove(); else arm(); }, 30000); };
  close.addEventListener('click', () => t.remove());
  t.addEventListener('click', ev => { if (ev.target.closest('a')) setTimeout(() => t.remove(), 0); });
  t.addEventListener('keydown', ev => { if (ev.key === 'Escape') t.remove(); });
  // At most three at once: the oldest goes.
  const live = box.querySelectorAll('.toast-live');
  if (live.length >= 3) live[0].remove();
  add(box, t);
  arm();
  return t;
}

function signalToast(s) {
  const who = signalWho(s), what = signalWhat(s);
  const actions = s.contact
    ? [h('a', { href: `/contacts/${s.contact.id}/brief`, class: 'toast-link' }, 'Brief'), h('a', { href: '/signals', class: 'toast-link' }, 'All signals')]
    : [h('a', { href: `/signals#signal-${s.id}`, class: 'toast-link' }, 'Attach or add')];
  liveToast(`${who} ${what}`, s.contact ? null : `A new lead (${SIGNAL_TYPE[s.type] || 'signal'}): not matched to a contact yet.`, actions);
}

function digestToast(list) {
  const n = list.length;
  const first = list[0];
  const title = n === 1 ? 'While you were focused: 1 signal' : `While you were focused: ${n} signals`;
  const lines = list.slice(0, 3).map(s => `${signalWho(s)} ${signalWhat(s)}`).join('; ') + (n > 3 ? `; and ${n - 3} more` : '');
  const actions = [h('a', { href: '/signals', class: 'toast-link' }, 'Open signals')];
  if (first && first.contact) actions.unshift(h('a', { href: `/contacts/${first.contact.id}/brief`, class: 'toast-link' }, 'Brief: ', h('bdi', null, first.contact.name)));
  liveToast(title, lines, actions);
}

// ---- Do not disturb ----

const DURATIONS = [['30', '30 min'], ['60', '1 h'], ['90', '90 min'], ['120', '2 h'], ['720', 'Until I turn it off']];
let focusTimer = null, focusPoll = null, focusState = { focused: false, until: null, reason: null };
let busy = false;

const el = id => document.getElementById(id);

export function clockTime(iso) {
  return new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZone: myZone() }).format(new Date(iso));
}

function drawFocus(f, note) {
  focusState = f;
  const sw = el('dnd-switch'), sel = el('dnd-for'), state = el('dnd-state');
  if (!sw) return;
  sw.setAttribute('aria-checked', f.focused ? 'true' : 'false');
  let text = '';
  if (f.focused && f.until) {
    const far = new Date(f.until).getTime() - Date.now() > 6 * 3600000;
    if (f.reason === 'meeting') text = `In a meeting until ${clockTime(f.until)}`;
    else text = far ? 'until you turn it off' : `until ${clockTime(f.until)}`;
  }
  state.textContent = note || text;
  sel.hidden = !(f.focused && f.reason === 'do_not_disturb');
  el('dnd').classList.toggle('is-on', !!f.focused);
  el('dnd').classList.toggle('is-meeting', f.reason === 'meeting');
  clearTimeout(focusTimer);
  if (f.focused && f.until) {
    const ms = new Date(f.until).getTime() - Date.now() + 1500;
    if (ms > 0 && ms < 2 ** 31 - 1) focusTimer = setTimeout(loadFocus, ms);
  }
}

export function focusNow() { return focusState; }

export async function loadFocus() {
  try { drawFocus(await api.get('/me/focus')); } catch { /* keep what is shown */ }
}

async function setFocus(minutes) {
  if (busy) return;
  busy = true;
  const sw = el('dnd-switch');
  sw.setAttribute('aria-busy', 'true');
  const on = minutes !== null;
  el('dnd-state').textContent = on ? 'Turning on…' : 'Turning off…';
  try {
    const until = on ? new Date(Date.now() + minutes * 60000).toISOString().replace(/\.\d+Z$/, 'Z') : null;
    const f = await api.put('/me/focus', { until });
    drawFocus(f);
    if (!on && f.focused && f.reason === 'meeting') toastNote(`Alerts stay held: you are in a meeting until ${clockTime(f.until)}.`);
  } catch (err) {
    drawFocus(focusState);
    toastNote(`Could not turn Do not disturb ${on ? 'on' : 'off'}: ${err.message}.`, 'error');
  } finally {
    busy = false;
    sw.removeAttribute('aria-busy');
  }
}

function toastNote(text, kind = 'ok') {
  const box = document.getElementById('toasts');
  const t = h('div', { class: 'toast toast-' + kind }, text);
  add(box, t);
  setTimeout(() => t.remove(), 6000);
}

let wired = false;
export function startFocus() {
  const sw = el('dnd-switch'), sel = el('dnd-for');
  if (!sw) return;
  if (!wired) {
    wired = true;
    clear(sel);
    for (const [v, label] of DURATIONS) add(sel, h('option', { value: v, selected: v === '90' }, label));
    sw.addEventListener('click', () => {
      const on = sw.getAttribute('aria-checked') === 'true';
      // In a meeting, the switch only holds or releases your own focus.
      if (on && focusState.reason === 'meeting') { toastNote(`Alerts are held by a meeting until ${clockTime(focusState.until)}.`); return; }
      setFocus(on ? null : Number(sel.value || 90));
    });
    sel.addEventListener('change', () => setFocus(Number(sel.value)));
    document.addEventListener('visibilitychange', () => { if (!document.hidden && signedIn()) loadFocus(); });
  }
  sel.value = '90';
  loadFocus();
  clearInterval(focusPoll);
  focusPoll = setInterval(loadFocus, 60000);
}

function stopFocus() {
  clearTimeout(focusTimer);
  clearInterval(focusPoll);
  focusState = { focused: false, until: null, reason: null };
  const sw = el('dnd-switch');
  if (sw) drawFocus(focusState);
}
