// The Runs tab: the org's workflows (GET /api/v1/workflows) and its recent
// runs (GET /api/v1/runs, newest first, paged by the service's opaque
// next_before), each opening to its steps (GET /api/v1/runs/{id}: state,
// attempts, output, error). Operators and admins get Retry on a failed run
// and Cancel on one that has not ended (POST .../retry, .../cancel); the
// service enforces the role, the page only leaves the buttons out.
import { api, ApiError, listOf } from './api.js';
import { h, mount, timeEl, confirmDialog } from './dom.js';
import { errorCallout, roleAtLeast, busy } from './ui.js';

const STATE = {
  done: 'status-ok', running: 'status-warn', queued: 'status-off', failed: 'status-bad',
  cancelled: 'status-off', sent: 'status-warn', pending: 'status-off', skipped: 'status-off',
};

function badge(state) {
  const s = String(state || 'unknown');
  return h('span', { class: `status ${STATE[s] || 'status-off'}`, text: s });
}

function cell(label, ...kids) {
  return h('td', { 'data-label': label }, kids);
}

function tableWrap(label, table) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label }, table);
}

function trigger(on) {
  if (!on || typeof on !== 'object') return '—';
  const k = Object.keys(on)[0];
  if (!k) return '—';
  const v = on[k];
  return `${k}: ${typeof v === 'object' ? v.cron || JSON.stringify(v) : v}`;
}

function outputText(o) {
  if (o === null || o === undefined) return '';
  const s = JSON.stringify(o, null, 2);
  return s.length > 4000 ? `${s.slice(0, 4000)}\n…` : s;
}

function stepRow(s) {
  const e = s.error;
  return h('li', { class: 'run-step', dataset: { step: s.id, state: s.state } },
    h('div', { class: 'doctor-head' }, badge(s.state),
      h('strong', { text: ` ${s.id}${s.item !== undefined && s.item !== null ? ` [${s.item}]` : ''}` }),
      h('span', { class: 'muted', text: ` · ${s.attempts || 0} attempt${s.attempts === 1 ? '' : 's'}` })),
    e ? h('div', { class: 'callout callout-error run-step-error' },
      h('p', { class: 'callout-title', text: e.message || e.code || 'failed' }),
      e.hint ? h('p', {}, h('span', { class: 'hint-label', text: 'What to do: ' }), e.hint) : null,
      e.code ? h('p', { class: 'meta', text: e.code }) : null) : null,
    s.output !== null && s.output !== undefined
      ? h('details', {}, h('summary', { text: 'Output' }), h('pre', { class: 'run-output', text: outputText(s.output) }))
      : null);
}

