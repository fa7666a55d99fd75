// reports.js: charts a person would rather look at than read, drawn as
// inline SVG from GET /api/v1/reports/overview.
import * as api from './api.js';
import { h, add, svg, ut, emptyState, CHANNELS, HUMAN, money } from './dom.js';
import { setTitle } from './shell.js';

const W = 400;
const COLOR = {
  in_person: '#0b4f4a', video: '#17807a', call: '#3aa89c', letter: '#7cc6b8', gift: '#b5e0d6',
  text: '#c9a14a', email: '#8a6d2e', social: '#d9c79c',
};

export async function reportsPage() {
  setTitle('Reports');
  const [r, stats, signals, users] = await Promise.all([api.get('/reports/overview'), api.get('/signals/stats'),
    api.get('/signals'), api.get('/users').then(x => x.items).catch(() => [])]);
  const who = id => { const u = users.find(x => x.id === id); return u ? (u.name || u.email) : 'No owner'; };
  const page = h('section', { class: 'page page-reports' },
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Reports'),
      h('p', { class: 'page-sub muted' }, `${r.contacts} contacts · ${r.balance.touches} touches in the last year`))));
  if (!r.contacts || !r.balance.touches) {
    add(page, emptyState(r.contacts ? 'Nothing to chart yet' : 'No contacts yet',
      r.contacts ? 'Reports fill in as you log touches: log a call, a coffee or an email from Today.' : 'Add contacts and log touches; the charts will show how your relationships are doing.',
      h('a', { class: 'btn btn-primary', href: r.contacts ? '/' : '/contacts/new' }, r.contacts ? 'Go to Today' : 'Add your first contact')));
    return page;
  }
  add(page, h('div', { class: 'report-grid' },
    card('mix', 'Channel mix over time', 'Touches per month, richest channels at the bottom.', channelMix(r.channel_mix), legend()),
    card('balance', 'Human-touch balance', 'Share of touches that were in person, video, call, letter or gift.', balance(r.balance)),
    card('balance-users', 'Human-touch balance per member', 'Each member’s touches in the last year: human, and face to face.', balanceByUser(r.balance_by_user || [])),
    card('response', 'Response time', `How fast a person answered a signal, in working hours; the target is ${stats.target_minutes} minutes.`, responseTime(stats, signals.items, who)),
    card('health', 'Health distribution', `Contacts by health score; the mean is ${r.health_mean}.`, healthDist(r.health_distribution)),
    card('loyalty', 'Loyalty: tenure × value', 'Long-standing clients by years and lifetime value; colour is health.', loyalty(r.loyal)),
    card('cold', 'Going cold and thank-yous', 'Who needs attention before it is too late.', coldLists(r))));
  return page;
}

function card(key, title, sub, ...body) {
  return h('section', { class: 'card report', 'aria-labelledby': 'r-' + key },
    h('h2', { id: 'r-' + key }, title), h('p', { class: 'muted small' }, sub), body);
}

function chart(label, height, ...kids) {
  return svg('svg', { viewBox: `0 0 ${W} ${height}`, class: 'chart', role: 'img', 'aria-label': label, preserveAspectRatio: 'xMidYMid meet' },
    svg('title', null, label), ...kids);
}
const text = (x, y, s, attrs = {}) => svg('text', { x, y, ...attrs }, s);

function legend() {
  return h('ul', { class: 'legend', 'aria-label': 'Channels' }, CHANNELS.map(([v, label]) =>
    h('li', null, h('span', { class: 'swatch sw-' + v, 'aria-hidden': 'true' }), label + (HUMAN.has(v) ? '' : ' (digital)'))));
}

