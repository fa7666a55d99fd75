// shell.js: what every page shares: the session, roles, the title, focus,
// toasts and navigation. Pages import this; only app.js imports pages, so
// the modules form a tree rather than a circle.
import { h, add } from './dom.js';

export const session = { me: null };

export const role = () => (session.me ? session.me.user.role : 'viewer');
export const canWrite = () => role() !== 'viewer';
export const isOwner = () => role() === 'owner';
export const signedIn = () => !!session.me;

export function setTitle(t) { document.title = t ? `${t} · kith` : 'kith'; }

// Pages call this when ready: focus the heading so screen readers and
// keyboard users start at the top of the new page.
export function focusHeading(root) {
  const h1 = (root || document.getElementById('main')).querySelector('h1');
  if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
}

export function toast(text, kind = 'ok') {
  const box = document.getElementById('toasts');
  const t = h('div', { class: 'toast toast-' + kind }, text);
  add(box, t);
  setTimeout(() => t.remove(), 5000);
}

// Change the address and let the router (app.js, listening to popstate)
// draw the page: the same path a Back button takes.
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}
