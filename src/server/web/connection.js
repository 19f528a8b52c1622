// The Zoom app card: Connect (user OAuth), Server-to-Server credentials,
// and, when connected, the account, scopes, token times, the last error with
// the button that resolves it, and Disconnect.
import { api, ApiError } from './api.js';
import { h, mount, timeEl, confirmDialog } from './dom.js';
import { errorCallout, resolutionFor, resolutionButton, roleAtLeast, busy, banner } from './ui.js';

function words(v) {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.split(/[\s,]+/).filter(Boolean);
  return [];
}

// GET /api/v1/connection in one shape, whichever spelling the service used
// (the CLI's status JSON: state VALID/NEEDS_REAUTH, granted_scopes, ...).
export function normalizeConnection(raw) {
  const c = (raw && (raw.connection || raw)) || {};
  const state = String(c.state || (c.connected ? 'connected' : 'absent')).toLowerCase();
  const connected = c.connected !== undefined ? !!c.connected
    : !['absent', 'not_connected', 'none', 'disconnected', 'missing'].includes(state);
  const needsReauth = /reauth|re-auth|needs_reconnect/.test(state);
  const sc = c.scopes && !Array.isArray(c.scopes) ? c.scopes : {};
  const granted = words(sc.granted ?? c.granted_scopes ?? (Array.isArray(c.scopes) ? c.scopes : c.scope));
  const required = words(sc.required ?? c.required_scopes);
  // missing_scopes: names, or [{scope, actions: [...]}] with the actions each disables
  const missingRaw = sc.missing ?? c.missing_scopes;
  const disables = new Map();
  let missing = [];
  if (Array.isArray(missingRaw)) {
    for (const m of missingRaw) {
      if (m && typeof m === 'object') {
        missing.push(String(m.scope));
        disables.set(String(m.scope), words(m.actions));
      } else missing.push(String(m));
    }
  } else missing = words(missingRaw);
  if (!missing.length && required.length && connected) missing = required.filter((s) => !granted.includes(s));
  const acct = c.account && typeof c.account === 'object' ? c.account : {};
  let le = c.last_error || null;
  if (typeof le === 'string') le = { message: le, hint: c.hint || c.last_hint || '' };
  let lastError = null;
  if (le) {
    // the setup page's words for it: {title, cause, resolution, button: {label, href}}
    const seed = le.resolution && typeof le.resolution === 'object' ? le.resolution : null;
    lastError = {
      code: le.code || (needsReauth ? 'EREAUTH' : ''),
      title: (seed && seed.title) || '',
      message: le.message || '',
      cause: (seed && seed.cause) || '',
      resolution: (seed && seed.resolution) || (typeof le.resolution === 'string' ? le.resolution : ''),
      hint: le.hint || '',
      hintId: le.hint_id ?? le.hintId ?? '',
      button: seed && seed.button && seed.button.href ? seed.button : null,
      at: le.at || le.time || c.last_error_at,
    };
    if (!lastError.message && !lastError.cause && !lastError.hint) lastError = null;
  }
  const kind = String(c.kind || c.type || '').toLowerCase();
  return {
    connected,
    needsReauth,
    state,
    kind: kind === 's2s' || kind.startsWith('server') ? 's2s' : kind ? 'oauth' : '',
    accountId: acct.id || c.account_id || '',
    accountName: acct.name || acct.email || c.account_email || c.account_name || c.user_email || '',
    userId: acct.user_id || c.user_id || '',
    granted,
    required,
    missing,
    disables,
    unavailable: Array.isArray(c.unavailable_actions) ? c.unavailable_actions : [],
    expiresAt: (c.token && c.token.expires_at) ?? c.access_expires_at ?? c.token_expires_at ?? c.expires_at,
    lastRefreshAt: (c.token && c.token.last_refresh_at) ?? c.last_refresh_at ?? c.refreshed_at,
    connectedAt: c.connected_at,
    connectedBy: c.connected_by || '',
    redirectUri: (c.oauth && c.oauth.redirect_uri) || '',
    oauthConfigured: !(c.oauth && c.oauth.configured === false),
    lastError,
  };
}

// The actions each missing scope disables: the service's list when it sent
// one, else from the actions' own scopes.
function disabledBy(conn, actions) {
  const map = new Map(conn.missing.map((s) => [s, new Set(conn.disables.get(s) || [])]));
  for (const u of conn.unavailable) if (u && map.has(u.scope)) map.get(u.scope).add(u.action);
  for (const a of actions || []) {
    for (const s of words(a.scopes)) if (map.has(s)) map.get(s).add(a.name);
  }
  return map;
}

