// The action console: a form per action, generated from its input schema,
// checked field by field before sending; the JSON result (or the dry run's
// Zoom request) after.
import { api, ApiError, listOf } from './api.js';
import { h, mount } from './dom.js';
import { schemaForm } from './schema.js';
import { errorCallout, resolutionFor, resolutionButton, roleAtLeast, busy } from './ui.js';

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export class ActionConsole {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.actions = [];
    this.pendingKey = null; // kept while a send's answer is unknown (network failure)
  }

  async load() {
    try {
      this.actions = listOf(await api('GET', '/api/v1/actions'), 'actions');
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      mount(this.root, errorCallout(err, { title: 'The actions could not be read' }));
      return [];
    }
    this.actions.sort((a, b) => a.name.localeCompare(b.name));
    this.render();
    return this.actions;
  }

  render() {
    const canRun = roleAtLeast(this.ctx.session.role, 'operator');
    this.select = h('select', { id: 'action-select', name: 'action', 'aria-describedby': 'action-summary' },
      this.actions.map((a) => h('option', { value: a.name }, a.name)));
    this.select.addEventListener('change', () => this.pick(this.select.value));
    this.summary = h('p', { id: 'action-summary', class: 'help' });
    this.meta = h('div', { class: 'action-meta' });
    this.fieldsBox = h('div', { id: 'action-fields' });
    this.formError = h('div', { id: 'action-error' });
    this.runBtn = h('button', { type: 'submit', class: 'btn btn-primary', id: 'action-run', value: 'run' }, 'Run');
    this.dryBtn = h('button', { type: 'submit', class: 'btn', id: 'action-dry', value: 'dry' }, 'Dry run');
    this.form = h('form', { id: 'action-form', novalidate: true, 'aria-labelledby': 'action-form-title' },
      h('h3', { id: 'action-form-title', text: 'Input' }),
      this.fieldsBox, this.formError,
      canRun ? h('div', { class: 'actions-row' }, this.runBtn, this.dryBtn)
        : h('p', { class: 'callout callout-info', id: 'console-readonly', text: 'You can browse the actions and their fields. Running them needs the operator or admin role.' }));
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const dry = ev.submitter && ev.submitter.value === 'dry';
      this.send(dry, ev.submitter || this.runBtn);
    });
    this.result = h('div', { id: 'action-result', class: 'result', 'aria-live': 'polite' },
      h('p', { class: 'muted', text: 'The result appears here.' }));
    mount(this.root, h('div', { class: 'console' },
      h('div', { class: 'card' },
        h('div', { class: 'field' }, h('label', { for: 'action-select', text: 'Action' }), this.select, this.summary),
        this.meta, this.form),
      h('section', { class: 'card result-card', 'aria-labelledby': 'result-title' },
        h('h3', { id: 'result-title', text: 'Result' }), this.result)));
    const first = this.actions.find((a) => a.name === 'create_meeting') || this.actions[0];
    if (first) {
      this.select.value = first.name;
      this.pick(first.name);
    }
  }

  async pick(name) {
    const a = this.actions.find((x) => x.name === name);
    this.current = a;
    this.pendingKey = null;
    mount(this.formError);
    this.summary.textContent = a.summary || '';
    const scopes = Array.isArray(a.scopes) ? a.scopes : a.scopes ? String(a.scopes).split(/\s+/) : [];
    mount(this.meta,
      a.kind ? h('span', { class: 'chip chip-kind', text: a.kind }) : null,
      scopes.map((s) => h('span', { class: 'chip', title: 'Zoom scope', text: s })));
    let schema = a.input_schema;
    if (!schema) {
      try {
        const full = await api('GET', `/api/v1/actions/${encodeURIComponent(name)}`);
        schema = full.input_schema;
        a.input_schema = schema;
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        mount(this.fieldsBox, errorCallout(err, { title: 'The action\'s fields could not be read' }));
        return;
      }
    }
    mount(this.fieldsBox);
    this.schemaForm = schemaForm(schema || { type: 'object' }, this.fieldsBox);
  }

  async send(dry, button) {
    const a = this.current;
    const { value, problems } = this.schemaForm.read();
    const shown = this.schemaForm.showProblems(problems);
    mount(this.formError);
    if (problems.length) {
      const nFields = new Set(problems.map((p) => p.field)).size;
      mount(this.formError, h('div', { class: 'callout callout-error', role: 'alert' },
        h('p', { class: 'callout-title', text: `${nFields} field${nFields === 1 ? ' needs' : 's need'} fixing before this can be sent` }),
        shown.unplaced.length ? h('ul', {}, shown.unplaced.map((p) => h('li', { text: `${p.field || 'input'}: ${p.message}` }))) : null));
      if (shown.first) shown.first.input.focus();
      return;
    }
    const key = this.pendingKey || newKey();
    this.pendingKey = dry ? null : key;
    try {
      const out = await busy(button, dry ? 'Checking…' : 'Running…', () => api('POST',
        `/api/v1/actions/${encodeURIComponent(a.name)}`,
        { body: value, query: dry ? { dry_run: 1 } : undefined, headers: dry ? {} : { 'Idempotency-Key': key } }));
      this.pendingKey = null;
      this.showResult(out, dry);
      this.result.scrollIntoView({ block: 'nearest' });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status) this.pendingKey = null; // answered: the next send is a new request
      const placed = this.schemaForm.showProblems(err.problems);
      const admin = roleAtLeast(this.ctx.session.role, 'admin');
      const fix = admin ? resolutionButton(resolutionFor(err), { onRetry: () => this.form.requestSubmit(button) }) : null;
      mount(this.result, errorCallout(err, { title: dry ? 'The dry run was refused' : `${a.name} failed`, actions: fix ? [fix] : [] }));
      if (!placed.first) this.result.scrollIntoView({ block: 'nearest' });
      if (placed.first) placed.first.input.focus();
      if (err.code === 'EREAUTH' || err.code === 'ENOTCONNECTED' || err.code === 'ESCOPE') this.ctx.connectionChanged();
    }
  }

  showResult(out, dry) {
    const json = h('pre', { id: 'result-json', tabindex: '0', 'aria-label': 'Result JSON' }, JSON.stringify(out, null, 2));
    if (dry || (out && out.dry_run)) {
      const r = (out && out.request) || {};
      mount(this.result,
        h('p', { class: 'outcome' }, h('span', { class: 'status status-ok', text: 'Dry run: valid, nothing sent' })),
        h('p', {}, 'Zoom would get ', h('code', { id: 'dry-request', text: `${r.method || ''} ${r.path || ''}` })),
        json);
      return;
    }
    const warnings = (out && Array.isArray(out.warnings)) ? out.warnings : [];
    mount(this.result,
      h('p', { class: 'outcome' }, h('span', { class: 'status status-ok', id: 'result-outcome', text: out && out.outcome ? String(out.outcome) : 'done' })),
      warnings.length ? h('div', { class: 'callout callout-warn' }, h('p', { class: 'callout-title', text: 'Warnings' }),
        h('ul', {}, warnings.map((w) => h('li', { text: typeof w === 'string' ? w : w.message || JSON.stringify(w) })))) : null,
      json);
  }
}
