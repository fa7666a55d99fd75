// api.js: the only way the app talks to kith: the public JSON API.
// Keeps the CSRF token, sends it on every write, and turns errors into
// ApiError objects whose message is fit to show a person.

let csrf = '';

export function setCsrf(token) { csrf = token || ''; }

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `the server answered ${status}`);
    this.status = status;
    this.code = e.code || 'http_' + status;
    this.field = e.field || null;
  }
}

// request(method, path, {body, etag, query}) -> {data, etag, status}
export async function request(method, path, opts = {}) {
  let url = '/api/v1' + path;
  if (opts.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query))
      if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, v === true ? 'true' : v);
    const s = q.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (opts.etag) headers['If-Match'] = opts.etag;
  let body;
  if (opts.raw !== undefined) {
    headers['Content-Type'] = opts.type;
    body = opts.raw;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res;
  try {
    res = await fetch(url, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, { error: { code: 'network', message: 'Could not reach the kith server. Check your connection and try again.' } });
  }
  let data = null;
  const text = res.status === 204 ? '' : await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && path !== '/session' && onUnauthorized) onUnauthorized();
    throw err;
  }
  return { data, etag: res.headers.get('ETag'), status: res.status };
}

let onUnauthorized = null;
export function whenSignedOut(fn) { onUnauthorized = fn; }

export const get = (path, query) => request('GET', path, { query }).then(r => r.data);
export const getWithEtag = (path, query) => request('GET', path, { query });
export const post = (path, body) => request('POST', path, { body: body || {} }).then(r => r.data);
export const patch = (path, body, etag) => request('PATCH', path, { body, etag });
// A file sent as it is (a vCard or CSV import): text and its media type.
export const postRaw = (path, text, type, query) => request('POST', path, { raw: text, type, query }).then(r => r.data);
export const put = (path, body) => request('PUT', path, { body }).then(r => r.data);
export const del = (path, etag) => request('DELETE', path, { etag });