export class ConnectionCard {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx; // {session, actions(), refreshActions()}
  }

  async load() {
    let raw = null;
    this.loadError = null;
    try {
      raw = await api('GET', '/api/v1/connection');
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.code === 'ENOTCONNECTED' || err.status === 404) raw = { state: 'not_connected' };
      else this.loadError = err;
    }
    this.conn = normalizeConnection(raw);
    this.render();
    return this.conn;
  }

  isAdmin() {
    return roleAtLeast(this.ctx.session.role, 'admin');
  }

  render() {
    const c = this.conn;
    const admin = this.isAdmin();
    const status = !c.connected ? h('span', { class: 'status status-off', id: 'conn-status' }, 'Not connected')
      : c.needsReauth || c.lastError && c.lastError.code === 'EREAUTH'
        ? h('span', { class: 'status status-bad', id: 'conn-status' }, 'Needs reconnecting')
        : c.missing.length ? h('span', { class: 'status status-warn', id: 'conn-status' }, 'Connected, scopes missing')
          : h('span', { class: 'status status-ok', id: 'conn-status' }, 'Connected');

    const head = h('div', { class: 'card-head' },
      h('div', { class: 'app-title' },
        h('img', { src: '/assets/zoom-mark.svg', alt: '', width: 40, height: 40 }),
        h('div', {}, h('h3', { text: 'Zoom' }), h('p', { class: 'muted', text: 'Video meetings, users and recordings' }))),
      status);

    const parts = [head];
    if (this.loadError) parts.push(errorCallout(this.loadError, { title: 'The connection could not be read' }));
    if (c.lastError && (c.lastError.message || c.lastError.hint)) parts.push(this.lastErrorBox(c.lastError, admin));

    if (!c.connected) {
      parts.push(h('p', { text: 'Connect Zoom so that workflows can schedule meetings, manage users and registrants and fetch recordings for this org.' }));
      if (admin) {
        parts.push(h('div', { class: 'actions-row' },
          h('a', { class: 'btn btn-primary', href: '/oauth/zoom/connect', id: 'connect' }, 'Connect')));
        parts.push(this.s2sForm(false));
      } else {
        parts.push(h('p', { class: 'callout callout-info', text: 'Only an org admin can connect Zoom. Ask one of your admins to connect it.' }));
      }
    } else {
      parts.push(this.facts(c));
      parts.push(this.scopes(c));
      if (admin) {
        parts.push(h('div', { class: 'actions-row' },
          c.kind === 's2s' ? null : h('a', { class: 'btn', href: '/oauth/zoom/connect', id: 'reconnect-plain' }, 'Reconnect'),
          h('button', { type: 'button', class: 'btn btn-danger-quiet', id: 'disconnect', onclick: () => this.disconnect() }, 'Disconnect')));
        if (c.kind === 's2s') parts.push(this.s2sForm(true));
      }
    }
    mount(this.root, h('article', { class: 'card app-card', 'aria-labelledby': 'zoom-card-title' },
      h('h2', { id: 'zoom-card-title', class: 'visually-hidden', text: 'Zoom app' }), parts));
  }

  lastErrorBox(e, admin) {
    let button = null;
    if (admin && e.button && /^\/oauth\/zoom\/connect$/.test(e.button.href)) {
      button = h('a', { class: 'btn btn-primary', href: e.button.href, 'data-action': 'reconnect' }, e.button.label || 'Reconnect');
    } else if (e.button && /^https:\/\/[^/]*zoom\.us(\/|$)/.test(e.button.href)) {
      button = h('a', { class: 'btn', href: e.button.href, target: '_blank', rel: 'noopener noreferrer' },
        e.button.label || 'Open', h('span', { class: 'visually-hidden' }, ' (opens a new tab)'));
    } else if (admin) {
      button = resolutionButton(resolutionFor(e), { onS2S: () => this.openS2S(), onRetry: () => this.load() });
    }
    const fix = e.resolution || e.hint;
    return h('div', { class: 'callout callout-error', role: 'alert', id: 'last-error' },
      h('p', { class: 'callout-title', text: e.title || 'Last error' }),
      e.message ? h('p', { class: 'error-message', text: e.message }) : null,
      e.cause ? h('p', { class: 'error-cause' }, h('span', { class: 'hint-label', text: 'Cause: ' }), e.cause) : null,
      fix ? h('p', { class: 'error-hint' }, h('span', { class: 'hint-label', text: 'Resolution: ' }), fix) : null,
      e.resolution && e.hint && e.hint !== e.resolution ? h('p', { class: 'meta', text: e.hint }) : null,
      button ? h('div', { class: 'actions-row' }, button) : null,
      !admin && (e.button || resolutionFor(e)) ? h('p', { class: 'meta', text: 'An org admin can resolve this.' }) : null,
      e.code || e.at ? h('p', { class: 'meta' }, e.code || '', e.code && e.at ? ' · ' : '', e.at ? timeEl(e.at) : null) : null);
  }

  facts(c) {
    const item = (label, value, id) => h('div', {}, h('dt', { text: label }), h('dd', { id }, value));
    return h('dl', { class: 'facts' },
      item('Connection', c.kind === 's2s' ? 'Server-to-Server app' : 'User OAuth', 'conn-kind'),
      item('Account', c.accountName ? `${c.accountName}${c.accountId ? ` (${c.accountId})` : ''}` : c.accountId || 'Unknown', 'conn-account'),
      c.userId ? item('Authorized user', c.userId, 'conn-user') : null,
      item('Token expires', timeEl(c.expiresAt, 'Unknown'), 'conn-expires'),
      item('Last refresh', timeEl(c.lastRefreshAt, 'Not refreshed yet'), 'conn-refresh'),
      c.connectedAt ? item('Connected', timeEl(c.connectedAt), 'conn-since') : null);
  }

  scopes(c) {
    const disabled = disabledBy(c, this.ctx.actions());
    const required = c.required.length ? c.required : [...new Set([...c.granted, ...c.missing])];
    const rows = required.map((s) => {
      const missing = c.missing.includes(s);
      const acts = [...(disabled.get(s) || [])].sort();
      return h('li', { class: `scope ${missing ? 'scope-missing' : 'scope-granted'}`, 'data-scope': s },
        h('span', { class: 'scope-mark', 'aria-hidden': 'true' }, missing ? '✕' : '✓'),
        h('span', {}, h('code', { text: s }), h('span', { class: 'visually-hidden' }, missing ? ' (missing)' : ' (granted)')),
        missing ? h('span', { class: 'scope-note' },
          acts.length ? `Missing: disables ${acts.join(', ')}` : 'Missing') : null);
    });
    const extra = c.granted.filter((s) => !required.includes(s));
    return h('section', { class: 'scopes-section', 'aria-labelledby': 'scopes-title' },
      h('h3', { id: 'scopes-title' }, 'Scopes ',
        h('span', { class: 'muted', text: `${required.length - c.missing.length} of ${required.length} required granted` })),
      c.missing.length ? h('p', { class: 'callout callout-warn', id: 'scopes-missing' },
        `${c.missing.length} required scope${c.missing.length === 1 ? ' is' : 's are'} missing. Add ${c.missing.length === 1 ? 'it' : 'them'} to the Zoom app, then reconnect.`) : null,
      h('ul', { class: 'scopes', id: 'scope-list' }, rows),
      extra.length ? h('p', { class: 'scope-extra' }, 'Also granted: ', extra.map((s, i) => [i ? ', ' : '', h('code', { text: s })])) : null);
  }

  s2sForm(connected) {
    const err = h('div', { id: 's2s-error' });
    const field = (id, label, type, auto, help) => h('div', { class: 'field' },
      h('label', { for: id, text: label }),
      h('input', { id, name: id, type, autocomplete: auto, spellcheck: 'false', required: true, 'aria-describedby': help ? `${id}-help` : null }),
      help ? h('p', { class: 'help', id: `${id}-help`, text: help }) : null,
      h('p', { class: 'field-error', id: `${id}-err`, hidden: true }));
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, connected ? 'Replace credentials' : 'Save and connect');
    const form = h('form', { class: 's2s-form', novalidate: true, id: 's2s-form' },
      h('p', { class: 'help', text: 'From your Server-to-Server OAuth app in the Zoom App Marketplace (App Credentials page).' }),
      field('s2s-account', 'Account ID', 'text', 'off'),
      field('s2s-client', 'Client ID', 'text', 'off'),
      field('s2s-secret', 'Client secret', 'password', 'new-password', 'Stored encrypted; never shown again.'),
      err, submit);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.submitS2S(form, submit, err);
    });
    const det = h('details', { class: 's2s', id: 's2s' },
      h('summary', {}, 'Use Server-to-Server credentials'), form);
    this.s2sDetails = det;
    return det;
  }

  openS2S() {
    if (!this.s2sDetails) return;
    this.s2sDetails.open = true;
    this.s2sDetails.querySelector('input').focus();
  }

  async submitS2S(form, submit, errSlot) {
    const get = (id) => form.querySelector(`#${id}`);
    const vals = { account_id: get('s2s-account').value.trim(), client_id: get('s2s-client').value.trim(),
      client_secret: get('s2s-secret').value };
    const ids = { account_id: 's2s-account', client_id: 's2s-client', client_secret: 's2s-secret' };
    let bad = null;
    for (const [k, id] of Object.entries(ids)) {
      const el = get(id);
      const msg = form.querySelector(`#${id}-err`);
      if (!vals[k]) {
        msg.hidden = false;
        msg.textContent = 'This field is required.';
        el.setAttribute('aria-invalid', 'true');
        el.setAttribute('aria-describedby', `${id}-err`);
        bad = bad || el;
      } else {
        msg.hidden = true;
        el.removeAttribute('aria-invalid');
      }
    }
    mount(errSlot);
    if (bad) {
      bad.focus();
      return;
    }
    try {
      await busy(submit, 'Connecting…', () => api('POST', '/api/v1/connection', { body: vals }));
      banner('ok', 'Zoom is connected', 'The Server-to-Server credentials work and are stored.');
      await this.load();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      for (const p of err.problems) {
        const id = ids[p.field];
        if (id) {
          const msg = form.querySelector(`#${id}-err`);
          msg.hidden = false;
          msg.textContent = p.message;
          get(id).setAttribute('aria-invalid', 'true');
        }
      }
      mount(errSlot, errorCallout(err, { title: 'Zoom did not accept the credentials' }));
    }
  }

  async disconnect() {
    const ok = await confirmDialog({
      title: 'Disconnect Zoom?',
      text: 'The token is revoked at Zoom and removed here. Workflows and API clients of this org cannot reach Zoom until an admin connects again.',
      ok: 'Disconnect',
    });
    if (!ok) {
      document.getElementById('disconnect')?.focus();
      return;
    }
    try {
      await api('DELETE', '/api/v1/connection');
      banner('ok', 'Zoom is disconnected', 'The token was revoked and removed.');
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      mount(document.getElementById('banner'), errorCallout(err, { title: 'Zoom could not be disconnected' }));
    }
    await this.load();
  }
}

