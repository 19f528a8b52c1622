// Admin sections: accounts, API keys (the key shown once) and the audit log.
import { api, ApiError, listOf } from './api.js';
import { h, mount, timeEl, confirmDialog, newId, $ } from './dom.js';
import { errorCallout, busy } from './ui.js';

const ROLE_NAMES = ['viewer', 'operator', 'admin'];

function roleSelect(id, value, label) {
  return h('select', { id, name: 'role', 'aria-label': label || null },
    ROLE_NAMES.map((r) => h('option', { value: r, selected: r === value || null }, r)));
}

// A table's scroll box: reachable by keyboard, named for screen readers.
function tableWrap(label, table) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label }, table);
}

function cell(label, ...kids) {
  return h('td', { 'data-label': label }, kids);
}

export class Accounts {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
  }

  async load() {
    this.errorSlot = h('div');
    let rows = [];
    try {
      rows = listOf(await api('GET', '/api/v1/accounts'), 'accounts', 'members');
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      mount(this.root, errorCallout(err, { title: 'The accounts could not be read' }));
      return;
    }
    const me = this.ctx.session.account && this.ctx.session.account.id;
    const table = h('table', { class: 'stack', id: 'accounts-table' },
      h('caption', { class: 'visually-hidden', text: 'Accounts of this org' }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Email' }), h('th', { scope: 'col', text: 'Role' }),
        h('th', { scope: 'col', text: 'Added' }), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Actions' })))),
      h('tbody', {}, rows.map((a) => {
        const sel = roleSelect(newId('role'), a.role, `Role of ${a.email}`);
        sel.addEventListener('change', () => this.patch(a, sel));
        return h('tr', { 'data-account': a.email },
          cell('Email', a.email, a.id === me ? h('span', { class: 'muted', text: ' (you)' }) : null),
          cell('Role', sel),
          cell('Added', timeEl(a.created_at, '—')),
          cell('Actions', h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', disabled: a.id === me || null,
            onclick: () => this.remove(a) }, 'Remove', h('span', { class: 'visually-hidden', text: ` ${a.email}` }))));
      })));
    const form = h('form', { class: 'inline-form', id: 'account-form', novalidate: true, 'aria-labelledby': 'account-form-title' },
      h('div', { class: 'field' }, h('label', { for: 'acc-email', text: 'Email' }),
        h('input', { id: 'acc-email', type: 'email', name: 'email', autocomplete: 'off', required: true })),
      h('div', { class: 'field' }, h('label', { for: 'acc-password', text: 'Initial password' }),
        h('input', { id: 'acc-password', type: 'password', name: 'password', autocomplete: 'new-password', required: true })),
      h('div', { class: 'field' }, h('label', { for: 'acc-role', text: 'Role' }), roleSelect('acc-role', 'viewer')),
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add account'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.add(form, ev.submitter);
    });
    mount(this.root,
      h('div', { class: 'card' }, this.errorSlot,
        rows.length ? tableWrap('Accounts table', table) : h('p', { class: 'empty', text: 'No accounts yet.' })),
      h('div', { class: 'card' }, h('h3', { id: 'account-form-title', text: 'Add an account' }), form));
  }

  async add(form, button) {
    const body = { email: form.querySelector('#acc-email').value.trim(),
      password: form.querySelector('#acc-password').value, role: form.querySelector('#acc-role').value };
    try {
      await busy(button, 'Adding…', () => api('POST', '/api/v1/accounts', { body }));
      await this.load();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      mount(this.errorSlot, errorCallout(err, { title: 'The account was not added' }));
    }
  }

  async patch(a, sel) {
    try {
      await api('PATCH', `/api/v1/accounts/${encodeURIComponent(a.id)}`, { body: { role: sel.value } });
      a.role = sel.value;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      sel.value = a.role;
      mount(this.errorSlot, errorCallout(err, { title: 'The role was not changed' }));
    }
  }

  async remove(a) {
    if (!(await confirmDialog({ title: `Remove ${a.email}?`, text: 'They can no longer sign in to this org. Their audit entries stay.', ok: 'Remove' }))) return;
    try {
      await api('DELETE', `/api/v1/accounts/${encodeURIComponent(a.id)}`);
      await this.load();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      mount(this.errorSlot, errorCallout(err, { title: 'The account was not removed' }));
    }
  }
}