function channelMix(months) {
  const H = 220, top = 12, bottom = 28, left = 30, right = 6;
  const totals = months.map(m => CHANNELS.reduce((s, [c]) => s + (m[c] || 0), 0));
  const max = Math.max(4, ...totals);
  const step = niceStep(max);
  const ymax = Math.ceil(max / step) * step;
  const plotH = H - top - bottom, bw = (W - left - right) / months.length;
  const y = v => top + plotH - (v / ymax) * plotH;
  const grid = [];
  for (let v = 0; v <= ymax; v += step)
    grid.push(svg('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: 'grid' }), text(left - 6, y(v) + 4, String(v), { class: 'axis', 'text-anchor': 'end' }));
  const bars = months.map((m, i) => {
    let acc = 0;
    const x = left + i * bw + bw * 0.15;
    const segs = CHANNELS.map(([c, label]) => {
      const n = m[c] || 0;
      if (!n) return null;
      const r = svg('rect', { x, width: bw * 0.7, y: y(acc + n), height: y(acc) - y(acc + n), fill: COLOR[c] }, svg('title', null, `${monthName(m.month)}: ${n} ${label}`));
      acc += n;
      return r;
    });
    return [segs, text(x + bw * 0.35, H - 10, monthName(m.month, true), { class: 'axis', 'text-anchor': 'middle' })];
  });
  const summary = months.map((m, i) => `${monthName(m.month)} ${totals[i]}`).join(', ');
  return chart(`Touches per month by channel: ${summary}`, H, grid, bars);
}

function balance(b) {
  const H = 150;
  const human = b.human_share, face = b.face_share;
  const bar = (y, share, label, cls) => [
    text(0, y - 8, label, { class: 'label' }),
    svg('rect', { x: 0, y, width: W, height: 22, rx: 4, class: 'track' }),
    svg('rect', { x: 0, y, width: Math.max(2, W * share), height: 22, rx: 4, class: cls }),
    text(Math.min(W - 4, W * share + 6), y + 16, `${Math.round(share * 100)}%`, { class: 'value', 'text-anchor': share > 0.85 ? 'end' : 'start' }),
  ];
  const byCh = CHANNELS.map(([c, label]) => [label, b.by_channel[c] || 0, c]);
  const maxN = Math.max(1, ...byCh.map(x => x[1]));
  const rows = byCh.map(([label, n, c], i) => {
    const y = i * 22;
    return [text(0, y + 14, label, { class: 'label' }),
      svg('rect', { x: 90, y: y + 3, width: Math.max(1, (W - 130) * n / maxN), height: 14, rx: 3, fill: COLOR[c] }),
      text(90 + (W - 130) * n / maxN + 6, y + 14, String(n), { class: 'value' })];
  });
  return [
    chart(`Human touches ${Math.round(human * 100)} percent, face to face ${Math.round(face * 100)} percent of ${b.touches} touches`, H,
      bar(30, human, `Human touches · ${b.human} of ${b.touches}`, 'fill-human'),
      bar(98, face, `Face to face (in person, video) · ${b.face_to_face}`, 'fill-face')),
    chart('Touches by channel: ' + byCh.map(x => `${x[0]} ${x[1]}`).join(', '), CHANNELS.length * 22, rows),
  ];
}

function balanceByUser(rows) {
  rows = rows.filter(u => u.touches > 0);
  if (!rows.length) return h('p', { class: 'muted' }, 'No member has logged a touch yet.');
  const rowH = 64, H = rows.length * rowH;
  const left = 0, barW = W - 60;
  const out = rows.map((u, i) => {
    const y = i * rowH;
    const hs = u.human_share || 0, fs = u.face_share || 0;
    return svg('g', null,
      text(left, y + 14, `${u.email} · ${u.touches} touches`, { class: 'label' }),
      svg('rect', { x: left, y: y + 22, width: barW, height: 14, rx: 3, class: 'track' }),
      svg('rect', { x: left, y: y + 22, width: Math.max(2, barW * hs), height: 14, rx: 3, class: 'fill-human' }),
      text(barW + 6, y + 34, `${Math.round(hs * 100)}%`, { class: 'value' }),
      svg('rect', { x: left, y: y + 40, width: barW, height: 10, rx: 3, class: 'track' }),
      svg('rect', { x: left, y: y + 40, width: Math.max(2, barW * fs), height: 10, rx: 3, class: 'fill-face' }),
      text(barW + 6, y + 50, `${Math.round(fs * 100)}%`, { class: 'axis' }));
  });
  return [chart('Human-touch balance per member: ' + rows.map(u => `${u.email}: ${Math.round(u.human_share * 100)} percent human, ${Math.round(u.face_share * 100)} percent face to face of ${u.touches} touches`).join('; '), H, out),
    h('ul', { class: 'legend', 'aria-label': 'Bars' },
      h('li', null, h('span', { class: 'swatch sw-video', 'aria-hidden': 'true' }), 'Human touches'),
      h('li', null, h('span', { class: 'swatch sw-in_person', 'aria-hidden': 'true' }), 'Face to face'))];
}

// Median and 90th percentile per member against the target, and each
// answered signal over time.
function responseTime(st, list, who) {
  const target = st.target_minutes;
  const rows = [['Workspace', st.workspace], ...st.users.filter(u => u.answered > 0).map(u => [who(u.user_id), u])];
  const answered = list.filter(s => s.response_minutes !== null && s.answered_at);
  if (!st.workspace.answered) {
    return h('p', { class: 'muted' }, st.workspace.waiting
      ? `${st.workspace.waiting} signal${st.workspace.waiting === 1 ? ' is' : 's are'} waiting and none answered yet: log a touch to the contact to answer one.`
      : 'No signals answered yet. Send website visits, mentions and form posts to the webhook (see Signals); answer them by logging a touch.');
  }
  const maxV = Math.max(target * 1.5, ...rows.map(([, s]) => s.p90_minutes || 0)) * 1.1;
  const lx = 110, bw = W - lx - 10, rowH = 46, top = 18, H = top + rows.length * rowH + 22;
  const x = v => lx + bw * Math.min(1, v / maxV);
  const bars = rows.map(([name, s], i) => {
    const y = top + i * rowH;
    return svg('g', null,
      svg('title', null, `${name}: median ${fmtMin(s.median_minutes)}, 90th percentile ${fmtMin(s.p90_minutes)}, ${s.breaches} of ${s.answered} over target`),
      text(0, y + 14, short2(name), { class: 'label' }),
      text(0, y + 30, `${s.breaches}/${s.answered} late`, { class: 'axis' }),
      svg('rect', { x: lx, y: y + 2, width: Math.max(2, x(s.p90_minutes || 0) - lx), height: 16, rx: 3, class: 'fill-p90' }),
      svg('rect', { x: lx, y: y + 2, width: Math.max(2, x(s.median_minutes || 0) - lx), height: 16, rx: 3, class: (s.median_minutes || 0) > target ? 'fill-late' : 'fill-human' }),
      text(lx, y + 34, `median ${fmtMin(s.median_minutes)} · p90 ${fmtMin(s.p90_minutes)}`, { class: 'axis' }));
  });
  const tx = x(target);
  const targetLine = [svg('line', { x1: tx, x2: tx, y1: 8, y2: H - 18, class: 'target' }),
    text(tx, H - 4, `target ${target} min`, { class: 'axis', 'text-anchor': tx > W - 60 ? 'end' : 'middle' })];
  const out = [chart('Response time against a target of ' + target + ' minutes: ' + rows.map(([n, s]) => `${n} median ${fmtMin(s.median_minutes)}, 90th percentile ${fmtMin(s.p90_minutes)}, ${s.breaches} of ${s.answered} over target`).join('; '), H, bars, targetLine)];
  if (Array.isArray(st.weekly) && st.weekly.some(w => w.answered)) out.push(responseWeekly(st.weekly, target));
  else if (answered.length > 1) out.push(responseOverTime(answered, target));
  out.push(h('ul', { class: 'legend', 'aria-label': 'Bars' },
    h('li', null, h('span', { class: 'swatch sw-video', 'aria-hidden': 'true' }), 'Median'),
    h('li', null, h('span', { class: 'swatch sw-p90', 'aria-hidden': 'true' }), '90th percentile'),
    h('li', null, h('span', { class: 'swatch sw-target', 'aria-hidden': 'true' }), 'Target')));
  return out;
}

function responseOverTime(list, target) {
  const H = 170, left = 40, right = 8, top = 10, bottom = 26;
  const ts = list.map(s => new Date(s.at).getTime());
  const t0 = Math.min(...ts), t1 = Math.max(t0 + 86400000, ...ts);
  const maxV = Math.max(target * 1.5, ...list.map(s => s.response_minutes)) * 1.1;
  const x = t => left + (W - left - right) * (t - t0) / (t1 - t0);
  const y = v => top + (H - top - bottom) * (1 - v / maxV);
  const day = t => new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' }).format(new Date(t));
  return chart(`Each answered signal over time: ${list.length} answers from ${day(t0)} to ${day(t1)}, ${list.filter(s => s.response_minutes > target).length} over target`, H,
    [0, Math.round(maxV / 2), Math.round(maxV)].map(v => [svg('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: 'grid' }), text(left - 6, y(v) + 4, String(v), { class: 'axis', 'text-anchor': 'end' })]),
    svg('line', { x1: left, x2: W - right, y1: y(target), y2: y(target), class: 'target' }),
    list.map(s => svg('circle', { cx: x(new Date(s.at).getTime()), cy: y(s.response_minutes), r: 5, class: s.response_minutes > target ? 'pt-late' : 'pt-ok' },
      svg('title', null, `${s.contact ? s.contact.name : 'Lead'}: ${fmtMin(s.response_minutes)}`))),
    text(left, H - 6, day(t0), { class: 'axis' }), text(W - right, H - 6, day(t1), { class: 'axis', 'text-anchor': 'end' }));
}
// The last twelve weeks (GET /signals/stats "weekly"): median and p90 per week.
function responseWeekly(weeks, target) {
  const H = 190, left = 40, right = 8, top = 12, bottom = 28;
  const maxV = Math.max(target * 1.5, ...weeks.map(w => w.p90_minutes || 0)) * 1.1;
  const bw = (W - left - right) / weeks.length;
  const y = v => top + (H - top - bottom) * (1 - v / maxV);
  const day = ymd => { const [yy, m, d] = ymd.split('-').map(Number); return new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(yy, m - 1, d))); };
  const bars = weeks.map((w, i) => {
    const x = left + i * bw + bw * 0.15, wd = bw * 0.7;
    return svg('g', null, svg('title', null, w.answered ? `Week of ${day(w.week)}: median ${fmtMin(w.median_minutes)}, 90th percentile ${fmtMin(w.p90_minutes)}, ${w.breaches} of ${w.answered} late` : `Week of ${day(w.week)}: no answers`),
      w.answered ? [svg('rect', { x, width: wd, y: y(w.p90_minutes || 0), height: Math.max(1, y(0) - y(w.p90_minutes || 0)), rx: 2, class: 'fill-p90' }),
        svg('rect', { x: x + wd * 0.2, width: wd * 0.6, y: y(w.median_minutes || 0), height: Math.max(2, y(0) - y(w.median_minutes || 0)), rx: 2, class: (w.median_minutes || 0) > target ? 'fill-late' : 'fill-human' })] : null,
      i % 3 === 0 || i === weeks.length - 1 ? text(x + wd / 2, H - 8, day(w.week), { class: 'axis', 'text-anchor': 'middle' }) : null);
  });
  const summary = weeks.filter(w => w.answered).map(w => `week of ${day(w.week)} median ${fmtMin(w.median_minutes)}, 90th percentile ${fmtMin(w.p90_minutes)}`).join('; ');
  return chart(`Response time per week, last ${weeks.length} weeks, target ${target} minutes: ${summary}`, H,
    [0, Math.round(maxV / 2), Math.round(maxV)].map(v => [svg('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: 'grid' }), text(left - 6, y(v) + 4, String(v), { class: 'axis', 'text-anchor': 'end' })]),
    bars, svg('line', { x1: left, x2: W - right, y1: y(target), y2: y(target), class: 'target' }));
}
function fmtMin(m) { return m === null || m === undefined ? '—' : m < 60 ? `${Math.round(m)} min` : `${(m / 60).toFixed(1)} h`; }
function short2(s) { return s.length > 16 ? s.slice(0, 15) + '…' : s; }

function healthDist(d) {
  const keys = ['0-19', '20-39', '40-59', '60-79', '80-100'];
  const fills = ['#a3262a', '#c8642c', '#b8912c', '#4d9a6a', '#1f7a4d'];
  const H = 200, top = 20, bottom = 30, plotH = H - top - bottom;
  const max = Math.max(1, ...keys.map(k => d[k] || 0));
  const bw = W / keys.length;
  return chart('Contacts by health: ' + keys.map(k => `${k}: ${d[k] || 0}`).join(', '), H, keys.map((k, i) => {
    const n = d[k] || 0, hgt = (n / max) * plotH, x = i * bw + bw * 0.15;
    return [svg('rect', { x, y: top + plotH - hgt, width: bw * 0.7, height: Math.max(hgt, 1), rx: 3, fill: fills[i] }),
      text(x + bw * 0.35, top + plotH - hgt - 5, String(n), { class: 'value', 'text-anchor': 'middle' }),
      text(x + bw * 0.35, H - 10, k, { class: 'axis', 'text-anchor': 'middle' })];
  }));
}

function loyalty(list) {
  if (!list.length) return h('p', { class: 'muted' }, 'No loyal clients yet: set “client since” on a contact and record revenue.');
  const H = 230, left = 44, right = 14, top = 14, bottom = 34;
  const maxX = Math.max(1, ...list.map(l => l.tenure_years)) * 1.1, maxY = Math.max(1, ...list.map(l => l.lifetime_value || 0)) * 1.15;
  const x = v => left + (v / maxX) * (W - left - right), y = v => top + (H - top - bottom) * (1 - v / maxY);
  const fill = s => (s >= 70 ? '#1f7a4d' : s >= 40 ? '#b8912c' : '#a3262a');
  const ticks = [0, maxY / 2, maxY].map(v => [svg('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: 'grid' }),
    text(left - 6, y(v) + 4, short(v), { class: 'axis', 'text-anchor': 'end' })]);
  const pts = list.map(l => {
    const px = x(l.tenure_years), py = y(l.lifetime_value || 0);
    const anchor = px > W * 0.7 ? 'end' : 'start';
    return svg('g', null, svg('title', null, `${l.name}: ${l.tenure_years} years, value ${money(l.lifetime_value)}, health ${l.health}`),
      svg('circle', { cx: px, cy: py, r: 7, fill: fill(l.health), class: 'pt' }),
      text(px + (anchor === 'end' ? -11 : 11), py + 4, firstName(l.name) + (l.thank_you_due ? ' ♥' : ''), { class: 'label', 'text-anchor': anchor }));
  });
  return [chart('Loyal clients by tenure and lifetime value: ' + list.map(l => `${l.name} ${l.tenure_years} years ${money(l.lifetime_value)}`).join('; '), H,
    ticks, text((W + left) / 2, H - 6, 'years as a client', { class: 'axis', 'text-anchor': 'middle' }),
    [0, Math.round(maxX / 2), Math.floor(maxX)].map(v => text(x(v), H - 20, String(v), { class: 'axis', 'text-anchor': 'middle' })), pts),
  h('ul', { class: 'loyal-list', 'aria-label': 'Loyal clients' }, list.map(l => h('li', null,
    h('span', { class: 'swatch ' + (l.health >= 70 ? 'h-good' : l.health >= 40 ? 'h-fair' : 'h-poor'), 'aria-hidden': 'true' }),
    h('a', { href: `/contacts/${l.id}`, dir: 'auto' }, l.name),
    h('span', { class: 'muted small' }, ` · ${l.tenure_years} years · ${money(l.lifetime_value)} · health ${l.health}${l.thank_you_due ? ' · thank-you due ♥' : ''}`)))),
  ];
}

function coldLists(r) {
  const list = (title, items, empty) => h('div', { class: 'cold-col' }, h('h3', null, title),
    items.length ? h('ul', { class: 'plain-list' }, items.map(c => h('li', null, h('a', { href: `/contacts/${c.id}`, dir: 'auto' }, c.name)))) : h('p', { class: 'muted small' }, empty));
  return h('div', { class: 'cold-grid' },
    list('Going cold', r.going_cold, 'No one is going cold.'),
    list('Thank-you due', r.thank_you_due, 'Every loyal client was thanked recently.'),
    list('Digital-only', r.digital_only, 'Everyone has had a human touch.'));
}

function niceStep(max) { const raw = max / 4; const p = 10 ** Math.floor(Math.log10(raw)); return [1, 2, 5, 10].map(m => m * p).find(s => s >= raw); }
function monthName(ym, short) {
  const [y, m] = ym.split('-').map(Number);
  return new Intl.DateTimeFormat(undefined, short ? { month: 'short', timeZone: 'UTC' } : { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
}
function short(v) { return v >= 1e6 ? (v / 1e6).toFixed(1) + 'M' : v >= 1e3 ? Math.round(v / 1e3) + 'k' : String(Math.round(v)); }
function firstName(n) { const m = n.match(/\(([^)]+)\)/); return (m ? m[1] : n).split(/\s+/)[0]; }
