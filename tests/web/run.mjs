#!/usr/bin/env node
// Browser tests for the kith web app: a real `kith serve` on loopback, a
// temp database seeded with the demo book, Debian's chromium driven by
// playwright-core, axe-core on every page, screenshots at phone and desk
// widths in build/screenshots/. Speaks TAP; exits non-zero on failure.
//
//   KITH=build/kith node tests/web/run.mjs
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const KITH = path.resolve(repo, process.env.KITH || 'build/kith');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(repo, 'build/screenshots');
const OWNER = { email: 'demo@kith.example', password: 'demo-password' };
const FRESH = { email: 'fresh@kith.example', password: 'fresh-password-1' };
const WIDTHS = [375, 1280];

let n = 0, failed = 0;
const jsErrors = [];
const axeFindings = [];

function ok(name) { console.log(`ok ${++n} - ${name}`); }
function notOk(name, err) {
  failed++;
  console.log(`not ok ${++n} - ${name}`);
  for (const line of String(err && err.stack || err).split('\n').slice(0, 8)) console.log('#   ' + line);
}
async function test(name, fn) {
  const t0 = Date.now();
  try { await fn(); ok(name); } catch (err) { notOk(name, err); }
  console.log(`#   ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
function assert(cond, msg) { if (!cond) throw new Error(msg || 'assertion failed'); }

// ---- the server ----
const dir = mkdtempSync(path.join(tmpdir(), 'kith-web-'));
const env = { ...process.env, KITH_DB: path.join(dir, 'k.db') };
// On the PostgreSQL engine (KITH_TEST_PG, from tests/run-all): a fresh
// database of its own on that server, and the mail key in the temp dir.
const pgdb = process.env.KITH_TEST_PG ? `kt_web_${process.pid}` : null;
if (pgdb) {
  execFileSync('psql', ['-qX', '-v', 'ON_ERROR_STOP=1', `${process.env.KITH_TEST_PG}/postgres`, '-c',
    `CREATE DATABASE ${pgdb} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'`]);
  env.KITH_DB = `${process.env.KITH_TEST_PG}/${pgdb}`;
  env.XDG_CONFIG_HOME = path.join(dir, 'config');
}
function kith(args, input) {
  return execFileSync(KITH, args, { env, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

let server, base;
async function startServer() {
  kith(['--workspace', 'Demo Studio', 'demo']);
  kith(['--workspace', 'Demo Studio', 'user', 'add', OWNER.email, '--role', 'owner', '--password-stdin'], OWNER.password + '\n');
  kith(['--workspace', 'Fresh Start', 'user', 'add', FRESH.email, '--role', 'owner', '--password-stdin'], FRESH.password + '\n');
  // The Settings test adds a notification URL on this machine: allowed
  // by the operator, as local targets must be (the server refuses them).
  server = spawn(KITH, ['--workspace', 'Demo Studio', 'serve', '--listen', '127.0.0.1:0', '--notify-allow', '127.0.0.1:9'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  base = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('kith serve did not say where it listens: ' + buf)), 10000);
    server.stderr.on('data', d => {
      buf += d;
      const m = buf.match(/kith: serving on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on('exit', code => reject(new Error(`kith serve exited ${code}: ${buf}`)));
    server.on('error', err => reject(new Error(`kith serve did not start: ${err.message}`)));
  });
  server.stderr.resume();
}

// An API client for the "someone else" in the conflict test: a bearer token.
async function apiToken() {
  const r = await fetch(base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(OWNER) });
  assert(r.ok, 'API sign-in failed: ' + r.status);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf_token } = await r.json();
  const t = await fetch(base + '/api/v1/tokens', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf_token },
    body: JSON.stringify({ name: 'web-test' }),
  });
  assert(t.status === 201, 'token create failed: ' + t.status);
  return (await t.json()).secret;
}

// ---- helpers for pages ----
async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForFunction(() => !document.querySelector('main > .loading')).catch(() => {});
}