// The OAuth callback's result, from the URL its landing page sends the
// browser to (svcactions' routes/oauth.c): the fragment
//   /#zoom?connect=ok
//   /#zoom?connect=error&code=EAUTH&hint_id=CHECK_REDIRECT_URI&message=..&title=..&cause=..&resolution=..
// (or the same in the query string). The words are shown as text, bounded.
export function oauthResult(location) {
  const frag = location.hash.indexOf('?') >= 0 ? location.hash.slice(location.hash.indexOf('?') + 1) : '';
  let q = new URLSearchParams(frag);
  if (!q.get('connect')) q = new URLSearchParams(location.search);
  const v = q.get('connect');
  if (!v) return null;
  const clean = (s, re) => (s && re.test(s) ? s : '');
  const text = (s) => (s ? s.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 400) : '');
  return {
    ok: v === 'ok',
    code: clean(q.get('code'), /^[A-Z_]{2,32}$/),
    hintId: clean(q.get('hint_id'), /^[A-Za-z0-9_]{1,40}$/),
    error: clean(q.get('error'), /^[a-z_]{1,40}$/),
    title: text(q.get('title')),
    message: text(q.get('message')),
    cause: text(q.get('cause')),
    resolution: text(q.get('resolution')),
  };
}

// Cause and resolution for an OAuth result the connection did not explain.
export function oauthWords(r) {
  const cb = `${window.location.origin}/oauth/zoom/callback`;
  if (r.error === 'access_denied') {
    return ['Zoom was not connected: the consent was declined on Zoom\'s page.',
      'Select Connect again and choose Authorize on Zoom\'s page.'];
  }
  if (r.hintId.toUpperCase() === 'CHECK_REDIRECT_URI' || /redirect/.test(r.error)) {
    return ['Zoom refused the sign-in: the redirect URI did not match the app\'s, or the authorization code expired.',
      `Add ${cb} to the Zoom app's redirect URLs (and the allow list), then connect again within 5 minutes of the consent.`];
  }
  if (r.error === 'state' || r.error === 'expired_state' || r.error === 'invalid_state') {
    return ['The connection attempt expired or was started in another browser.', 'Select Connect again.'];
  }
  return [`Zoom was not connected${r.code ? ` (${r.code})` : ''}.`,
    'Select Connect again. If it fails again, the service\'s log has the details.'];
}
