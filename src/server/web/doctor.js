// The Doctor panel (admins): GET /api/v1/doctor, one row per check with
// its verdict, what it found and what to do, as `zoomflow doctor` prints
// it. The report is the library's; the panel only lays it out. "Run again"
// asks the service anew (the checks make one cheap call to Zoom).
import { api, ApiError } from './api.js';
import { h, mount } from './dom.js';
import { errorCallout, busy } from './ui.js';

const STATUS = { ok: 'status-ok', warn: 'status-warn', fail: 'status-bad' };
const WORD = { ok: 'OK', warn: 'Warning', fail: 'Needs action' };

function row(c) {
  const v = STATUS[c.verdict] ? c.verdict : 'fail';
  return h('li', { class: 'doctor-check', dataset: { check: c.check, verdict: v } },
    h('div', { class: 'doctor-head' },
      h('span', { class: `status ${STATUS[v]}`, text: WORD[v] }),
      h('h3', { class: 'doctor-title', text: c.title || c.check })),
    h('p', { class: 'doctor-found', text: c.found || '' }),
    c.todo ? h('p', { class: 'doctor-todo' }, h('span', { class: 'hint-label', text: 'What to do: ' }), c.todo) : null,
    c.hint_id ? h('p', { class: 'meta', text: c.hint_id }) : null);
}

export class Doctor {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
  }

  async load(button) {
    let r;
    try {
      const ask = () => api('GET', '/api/v1/doctor');
      r = button ? await busy(button, 'Checking…', ask) : await ask();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      mount(this.root, errorCallout(err, { title: 'The doctor could not run' }));
      return;
    }
    const n = r.counts || {};
    const v = STATUS[r.verdict] ? r.verdict : 'fail';
    const again = h('button', { type: 'button', class: 'btn', id: 'doctor-again' }, 'Run again');
    again.addEventListener('click', () => this.load(again));
    mount(this.root, h('div', { class: 'card', id: 'doctor-report', dataset: { verdict: v } },
      h('div', { class: 'doctor-summary' },
        h('span', { class: `status ${STATUS[v]}`, id: 'doctor-verdict', text: WORD[v] }),
        h('span', { class: 'muted', text: ` ${n.fail || 0} need action, ${n.warn || 0} warnings, ${n.ok || 0} ok` })),
      h('ul', { class: 'doctor-list' }, (r.checks || []).map(row)),
      h('div', { class: 'actions-row' }, again)));
  }
}