export class Keys {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    const copy = $('#key-copy');
    if (copy && !copy.dataset.bound) {
      copy.dataset.bound = '1';
      copy.addEventListener('click', async () => {
        const input = $('#key-value');
        let ok = false;
        try {
          await navigator.clipboard.writeText(input.value);
          ok = true;
        } catch {
          input.select();
          ok = document.execCommand && document.execCommand('copy');
        }
        $('#key-copied').textContent = ok ? 'Copied to the clipboard.' : 'Select the key and copy it by hand.';
      });
      $('#key-dialog').addEventListener('close', () => {
        $('#key-value').value = '';
        $('#key-copied').textContent = '';
      });
    }
  }

  async load() {
    this.errorSlot = h('div');
    let rows = [];
    try {
      rows = listOf(await api('GET', '/api/v1/keys'), 'keys');
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      mount(this.root, errorCallout(err, { title: 'The API keys could not be read' }));
      return;
    }
    const table = h('table', { class: 'stack', id: 'keys-table' },
      h('caption', { class: 'visually-hidden', text: 'API keys of this org' }),
      h('thead', {}, h('tr', {}, ['Name', 'Key id', 'Role', 'Created', 'Expires', 'Last used'].map((t) => h('th', { scope: 'col', text: t })),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Actions' })))),
      h('tbody', {}, rows.map((k) => h('tr', { 'data-key': k.name || k.id },
        cell('Name', k.name || '—'),
        cell('Key id', h('code', { text: k.id })),
        cell('Role', h('span', { class: 'badge', text: k.role })),
        cell('Created', timeEl(k.created_at, '—')),
        cell('Expires', timeEl(k.expires_at, 'Never')),
        cell('Last used', timeEl(k.last_used_at, 'Never')),
        cell('Actions', k.revoked || k.revoked_at ? h('span', { class: 'muted', text: 'Revoked' })
          : h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', onclick: () => this.revoke(k) },
            'Revoke', h('span', { class: 'visually-hidden', text: ` ${k.name || k.id}` })))))));
    const form = h('form', { class: 'inline-form', id: 'key-form', novalidate: true, 'aria-labelledby': 'key-form-title' },
      h('div', { class: 'field' }, h('label', { for: 'key-name', text: 'Name' }),
        h('input', { id: 'key-name', type: 'text', name: 'name', autocomplete: 'off', required: true, placeholder: 'e.g. HR sync' })),
      h('div', { class: 'field' }, h('label', { for: 'key-role', text: 'Role' }), roleSelect('key-role', 'operator')),
      h('div', { class: 'field' }, h('label', { for: 'key-days', text: 'Expires after (days)' }),
        h('input', { id: 'key-days', type: 'text', inputmode: 'numeric', name: 'days', autocomplete: 'off', 'aria-describedby': 'key-days-help' }),
        h('p', { class: 'help', id: 'key-days-help', text: 'Leave empty for a key that does not expire.' }),
        h('p', { class: 'field-error', id: 'key-days-err', hidden: true })),
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create key'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.create(form, ev.submitter);
    });
    mount(this.root,
      h('div', { class: 'card' }, this.errorSlot,
        rows.length ? tableWrap('API keys table', table) : h('p', { class: 'empty', text: 'No API keys yet.' })),
      h('div', { class: 'card' }, h('h3', { id: 'key-form-title', text: 'Create an API key' }), form));
  }

  async create(form, button) {
    const days = form.querySelector('#key-days');
    const err = form.querySelector('#key-days-err');
    const body = { name: form.querySelector('#key-name').value.trim(), role: form.querySelector('#key-role').value };
    err.hidden = true;
    days.removeAttribute('aria-invalid');
    if (days.value.trim()) {
      if (!/^\d{1,4}$/.test(days.value.trim()) || Number(days.value) < 1) {
        err.hidden = false;
        err.textContent = 'Must be a whole number of days, 1 to 9999.';
        days.setAttribute('aria-invalid', 'true');
        days.focus();
        return;
      }
      body.expires_in = Number(days.value) * 86400;
    }
    try {
      const made = await busy(button, 'Creating…', () => api('POST', '/api/v1/keys', { body }));
      $('#key-value').value = made.key || '';
      $('#key-dialog').showModal();
      $('#key-value').select();
      await this.load();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      mount(this.errorSlot, errorCallout(e, { title: 'The key was not created' }));
    }
  }

  async revoke(k) {
    if (!(await confirmDialog({ title: `Revoke ${k.name || k.id}?`, text: 'Machines using it are refused from now on. This cannot be undone.', ok: 'Revoke' }))) return;
    try {
      await api('DELETE', `/api/v1/keys/${encodeURIComponent(k.id)}`);
      await this.load();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      mount(this.errorSlot, errorCallout(err, { title: 'The key was not revoked' }));
    }
  }
}

export class Audit {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
  }

  async load(before) {
    let data;
    try {
      data = await api('GET', '/api/v1/audit', { query: { limit: 50, before } });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      mount(this.root, errorCallout(err, { title: 'The audit log could not be read' }));
      return;
    }
    const rows = listOf(data, 'entries', 'events', 'audit');
    if (!before) {
      this.tbody = h('tbody');
      this.more = h('div', { class: 'actions-row' });
      mount(this.root, h('div', { class: 'card' },
        tableWrap('Audit log entries', h('table', { class: 'stack', id: 'audit-table' },
          h('caption', { class: 'visually-hidden', text: 'Audit log, newest first' }),
          h('thead', {}, h('tr', {}, ['Time', 'Actor', 'Action', 'Detail', 'Outcome'].map((t) => h('th', { scope: 'col', text: t })))),
          this.tbody)),
        rows.length ? null : h('p', { class: 'empty', text: 'Nothing has changed yet.' }),
        this.more));
    }
    for (const e of rows) {
      const outcome = String(e.outcome ?? (e.ok === false ? 'failed' : 'ok'));
      const actor = typeof e.actor === 'object' && e.actor ? e.actor.email || e.actor.id : e.actor || e.actor_email || '—';
      this.tbody.append(h('tr', {},
        cell('Time', timeEl(e.at || e.time || e.created_at, '—')),
        cell('Actor', actor),
        cell('Action', h('code', { text: e.action || e.event || '—' })),
        cell('Detail', e.detail || e.target || e.object || ''),
        cell('Outcome', h('span', { class: /^(ok|success|succeeded)$/i.test(outcome) ? 'outcome-ok' : 'outcome-bad', text: outcome }),
          e.error ? h('span', { class: 'muted', text: ` ${typeof e.error === 'string' ? e.error : e.error.code || ''}` }) : null)));
    }
    // the service's opaque cursor, null on the last page
    const cursor = data && data.next_before;
    mount(this.more, cursor ? h('button', { type: 'button', class: 'btn', onclick: () => this.load(cursor) }, 'Show older entries') : null);
  }
}