export class Runs {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
  }

  canAct() {
    return roleAtLeast(this.ctx.session.role, 'operator');
  }

  async load() {
    let wf;
    try {
      wf = await api('GET', '/api/v1/workflows');
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      mount(this.root, errorCallout(err, { title: 'The workflows could not be read' }));
      return;
    }
    const flows = listOf(wf, 'workflows');
    this.tbody = h('tbody');
    this.more = h('div', { class: 'actions-row' });
    this.detail = h('div', { id: 'run-detail' });
    const refresh = h('button', { type: 'button', class: 'btn', id: 'runs-refresh' }, 'Refresh');
    refresh.addEventListener('click', () => busy(refresh, 'Refreshing…', () => this.load()));
    mount(this.root,
      h('div', { class: 'card', id: 'workflows-card' },
        h('h3', { text: 'Workflows' }),
        flows.length ? tableWrap('Workflows', h('table', { class: 'stack', id: 'workflows-table' },
          h('thead', {}, h('tr', {}, ['Name', 'Version', 'Trigger', 'Steps', 'Description'].map((t) => h('th', { scope: 'col', text: t })))),
          h('tbody', {}, flows.map((w) => h('tr', { dataset: { workflow: w.name } },
            cell('Name', h('code', { text: w.name })),
            cell('Version', String(w.version)),
            cell('Trigger', trigger(w.on)),
            cell('Steps', String(w.steps ?? '')),
            cell('Description', w.description || '')))))) : h('p', { class: 'empty', text: 'No workflow yet: start the service with --workflows DIR or POST one to /api/v1/workflows.' })),
      h('div', { class: 'card', id: 'runs-card' },
        h('h3', { text: 'Recent runs' }),
        tableWrap('Runs', h('table', { class: 'stack', id: 'runs-table' },
          h('caption', { class: 'visually-hidden', text: 'Runs, newest first' }),
          h('thead', {}, h('tr', {}, ['Run', 'Workflow', 'State', 'Trigger', 'Started', ''].map((t) => h('th', { scope: 'col', text: t })))),
          this.tbody)),
        this.more,
        h('div', { class: 'actions-row' }, refresh)),
      this.detail);
    await this.page();
  }

  async page(before) {
    let data;
    try {
      data = await api('GET', '/api/v1/runs', { query: { limit: 25, before } });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      mount(this.more, errorCallout(err, { title: 'The runs could not be read' }));
      return;
    }
    const runs = listOf(data, 'runs');
    if (!before && !runs.length) this.tbody.append(h('tr', {}, h('td', { colspan: '6', class: 'empty', text: 'No run yet.' })));
    for (const r of runs) this.tbody.append(this.row(r));
    const cursor = data && data.next_before;
    mount(this.more, cursor ? h('button', { type: 'button', class: 'btn', onclick: () => this.page(cursor) }, 'Show older runs') : null);
  }

  row(r) {
    const open = h('button', { type: 'button', class: 'btn btn-small', dataset: { open: String(r.id) } }, 'Steps');
    open.addEventListener('click', () => this.show(r.id, open));
    const t = r.trigger || {};
    return h('tr', { dataset: { run: String(r.id), state: r.state } },
      cell('Run', `#${r.id}`),
      cell('Workflow', h('code', { text: r.workflow }), h('span', { class: 'muted', text: ` v${r.version}` })),
      cell('State', badge(r.state)),
      cell('Trigger', t.kind ? `${t.kind}${t.id ? `: ${t.id}` : ''}` : '—'),
      cell('Started', timeEl(r.created_at, '—')),
      cell('', open));
  }

  async show(id, button) {
    let r;
    try {
      const get = () => api('GET', `/api/v1/runs/${encodeURIComponent(id)}`);
      r = button ? await busy(button, 'Loading…', get) : await get();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      mount(this.detail, errorCallout(err, { title: `Run #${id} could not be read` }));
      return;
    }
    const actions = h('div', { class: 'actions-row' });
    if (this.canAct() && r.state === 'failed') {
      actions.append(this.actButton(r, 'retry', 'Retry from the failed step', 'btn btn-primary'));
    }
    if (this.canAct() && ['queued', 'running', 'failed'].includes(r.state)) {
      actions.append(this.actButton(r, 'cancel', 'Cancel', 'btn btn-danger'));
    }
    const err = r.error;
    mount(this.detail, h('div', { class: 'card', id: 'run-card', dataset: { run: String(r.id), state: r.state } },
      h('h3', {}, `Run #${r.id} · `, h('code', { text: r.workflow }), ` v${r.version} `, badge(r.state)),
      h('p', { class: 'muted' }, 'Started ', timeEl(r.created_at, '—'), r.finished_at ? h('span', {}, ' · ended ', timeEl(r.finished_at, '—')) : null),
      err ? h('div', { class: 'callout callout-error' },
        h('p', { class: 'callout-title', text: err.message || err.code || 'failed' }),
        err.hint ? h('p', {}, h('span', { class: 'hint-label', text: 'What to do: ' }), err.hint) : null) : null,
      h('ol', { class: 'doctor-list run-steps' }, (r.steps || []).map(stepRow)),
      actions));
  }

  actButton(r, what, label, cls) {
    const b = h('button', { type: 'button', class: cls, id: `run-${what}` }, label);
    b.addEventListener('click', async () => {
      if (what === 'cancel' && !(await confirmDialog({
        title: `Cancel run #${r.id}?`,
        text: 'Steps not yet sent are not sent. What Zoom already did stays done.',
        ok: 'Cancel the run',
      }))) return;
      try {
        await busy(b, what === 'retry' ? 'Queueing…' : 'Cancelling…', () => api('POST', `/api/v1/runs/${r.id}/${what}`));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        mount(this.detail, errorCallout(err, { title: `Run #${r.id} was not ${what === 'retry' ? 'retried' : 'cancelled'}` }));
        return;
      }
      await this.load();
      await this.show(r.id);
    });
    return b;
  }
}