// Screenshot at both widths; axe once (at phone width: the layout that
// hides and wraps the most); fail on a serious or critical violation.
async function check(page, name) {
  const problems = [];
  for (const w of WIDTHS) {
    await page.setViewportSize({ width: w, height: w < 600 ? 812 : 900 });
    await page.waitForTimeout(120);
    const t0 = Date.now();
    await page.screenshot({ path: path.join(SHOTS, `${name}-${w}.png`), fullPage: true });
    const t1 = Date.now();
    if (w !== 375) continue;
    const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).options({ resultTypes: ['violations'] }).analyze();
    if (process.env.KITH_WEB_TIMING) console.log(`#   ${name}@${w}: shot ${t1 - t0} ms, axe ${Date.now() - t1} ms`);
    for (const v of res.violations) {
      axeFindings.push(`${name}@${w}: ${v.impact} ${v.id} (${v.nodes.length})`);
      if (v.impact === 'serious' || v.impact === 'critical')
        problems.push(`${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(x => x.target.join(' ')).join(' | ')}`);
    }
    // Nothing may stick out sideways on a phone.
    if (w === 375) {
      const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (over > 1) problems.push(`page is ${over}px wider than a 375px screen`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  if (problems.length) throw new Error(`${name}:\n` + problems.join('\n'));
}

async function agendaText(page) {
  return page.locator('ul[aria-label="Agenda"]').innerText();
}

// ---- signals: the webhook, focus, a calendar ----
let hook = null;
async function deliver(body) {
  // The hook URL the way a user gets it: `kith webhook show --base URL`.
  if (!hook) hook = kith(['--workspace', 'Demo Studio', 'webhook', 'show', '--base', base]).trim();
  const r = await fetch(hook, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  assert(r.status === 202, `webhook answered ${r.status}: ${text}`);
  return JSON.parse(text).signal;
}
// GET /me/focus as the page itself sees it (its session cookie).
const pageFocus = page => page.evaluate(() => fetch('/api/v1/me/focus', { cache: 'no-store' }).then(r => r.json()));
const minutesLeft = f => (new Date(f.until).getTime() - Date.now()) / 60000;
async function until(fn, what, ms = 8000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out waiting for ' + what);
    await new Promise(r => setTimeout(r, 150));
  }
}
function ics(events) {
  const stamp = d => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//kith tests//EN'];
  for (const e of events)
    lines.push('BEGIN:VEVENT', `UID:${e.uid}`, `DTSTAMP:${stamp(new Date())}`, `DTSTART:${stamp(e.start)}`, `DTEND:${stamp(e.end)}`,
      `SUMMARY:${e.summary}`, ...(e.location ? [`LOCATION:${e.location}`] : []), ...e.attendees.map(a => `ATTENDEE;CN=${a}:mailto:${a}`), 'END:VEVENT');
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  await startServer();
  const token = await apiToken();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'America/New_York', locale: 'en-US' });
  ctx.setDefaultTimeout(8000);
  const page = await ctx.newPage();
  const watch = p => {
    p.on('pageerror', e => jsErrors.push('pageerror: ' + e.message));
    p.on('console', m => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) jsErrors.push('console: ' + m.text()); });
  };
  watch(page);

  try {
    await test('sign-in page has Email, Password and a Sign in button', async () => {
      await page.goto(base + '/');
      await page.getByLabel('Email').waitFor();
      await page.getByLabel('Password').waitFor();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await check(page, 'signin');
    });

    await test('a wrong password says so without telling which part was wrong', async () => {
      await page.getByLabel('Email').fill(OWNER.email);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.locator('#signin-status[role="alert"]');
      await alert.waitFor();
      const text = await alert.innerText();
      assert(/do not match/i.test(text), 'unexpected message: ' + text);
      assert(!/unknown|no such|not found|incorrect password|wrong password/i.test(text), 'message hints which part was wrong: ' + text);
      await check(page, 'signin-error');
    });

    await test('signing in shows the agenda, ranked, with reasons, clock and buttons', async () => {
      await page.getByLabel('Password').fill(OWNER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const list = page.getByRole('list', { name: 'Agenda' });
      await list.waitFor();
      const items = list.getByRole('listitem').filter({ has: page.locator('.agenda-actions') });
      const count = await items.count();
      assert(count >= 3, 'expected several agenda items, got ' + count);
      for (let i = 0; i < count; i++) {
        const it = items.nth(i);
        const first = it.getByRole('link').first();
        assert(/^\/contacts\/\d+$/.test(await first.getAttribute('href')), 'first link is not the contact page');
        for (const b of ['Log touch', 'Snooze', 'Brief']) {
          const nb = await it.getByRole('button', { name: new RegExp('^' + b) }).count();
          assert(nb === 1, `item ${i + 1} has ${nb} "${b}" buttons`);
        }
      }
      const firstName = await items.first().getByRole('link').first().innerText();
      assert(firstName === 'Rebecca Stone', 'expected Rebecca Stone first, got ' + firstName);
      assert(/days since last touch/.test(await items.first().innerText()), 'reasons missing');
      assert(/working hours/.test(await items.first().innerText()), 'working-hours state missing');
      await page.getByRole('heading', { name: 'Overdue promises' }).waitFor();
      assert(/laptop specs/i.test(await page.locator('.today-side').innerText()), 'overdue promise not beside the agenda');
      await check(page, 'today');
    });

    await test('log touch from the agenda: Channel select, Enter saves, agenda updates without reload', async () => {
      await page.evaluate(() => { window.__sameDocument = true; });
      const before = await agendaText(page);
      await page.getByRole('button', { name: 'Log touch: Rebecca Stone' }).click();
      const dlg = page.getByRole('dialog');
      await dlg.waitFor();
      const channel = dlg.getByLabel('Channel');
      assert(await channel.evaluate(el => el.tagName) === 'SELECT', 'Channel is not a <select>');
      assert(await channel.evaluate(el => el === document.activeElement), 'focus did not start on Channel');
      const labels = await channel.locator('option').allInnerTexts();
      assert(JSON.stringify(labels) === JSON.stringify(['In person', 'Video', 'Call', 'Letter', 'Gift', 'Text', 'Email', 'Social']), 'channel labels: ' + labels);
      const values = await channel.locator('option').evaluateAll(os => os.map(o => o.value));
      assert(values.join() === 'in_person,video,call,letter,gift,text,email,social', 'channel values: ' + values);
      assert((await dlg.getByLabel('When').inputValue()).length >= 16, 'When has no default');
      await dlg.getByLabel('Participants').waitFor();
      await dlg.getByRole('button', { name: 'Save' }).waitFor();
      await channel.selectOption('in_person');
      await dlg.getByLabel('Minutes').fill('60');
      await check(page, 'log-touch');
      await dlg.getByLabel('Note').fill('Coffee at the Loop; new CMO starts in March');
      await dlg.getByLabel('Note').press('Enter');
      await dlg.waitFor({ state: 'detached' });
      await page.waitForFunction(b => {
        const l = document.querySelector('ul[aria-label="Agenda"]');
        return l && l.innerText !== b;
      }, before);
      const after = await agendaText(page);
      assert(!/152 days since last touch/.test(after), 'Rebecca still shows 152 days since last touch');
      assert(await page.evaluate(() => window.__sameDocument === true), 'the page reloaded');
    });

    await test('snooze takes a contact off the agenda', async () => {
      const item = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Tom Reyes' }) });
      await item.getByRole('button', { name: /^Snooze/ }).click();
      await item.getByRole('button', { name: '1 week' }).click();
      await page.getByRole('list', { name: 'Agenda' }).getByRole('link', { name: 'Tom Reyes' }).waitFor({ state: 'detached' });
    });

    await test('contact page shows facts, dates, timeline, promises, gifts, health and cadence', async () => {
      await page.getByRole('list', { name: 'Agenda' }).getByRole('link', { name: 'Daniel Whitfield' }).click();
      await page.getByRole('heading', { level: 1, name: 'Daniel Whitfield' }).waitFor();
      for (const hd of ['Details', 'Personal facts', 'Dates', 'Promises', 'Gifts', 'Health', 'Cadence', 'Timeline'])
        await page.getByRole('heading', { name: hd, exact: true }).waitFor();
      const text = await page.locator('main').innerText();
      assert(/Tea, milk, one sugar/.test(text), 'facts missing');
      assert(/Recency/.test(text) && /Reciprocity/.test(text), 'health components missing');
      assert(/Sophie starts a design course/.test(text), 'timeline missing');
      await page.getByRole('group', { name: 'Show channel' }).getByRole('button', { name: 'Video' }).click();
      assert(!/Signed off rebrand phase 2/.test(await page.locator('.timeline-box').innerText()), 'channel filter did not filter');
      await page.getByRole('group', { name: 'Show channel' }).getByRole('button', { name: 'All', exact: true }).click();
      await check(page, 'contact');
    });

    await test('log touch from the contact page; Escape closes the dialog', async () => {
      const open = page.getByRole('button', { name: 'Log touch: Daniel Whitfield' });
      await open.click();
      await page.getByRole('dialog').waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      assert(await open.evaluate(el => el === document.activeElement), 'focus did not return to the button');
      await open.click();
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('Channel').selectOption('call');
      await dlg.getByLabel('Note').fill('Sent the laptop shortlist by phone');
      await dlg.getByRole('button', { name: 'Save' }).click();
      await dlg.waitFor({ state: 'detached' });
      await page.getByText('Sent the laptop shortlist by phone').waitFor();
    });

    await test('edit a contact inline', async () => {
      await page.getByRole('button', { name: 'Edit details' }).click();
      await page.getByLabel('Title').fill('Managing Partner');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved.').waitFor();
      await page.locator('.contact-title').getByText(/Managing Partner/).waitFor();
      const r = await fetch(base + '/api/v1/contacts/3', { headers: { Authorization: 'Bearer ' + token } });
      assert((await r.json()).title === 'Managing Partner', 'the API does not have the new title');
    });

    await test('an edit conflict shows the newer version and lets the user retry', async () => {
      await page.getByRole('button', { name: 'Edit details' }).click();
      await page.getByLabel('Notes').fill('Phase 3 signage: quote sent in person');
      // Meanwhile someone else changes the contact through the API.
      const r = await fetch(base + '/api/v1/contacts/3', {
        method: 'PATCH', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: 'Senior Partner' }),
      });
      assert(r.ok, 'API PATCH failed: ' + r.status);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const conflict = page.locator('.conflict');
      await conflict.waitFor();
      const text = await conflict.innerText();
      assert(/changed this contact/i.test(text), 'no conflict message: ' + text);
      assert(/Senior Partner/.test(text), 'the newer version is not shown: ' + text);
      assert(await page.getByLabel('Notes').inputValue() === 'Phase 3 signage: quote sent in person', 'the user lost their edit');
      await check(page, 'contact-conflict');
      await page.getByRole('button', { name: 'Save my version' }).click();
      await page.getByText('Saved.').waitFor();
      const c = await (await fetch(base + '/api/v1/contacts/3', { headers: { Authorization: 'Bearer ' + token } })).json();
      assert(c.notes === 'Phase 3 signage: quote sent in person' && c.title === 'Senior Partner', 'merge result wrong: ' + JSON.stringify([c.title, c.notes]));
    });

    await test('the brief is one screen and has a print stylesheet', async () => {
      await page.getByRole('link', { name: 'Brief' }).click();
      await page.getByRole('heading', { level: 1, name: 'Daniel Whitfield' }).waitFor();
      const text = await page.locator('main').innerText();
      for (const hd of ['Remember', 'Open promises', 'Dates', 'Last by channel', 'Recent touches']) await page.getByRole('heading', { name: hd }).waitFor();
      assert(/Tea, milk, one sugar/.test(text), 'brief facts missing');
      await check(page, 'brief');
      await page.emulateMedia({ media: 'print' });
      assert(await page.locator('.topbar').isHidden(), 'navigation prints');
      await page.screenshot({ path: path.join(SHOTS, 'brief-print.png'), fullPage: true });
      await page.emulateMedia({ media: 'screen' });
    });

    await test('contacts: search as you type and filters', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
      const list = page.getByRole('list', { name: 'Contacts' });
      await list.waitFor();
      assert(await list.getByRole('listitem').count() >= 10, 'not all contacts listed');
      await page.getByLabel('Search contacts').pressSequentially('minji', { delay: 30 });
      await page.waitForFunction(() => document.querySelectorAll('ul[aria-label="Contacts"] li').length === 1);
      assert(/김민지/.test(await list.innerText()), 'search did not find 김민지');
      await check(page, 'contacts-search');
      await page.getByLabel('Search contacts').fill('');
      await page.getByLabel('Digital-only').check();
      await page.waitForFunction(() => /Omar/.test(document.querySelector('ul[aria-label="Contacts"]')?.innerText || '') && document.querySelectorAll('ul[aria-label="Contacts"] li').length === 1);
      await page.getByLabel('Digital-only').uncheck();
      await page.getByLabel('Tier').selectOption('A');
      await page.waitForFunction(() => !/Grace Lin/.test(document.querySelector('ul[aria-label="Contacts"]')?.innerText || 'Grace Lin'));
      await page.getByLabel('Tier').selectOption('');
      await page.getByLabel('Going cold').check();
      await page.waitForFunction(() => document.querySelectorAll('ul[aria-label="Contacts"] li').length >= 1 || document.querySelector('.empty'));
      await page.getByLabel('Going cold').uncheck();
      await page.waitForFunction(() => document.querySelectorAll('ul[aria-label="Contacts"] li').length >= 10);
      await check(page, 'contacts');
    });

    await test('reports draw SVG charts', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
      await page.getByRole('heading', { name: 'Channel mix over time' }).waitFor();
      for (const hd of ['Human-touch balance', 'Health distribution', 'Loyalty: tenure × value', 'Going cold and thank-yous'])
        await page.getByRole('heading', { name: hd, exact: true }).waitFor();
      const charts = await page.locator('svg.chart').count();
      assert(charts >= 5, 'expected at least 5 charts, got ' + charts);
      const rects = await page.locator('svg.chart rect').count();
      assert(rects > 20, 'charts have no bars');
      await check(page, 'reports');
    });

    await test('settings: members and roles, tokens (secret shown once), working hours, response target', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Members and roles' }).waitFor();
      await page.getByLabel('Start').waitFor();
      await page.getByLabel('Target response time (minutes)').fill('20');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Settings saved.').waitFor();
      await page.getByLabel('Token name').fill('zapier');
      await page.getByRole('button', { name: 'Create token' }).click();
      const secret = await page.getByLabel('Secret').inputValue();
      assert(secret.length > 20, 'no secret shown');
      const r = await fetch(base + '/api/v1/me', { headers: { Authorization: 'Bearer ' + secret } });
      assert(r.ok, 'the new token does not work');
      await check(page, 'settings');
    });

    // ---- issue 10: signals, focus, meetings, notifications ----
    const api = async (p, opts = {}) => {
      const r = await fetch(base + '/api/v1' + p, { ...opts, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json', ...(opts.headers || {}) } });
      const text = await r.text();
      return { status: r.status, data: text ? JSON.parse(text) : null };
    };
    const nav = name => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
    const dnd = page.getByRole('switch', { name: 'Do not disturb' });
    const dismissToasts = () => page.evaluate(() => { for (const t of document.querySelectorAll('#toasts > *')) t.remove(); });

    await test('Do not disturb is a switch in the top bar; it sets and clears /me/focus', async () => {
      await nav('Today');
      await page.getByRole('list', { name: 'Agenda' }).waitFor();
      assert(await dnd.getAttribute('aria-checked') === 'false', 'switch starts on');
      await dnd.click();
      await page.waitForFunction(() => document.getElementById('dnd-switch').getAttribute('aria-checked') === 'true');
      let f = await pageFocus(page);
      assert(f.focused && f.reason === 'do_not_disturb', 'focus not on: ' + JSON.stringify(f));
      assert(Math.abs(minutesLeft(f) - 90) < 3, 'expected 90 minutes, got ' + minutesLeft(f));
      await page.locator('#dnd-state').getByText(/^until \d/).waitFor();
      const opts = await page.getByLabel('Hold alerts for').locator('option').allInnerTexts();
      assert(['30 min', '1 h', '2 h', 'Until I turn it off'].every(o => opts.includes(o)), 'durations: ' + opts);
      await page.getByLabel('Hold alerts for').selectOption({ label: '30 min' });
      f = await until(async () => { const x = await pageFocus(page); return Math.abs(minutesLeft(x) - 30) < 3 && x; }, 'focus for 30 minutes');
      await page.getByLabel('Hold alerts for').selectOption({ label: 'Until I turn it off' });
      await until(async () => minutesLeft(await pageFocus(page)) > 600, 'focus until turned off');
      await page.locator('#dnd-state').getByText('until you turn it off').waitFor();
      assert(await dnd.getAttribute('aria-describedby') === 'dnd-state', 'the switch does not point at its state');
      await check(page, 'dnd-on');
      await dnd.click();
      await page.waitForFunction(() => document.getElementById('dnd-switch').getAttribute('aria-checked') === 'false');
      f = await pageFocus(page);
      assert(!f.focused && f.until === null, 'focus not off: ' + JSON.stringify(f));
    });

    await test('a webhook shows a live toast with the brief one click away, and the agenda puts the contact first without a reload', async () => {
      await page.evaluate(() => { window.__sameDocument = true; });
      const agenda = page.getByRole('list', { name: 'Agenda' });
      assert(await agenda.getByRole('listitem').first().getByRole('link').first().innerText() !== 'Priya Raman', 'Priya is already first');
      const sg = await deliver({ id: 'web-visit-1', type: 'website_visit', email: 'priya@fernwoodhealth.example', url: 'https://studio.example/pricing' });
      assert(sg.contact_id === 7, 'signal not matched to Priya: ' + JSON.stringify(sg));
      const toast = page.locator('#toasts .toast-live').filter({ hasText: 'Priya Raman visited /pricing' });
      await toast.waitFor();
      assert(await page.locator('#toasts').getAttribute('role') === 'status' && await page.locator('#toasts').getAttribute('aria-live') === 'polite', 'toasts are not a polite status region');
      assert(await toast.getByRole('link', { name: 'Brief' }).getAttribute('href') === '/contacts/7/brief', 'no Brief link in the toast');
      await page.waitForFunction(() => document.querySelector('ul[aria-label="Agenda"] > li .agenda-name')?.textContent === 'Priya Raman');
      assert(/visited \/pricing/.test(await agenda.getByRole('listitem').first().innerText()), 'the signal reason is not on the agenda');
      assert(await page.evaluate(() => window.__sameDocument === true), 'the page reloaded');
      await check(page, 'today-signal');
      await toast.getByRole('link', { name: 'Brief' }).click();
      await page.getByRole('heading', { level: 1, name: 'Priya Raman' }).waitFor();
      await nav('Today');
      await agenda.waitFor();
    });

    await test('while Do not disturb is on a signal shows no toast; turning it off brings one digest', async () => {
      await dismissToasts();
      await dnd.click();
      await page.waitForFunction(() => document.getElementById('dnd-switch').getAttribute('aria-checked') === 'true');
      await deliver({ id: 'web-visit-2', type: 'website_visit', email: 'hannah.becker@kranich.example', url: 'https://studio.example/services' });
      await page.waitForTimeout(2500);
      assert(await page.locator('#toasts .toast-live').count() === 0, 'a toast interrupted focus: ' + await page.locator('#toasts').innerText());
      const t0 = Date.now();
      await dnd.click();
      const digest = page.locator('#toasts .toast-live').filter({ hasText: 'While you were focused' });
      await digest.waitFor({ timeout: 10000 });
      assert(/Hannah Becker visited \/services/.test(await digest.innerText()), 'digest lacks the held signal: ' + await digest.innerText());
      console.log(`#   digest after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await page.waitForTimeout(300);
      assert(await page.locator('#toasts .toast-live').count() === 1, 'more than one toast for the digest');
      await check(page, 'today-digest');
      await dismissToasts();
    });

    await test('Signals page: waiting first with age, contact and owner; attach a lead; turn a lead into a contact', async () => {
      const nia = await deliver({ id: 'web-lead-1', type: 'form', email: 'nia@newco.example', name: 'Nia Okonkwo', url: 'https://studio.example/contact', text: 'Could you quote a rebrand for our three cafés?' });
      const lena = await deliver({ id: 'web-lead-2', type: 'mention', handle: '@lena_builds', name: 'Lena Vogt', url: 'https://social.example/lena/1', text: 'Anyone know a studio that does signage? 🙏' });
      assert(nia.contact_id === null && lena.contact_id === null, 'leads were matched');
      // A lead's toast offers "Attach or add" (to the Signals page).
      const leadToast = page.locator('#toasts .toast-live').filter({ hasText: 'Lena Vogt mentioned you' });
      await leadToast.waitFor();
      await page.locator('#toasts .toast-live').filter({ hasText: 'Nia Okonkwo sent a form' }).waitFor();
      assert(await leadToast.getByRole('link', { name: 'Attach or add' }).getAttribute('href') === `/signals#signal-${lena.id}`, 'no Attach or add link');
      await dismissToasts();
      await nav('Signals');
      const list = page.getByRole('list', { name: 'Signals' });
      await list.waitFor();
      const first = await list.getByRole('listitem').first().innerText();
      assert(/Waiting/.test(first), 'first signal is not waiting: ' + first);
      const text = await list.innerText();
      assert(/Priya Raman/.test(text) && /Nia Okonkwo/.test(text), 'signals missing: ' + text);
      assert(/Owner|every member/i.test(text), 'no owner shown');
      await page.getByText('Median answer').waitFor();
      await page.getByText('90th percentile').waitFor();
      const item = list.getByRole('listitem').filter({ hasText: 'Nia Okonkwo' });
      await item.getByRole('button', { name: 'Attach to…: Nia Okonkwo' }).click();
      await item.getByLabel(/Find the contact/).fill('Maggie');
      await item.getByRole('button', { name: 'Attach to Maggie Okafor' }).waitFor();
      await dismissToasts();
      await check(page, 'signals-attach');
      await item.getByRole('button', { name: 'Attach to Maggie Okafor' }).click();
      await page.getByText(/attached to Maggie Okafor/).waitFor();
      await list.getByRole('listitem').filter({ hasText: 'Could you quote a rebrand' }).getByRole('link', { name: 'Maggie Okafor', exact: true }).waitFor();
      const all = (await api('/signals')).data.items;
      assert(all.find(x => x.id === nia.id).contact?.id === 1, 'the API does not have the lead attached');
      const li = list.getByRole('listitem').filter({ hasText: 'Lena Vogt' });
      await li.getByRole('button', { name: 'New contact: Lena Vogt' }).click();
      assert(await li.getByLabel('Name of the new contact').inputValue() === 'Lena Vogt', 'name not prefilled');
      await li.getByRole('button', { name: 'Add contact' }).click();
      await list.getByRole('listitem').filter({ hasText: 'signage' }).getByRole('link', { name: 'Lena Vogt', exact: true }).waitFor();
      const c = (await api('/contacts?q=Lena')).data.items;
      assert(c.length === 1 && c[0].handles.includes('@lena_builds'), 'new contact wrong: ' + JSON.stringify(c));
      await page.getByLabel('Webhook URL').waitFor();
      assert((await page.getByLabel('Webhook URL').inputValue()) === hook, 'the page shows another webhook URL than the CLI');
      await dismissToasts();
      await check(page, 'signals');
    });

    await test('Settings: import a calendar; Today: confirm a suggested meeting, dismiss another', async () => {
      const day = 86400000, now = Date.now();
      const start = new Date(now - 2 * day); start.setUTCMinutes(0, 0, 0);
      const start2 = new Date(now - 3 * day); start2.setUTCMinutes(0, 0, 0);
      const body = ics([
        { uid: 'web-m1@test', start, end: new Date(start.getTime() + 3600000), summary: 'Coffee with Maggie', attendees: ['maggie@okaforbakeries.example'] },
        { uid: 'web-m2@test', start: start2, end: new Date(start2.getTime() + 1800000), summary: 'Studio call with Grace', location: 'https://meet.example.com/abc-defg', attendees: ['grace@okaforbakeries.example'] },
      ]);
      await nav('Settings');
      await page.getByRole('heading', { name: 'Calendar', exact: true }).waitFor();
      await page.getByLabel('Import calendar (.ics)').setInputFiles({ name: 'week.ics', mimeType: 'text/calendar', buffer: Buffer.from(body) });
      await page.getByText(/Imported 2 events, 2 with contacts\. 2 past meetings are waiting on Today/).waitFor();
      await nav('Today');
      const list = page.getByRole('list', { name: 'Meetings to confirm' });
      await list.waitFor();
      assert(/Coffee with Maggie/.test(await list.innerText()) && /Maggie Okafor/.test(await list.innerText()), 'meeting or attendee missing');
      await dismissToasts();
      await check(page, 'today-meetings');
      await page.getByRole('button', { name: 'Log it: Coffee with Maggie' }).click();
      await list.getByText('Coffee with Maggie').waitFor({ state: 'detached' });
      const tp = (await api('/contacts/1/touchpoints?limit=1')).data.items[0];
      assert(tp && tp.channel === 'in_person' && Math.abs(new Date(tp.at) - start) < 60000, 'touch not logged: ' + JSON.stringify(tp));
      await page.getByRole('button', { name: 'Dismiss: Studio call with Grace' }).click();
      await page.getByText('No meetings to confirm.').waitFor();
      assert((await api('/meetings?state=suggested')).data.items.length === 0, 'suggestions left');
    });

    await test('Settings: add a notification URL (JSON), send a test, remove it', async () => {
      await nav('Settings');
      await page.getByRole('heading', { name: 'Notifications' }).waitFor();
      await page.getByText('No notification URLs yet.').waitFor();
      await page.getByLabel('Notification URL').fill('not a url');
      await page.getByRole('button', { name: 'Add URL' }).click();
      await page.getByText('Enter a web address that starts with http:// or https://.').waitFor();
      await page.getByLabel('Notification URL').fill('http://127.0.0.1:9/kith-web-test');
      await page.getByLabel('Send JSON').check();
      await page.getByRole('button', { name: 'Add URL' }).click();
      const list = page.getByRole('list', { name: 'Notification URLs' });
      await list.getByText('http://127.0.0.1:9/kith-web-test').waitFor();
      assert(/JSON/.test(await list.innerText()), 'JSON not shown');
      const mine = await page.evaluate(() => fetch('/api/v1/notify').then(r => r.json()));
      assert(mine.items.length === 1 && mine.items[0].json === true, 'API: ' + JSON.stringify(mine));
      await page.getByRole('button', { name: 'Send a test' }).click();
      await page.getByText(/Test sent/).waitFor();
      await dismissToasts();
      await check(page, 'settings-notifications');
      await list.getByRole('button', { name: 'Remove http://127.0.0.1:9/kith-web-test' }).click();
      await page.getByText('No notification URLs yet.').waitFor();
      assert((await page.evaluate(() => fetch('/api/v1/notify').then(r => r.json()))).items.length === 0, 'not removed');
    });

    await test('Settings: the calendar feed URL, Copy, Rotate (the old URL then 404s)', async () => {
      await nav('Settings');
      await page.getByRole('heading', { name: 'Calendar feed' }).waitFor();
      const field = page.getByLabel('Feed URL');
      await page.waitForFunction(() => /\/feeds\/\S+\.ics$/.test(document.getElementById('feed-url').value));
      const url = await field.inputValue();
      assert(url.startsWith(base + '/feeds/kith_feed_'), 'feed URL: ' + url);
      const r1 = await fetch(url);
      assert(r1.status === 200 && /^text\/calendar/.test(r1.headers.get('content-type')), 'the feed: ' + r1.status);
      assert(/BEGIN:VCALENDAR/.test(await r1.text()), 'not a calendar');
      await page.locator('#feed').getByRole('button', { name: 'Copy' }).click();
      page.once('dialog', d => d.accept());
      await page.locator('#feed').getByRole('button', { name: 'Rotate' }).click();
      await page.getByText('New feed URL made').waitFor();
      const rotated = await field.inputValue();
      assert(rotated !== url && rotated.startsWith(base + '/feeds/'), 'rotate kept the URL: ' + rotated);
      assert((await fetch(url)).status === 404, 'the old feed URL still answers');
      assert((await fetch(rotated)).status === 200, 'the new feed URL does not answer');
      await dismissToasts();
      await check(page, 'settings-feed');
    });

    await test('Settings: the CardDAV URL and user name to give a phone', async () => {
      await page.getByRole('heading', { name: 'Phone and address book (CardDAV)' }).waitFor();
      await page.waitForFunction(() => document.getElementById('dav-url').value !== '');
      const url = await page.locator('#dav-url').inputValue();
      const user = await page.locator('#dav-user').inputValue();
      const book = await page.locator('#dav-book').inputValue();
      assert(url.startsWith(base), 'CardDAV URL: ' + url);
      assert(/@/.test(user), 'CardDAV user name: ' + user);
      assert(book.startsWith(base + '/dav/addressbooks/'), 'address book URL: ' + book);
      // The address book answers the URL shown, with the account's token.
      const r = await fetch(book, { method: 'PROPFIND', headers: { Depth: '0', Authorization: 'Bearer ' + token } });
      assert(r.status === 207, 'PROPFIND on the address book: ' + r.status);
      await check(page, 'settings-carddav');
    });

    await test('Settings: add a mailbox (the password never comes back), its Sent folder without it, then remove them', async () => {
      const box = page.locator('#mailboxes');
      await page.getByRole('heading', { name: 'Email' }).waitFor();
      await box.getByText('No mailboxes yet').waitFor();
      await page.fill('#m-url', 'ftp://nope');
      await box.getByRole('button', { name: 'Add mailbox' }).click();
      await box.getByText('starts with imaps:// or imap://').waitFor();
      await page.fill('#m-url', 'imaps://ana@mail.example.com/INBOX');
      await page.fill('#m-pass', 'app-password-123');
      await box.getByRole('button', { name: 'Add mailbox' }).click();
      await box.getByText('Added imaps://ana@mail.example.com/INBOX').waitFor();
      await box.getByText('imaps://ana@mail.example.com/INBOX', { exact: true }).waitFor();
      assert(await page.locator('#m-pass').inputValue() === '', 'the password field keeps the password');
      const list = await (await fetch(base + '/api/v1/mailboxes', { headers: { Authorization: 'Bearer ' + token } })).text();
      assert(!list.includes('app-password-123'), 'the API answers the password back');
      await check(page, 'settings-mailbox');
      // Sent beside INBOX: no password typed again; an unknown account
      // without one is asked for it.
      await page.fill('#m-url', 'imaps://bo@mail.example.com/INBOX');
      await box.getByRole('button', { name: 'Add mailbox' }).click();
      await box.getByText(/Not added: .*password/).waitFor();
      await page.fill('#m-url', 'imaps://ana@mail.example.com/Sent');
      await box.getByRole('button', { name: 'Add mailbox' }).click();
      await box.getByText('Added imaps://ana@mail.example.com/Sent').waitFor();
      await box.getByText('imaps://ana@mail.example.com/Sent', { exact: true }).waitFor();
      await box.getByRole('button', { name: 'Remove imaps://ana@mail.example.com/Sent' }).click();
      await box.getByText('Removed imaps://ana@mail.example.com/Sent').waitFor();
      await box.getByRole('button', { name: 'Remove imaps://ana@mail.example.com/INBOX' }).click();
      await box.getByText('No mailboxes yet').waitFor();
    });

    // The import endpoint is built on another branch: these steps assert
    // its contract (POST /api/v1/import?dry_run=1&skip_bad=1, text/vcard).
    await test('Settings: import a vCard file: preview (dry run), then Import', async () => {
      const vcf = ['BEGIN:VCARD', 'VERSION:3.0', 'FN:Lena Import', 'N:Import;Lena;;;', 'EMAIL;TYPE=work:lena@import.example', 'END:VCARD',
        'BEGIN:VCARD', 'VERSION:3.0', 'FN:Maggie Okafor', 'EMAIL:maggie@okaforbakeries.example', 'END:VCARD',
        'BEGIN:VCARD', 'VERSION:3.0', 'FN:نور الهدى', 'EMAIL:nour@import.example', 'END:VCARD', ''].join('\r\n');
      await nav('Settings');
      await page.getByRole('heading', { name: 'Import contacts' }).waitFor();
      const before = (await api('/contacts?limit=1000')).data.items.length;
      await page.getByLabel('Contacts file (.vcf, .csv)').setInputFiles({ name: 'phone.vcf', mimeType: 'text/vcard', buffer: Buffer.from(vcf) });
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByText(/^Preview: 2 created, 1 merged, 0 unchanged, 0 skipped\.$/).waitFor();
      const list = page.getByRole('list', { name: 'Import preview' });
      assert(/Lena Import/.test(await list.innerText()) && /matched by email/.test(await list.innerText()), 'preview items: ' + await list.innerText());
      assert(await list.locator('bdi', { hasText: 'نور الهدى' }).count() === 1, 'the RTL name is not isolated');
      assert((await api('/contacts?limit=1000')).data.items.length === before, 'the preview wrote contacts');
      await dismissToasts();
      await check(page, 'settings-import-preview');
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByText(/^Imported: 2 created, 1 merged/).waitFor();
      assert((await api('/contacts?limit=1000')).data.items.length === before + 2, 'not imported');
      // The same file again changes nothing.
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByText(/^Preview: 0 created, 0 merged, 3 unchanged, 0 skipped\.$/).waitFor();
    });

    await test('reports chart response time against the target and human-touch balance per member', async () => {
      // Answer Priya's visit: any touch after the signal.
      const r = await api('/touchpoints', { method: 'POST', body: JSON.stringify({ contacts: [7], channel: 'call', note: 'Called back about pricing' }) });
      assert(r.status === 201, 'touch: ' + r.status + JSON.stringify(r.data));
      const st = (await api('/signals/stats')).data;
      assert(st.workspace.answered >= 1, 'no answered signal: ' + JSON.stringify(st));
      await nav('Reports');
      await page.getByRole('heading', { name: 'Response time' }).waitFor();
      await page.getByRole('heading', { name: 'Human-touch balance per member' }).waitFor();
      const label = await page.locator('svg.chart[aria-label^="Response time against a target"]').getAttribute('aria-label');
      assert(/median/.test(label) && /90th percentile/.test(label), 'response chart: ' + label);
      const bal = await page.locator('svg.chart[aria-label^="Human-touch balance per member"]').getAttribute('aria-label');
      assert(/demo@kith\.example/.test(bal), 'no per-member balance: ' + bal);
      if (st.weekly) assert(await page.locator('svg.chart[aria-label^="Response time per week"]').count() === 1, 'no weekly response-time chart: ' + JSON.stringify(st.weekly.slice(-2)) + JSON.stringify(st.workspace));
      await dismissToasts();
      await check(page, 'reports-signals');
    });

    await test('a stream refused after the session ended signs the page out once, and resumes after signing in again', async () => {
      const streams = [];
      const seen = req => { if (req.url().endsWith('/api/v1/events')) streams.push(Date.now()); };
      page.on('request', seen);
      // The session ends behind the page's back (another tab signed out).
      await page.evaluate(async () => {
        const me = await (await fetch('/api/v1/me', { cache: 'no-store' })).json();
        const r = await fetch('/api/v1/session', { method: 'DELETE', headers: { 'X-CSRF-Token': me.csrf_token } });
        if (r.status !== 204) throw new Error('DELETE /session: ' + r.status);
      });
      // A signal wakes the stream: the server ends it, the browser
      // reconnects, is refused (401), and the page asks /me and signs out.
      await deliver({ id: 'web-visit-401', type: 'website_visit', email: 'priya@fernwoodhealth.example', url: 'https://studio.example/refused' });
      await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 15000 });
      const refused = streams.length;
      await page.waitForTimeout(4000);
      assert(streams.length === refused, `the refused stream was retried ${streams.length - refused} times while signed out`);
      const resumed = page.waitForResponse(r => r.url().endsWith('/api/v1/events') && r.status() === 200, { timeout: 10000 });
      await page.getByLabel('Email').fill(OWNER.email);
      await page.getByLabel('Password').fill(OWNER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await resumed;
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      page.off('request', seen);
    });

    await test('signing out returns to the sign-in page', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      // The live stream closes with the session: a signal now shows nothing.
      await deliver({ id: 'web-visit-3', type: 'website_visit', email: 'priya@fernwoodhealth.example', url: 'https://studio.example/after' });
      await page.waitForTimeout(1500);
      assert(await page.locator('#toasts .toast-live').count() === 0, 'a toast after sign-out');
      assert(await page.getByRole('switch', { name: 'Do not disturb' }).isHidden(), 'the switch shows when signed out');
    });

    // A new workspace: every page says what to do first.
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    fresh.setDefaultTimeout(8000);
    const fp = await fresh.newPage();
    watch(fp);
    await test('a fresh workspace says how to add the first contact', async () => {
      await fp.goto(base + '/');
      await fp.getByLabel('Email').fill(FRESH.email);
      await fp.getByLabel('Password').fill(FRESH.password);
      await fp.getByRole('button', { name: 'Sign in' }).click();
      await fp.getByText('Your book is empty').waitFor();
      await fp.getByRole('link', { name: 'Add your first contact' }).waitFor();
      await check(fp, 'today-empty');
      await fp.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
      await fp.getByText('No contacts yet').waitFor();
      await check(fp, 'contacts-empty');
      await fp.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
      await fp.getByRole('link', { name: 'Add your first contact' }).waitFor();
      await check(fp, 'reports-empty');
      await fp.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Signals' }).click();
      await fp.getByText('No signals yet').waitFor();
      const url = await fp.getByLabel('Webhook URL').inputValue();
      assert(/\/hooks\/\S+$/.test(url), 'no webhook URL: ' + url);
      assert(url !== hook, 'two workspaces share a webhook');
      await check(fp, 'signals-empty');
      fp.once('dialog', d => d.accept());
      await fp.getByRole('button', { name: 'Rotate' }).click();
      await fp.getByText('New URL made').waitFor();
      const rotated = await fp.getByLabel('Webhook URL').inputValue();
      assert(rotated !== url, 'rotate kept the URL');
      const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"type":"form"}' });
      assert(r.status === 404, 'the old webhook still answers ' + r.status);
      await fp.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Today' }).click();
      await fp.getByText('No meetings to confirm.').waitFor();
    });

    await test('add the first contact, with a long non-Latin name', async () => {
      await fp.getByRole('link', { name: 'Add your first contact' }).click();
      await fp.getByRole('heading', { level: 1, name: 'Add contact' }).waitFor();
      await check(fp, 'contact-new');
      const name = 'عبد الرحمن بن محمد الفلاني 🌿 Abd al-Rahman ibn Muhammad al-Fulani-Longname';
      await fp.getByLabel('Name').fill(name);
      await fp.getByLabel('Time zone').fill('Asia/Riyadh');
      await fp.getByLabel('Tags').fill('prospect, مهم');
      await fp.getByRole('button', { name: 'Add contact' }).click();
      await fp.getByRole('heading', { level: 1, name }).waitFor();
      await fp.getByText('No touches yet').waitFor();
      await check(fp, 'contact-fresh');
      await fp.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Today' }).click();
      await fp.locator('ul[aria-label="Agenda"], .empty').first().waitFor();
      await check(fp, 'today-first-contact');
    });
    await test('a meeting under way holds alerts: the switch says "In a meeting until …"', async () => {
      const start = new Date(Date.now() - 10 * 60000), end = new Date(Date.now() + 20 * 60000);
      await fp.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await fp.getByLabel('Import calendar (.ics)').setInputFiles({ name: 'now.ics', mimeType: 'text/calendar',
        buffer: Buffer.from(ics([{ uid: 'web-now@test', start, end, summary: 'Planning', attendees: [] }])) });
      await fp.getByText(/Imported 1 event/).waitFor();
      const sw = fp.getByRole('switch', { name: 'Do not disturb' });
      await fp.waitForFunction(() => document.getElementById('dnd-switch').getAttribute('aria-checked') === 'true');
      const shown = await fp.locator('#dnd-state').innerText();
      const f = await pageFocus(fp);
      assert(f.focused && f.reason === 'meeting', 'focus: ' + JSON.stringify(f));
      const hhmm = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(new Date(f.until));
      assert(shown === `In a meeting until ${hhmm}`, 'switch state: ' + shown);
      assert(await sw.getAttribute('aria-checked') === 'true', 'switch off during a meeting');
      await check(fp, 'dnd-meeting');
    });

    await fresh.close();

    await test('no JavaScript errors or CSP violations', async () => {
      if (jsErrors.length) throw new Error(jsErrors.slice(0, 10).join('\n'));
    });
  } finally {
    await browser.close().catch(() => {});
  }
}

const started = Date.now();
try {
  if (!existsSync(KITH)) throw new Error(`no kith binary at ${KITH} (set KITH)`);
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM} (apt-get install chromium)`);
  await main();
} catch (err) {
  notOk('the browser suite ran', err);
} finally {
  if (server) server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  if (pgdb) {
    try {
      execFileSync('psql', ['-qX', `${process.env.KITH_TEST_PG}/postgres`, '-c', `DROP DATABASE IF EXISTS ${pgdb} WITH (FORCE)`]);
    } catch (e) { /* the run's cluster goes anyway */ }
  }
}
for (const f of axeFindings) console.log('# axe: ' + f);
console.log(`1..${n}`);
console.log(`# ${n - failed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in build/screenshots/`);
process.exit(failed ? 1 : 0);
