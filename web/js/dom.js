// dom.js: a tiny element builder and the formatting every page shares.

// h('div', {class: 'x', onclick: fn, 'aria-label': 'y'}, child, [children], 'text')
export function h(tag, attrs, ...kids) {
  const el = document.createElementNS(tag.startsWith('svg:') ? 'http://www.w3.org/2000/svg' : 'http://www.w3.org/1999/xhtml',
    tag.replace(/^svg:/, ''));
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.setAttribute('class', v);
      else if (k === 'text') el.textContent = v;
      else if (k === 'value' && 'value' in el) el.value = v;
      else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, kids);
  return el;
}

// Append children, skipping null/false and flattening arrays.
export function add(el, ...kids) { append(el, kids); return el; }

function append(el, kids) {
  for (const k of kids) {
    if (k === null || k === undefined || k === false) continue;
    if (Array.isArray(k)) append(el, k);
    else if (k instanceof Node) el.appendChild(k);
    else el.appendChild(document.createTextNode(String(k)));
  }
}

export const svg = (tag, attrs, ...kids) => h('svg:' + tag, attrs, ...kids);

// User-entered text: the browser picks its direction (Arabic, Hebrew...).
export const ut = (text, tag = 'span', cls) => h(tag, { dir: 'auto', class: cls }, text ?? '');

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

export const CHANNELS = [
  ['in_person', 'In person'], ['video', 'Video'], ['call', 'Call'], ['letter', 'Letter'],
  ['gift', 'Gift'], ['text', 'Text'], ['email', 'Email'], ['social', 'Social'],
];
export const channelName = c => (CHANNELS.find(x => x[0] === c) || [c, c])[1];
export const HUMAN = new Set(['in_person', 'video', 'call', 'letter', 'gift']);

// The zone the user lives in: their profile's, else the browser's.
let userZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
let work = { start: '09:00', end: '18:00', tz: '' };
export function setZones(me) {
  if (me && me.user && me.user.tz) userZone = me.user.tz;
  else userZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  if (me && me.workspace) work = { start: me.workspace.work_start, end: me.workspace.work_end, tz: me.workspace.tz };
}
export const myZone = () => userZone;
export const workHours = () => work;

function validZone(tz) {
  if (!tz) return false;
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; }
}

export function fmtDateTime(iso, tz = userZone, opts = {}) {
  if (!iso) return '';
  const d = new Date(iso);
  const o = { dateStyle: 'medium', timeStyle: 'short', ...opts };
  try { return new Intl.DateTimeFormat(undefined, { ...o, timeZone: validZone(tz) ? tz : undefined }).format(d); }
  catch { return d.toLocaleString(); }
}
export function fmtDate(iso, tz) { return fmtDateTime(iso, tz, { dateStyle: 'medium', timeStyle: undefined }); }
export function fmtDay(ymd) {
  if (!ymd) return '';
  const [y, m, d] = ymd.split('-').map(Number);
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}
const shortZone = tz => (tz || '').split('/').pop().replace(/_/g, ' ');

// A time as the user sees it, plus the contact's clock when their zone differs.
export function bothZones(iso, contactTz) {
  const mine = fmtDateTime(iso);
  if (!contactTz || !validZone(contactTz) || sameOffset(iso, contactTz)) return mine;
  const theirs = fmtDateTime(iso, contactTz, { dateStyle: undefined, timeStyle: undefined, weekday: 'short', hour: 'numeric', minute: '2-digit' });
  return `${mine} (${theirs} ${shortZone(contactTz)})`;
}
function sameOffset(iso, tz) {
  const d = new Date(iso || Date.now());
  const f = z => new Intl.DateTimeFormat('en', { timeZone: z, hour: '2-digit', minute: '2-digit', day: '2-digit', hourCycle: 'h23' }).format(d);
  try { return f(tz) === f(userZone); } catch { return true; }
}

// Their clock now and whether it is inside the workspace's working hours
// (Monday to Friday, the same rule as the brief).
export function theirClock(tz) {
  const zone = validZone(tz) ? tz : (validZone(work.tz) ? work.tz : userZone);
  const now = new Date();
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(now).map(p => [p.type, p.value]));
  const mins = Number(parts.hour) * 60 + Number(parts.minute);
  const toMin = s => { const [a, b] = (s || '0:0').split(':').map(Number); return a * 60 + b; };
  const weekday = !['Sat', 'Sun'].includes(parts.weekday);
  const inHours = weekday && mins >= toMin(work.start) && mins < toMin(work.end);
  const time = new Intl.DateTimeFormat(undefined, { timeZone: zone, weekday: 'short', hour: 'numeric', minute: '2-digit' }).format(now);
  return { time, inHours, zone, differs: !sameOffset(null, zone), place: shortZone(zone) };
}

export function ago(iso) {
  if (!iso) return 'never';
  const days = Math.floor((Date.now() - new Date(iso).getTime()) / 86400000);
  if (days < 0) return 'upcoming';
  if (days === 0) return 'today';
  if (days === 1) return 'yesterday';
  if (days < 60) return `${days} days ago`;
  if (days < 730) return `${Math.round(days / 30.4)} months ago`;
  return `${Math.round(days / 365.25)} years ago`;
}

export const money = v => v == null ? '—' : new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }).format(v);
export const initials = name => {
  const parts = (name || '?').replace(/\(.*\)/, '').trim().split(/\s+/);
  return ([...(parts[0] || '?')][0] + (parts.length > 1 ? [...parts[parts.length - 1]][0] : '')).toUpperCase();
};

// A datetime-local value (user's browser clock) for now.
export function localInputNow() {
  const d = new Date();
  d.setSeconds(0, 0);
  const off = d.getTimezoneOffset();
  return new Date(d.getTime() - off * 60000).toISOString().slice(0, 16);
}

// Status line: role=status for progress/success, role=alert for errors.
export function status(el, kind, text) {
  clear(el);
  el.className = 'status' + (kind ? ' status-' + kind : '');
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  if (text) el.textContent = text;
}

export function emptyState(title, body, action) {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), body ? h('p', null, body) : null, action || null);
}

// A name inside a sentence of plain text (a toast, a title, a label):
// isolated with U+2068 FSI … U+2069 PDI, so a right-to-left name does
// not carry the words and punctuation after it (“Added عمر حداد.”).
// In markup, use dir="auto" or <bdi> instead.
export function bidi(name) { return '\u2068' + (name == null ? '' : String(name)) + '\u2069'; }
