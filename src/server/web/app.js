// The admin page, "Settings > App Store > Zoom": sign-in, then the Zoom app
// card, the action console and, for admins, accounts, API keys and the audit
// log. The role comes from GET /api/v1/session; the service enforces it, the
// page only leaves out what the role cannot use.
import { api, ApiError, setCsrf, onUnauthorized } from './api.js';
import { h, mount, $, $$ } from './dom.js';
import { ConnectionCard, oauthResult, oauthWords } from './connection.js';
import { ActionConsole } from './console.js';
import { Accounts, Keys, Audit } from './admin.js';
import { Doctor } from './doctor.js';
import { Runs } from './runs.js';
import { errorCallout, banner, roleAtLeast, busy } from './ui.js';

const TABS = ['connection', 'console', 'accounts', 'keys', 'audit', 'runs', 'doctor'];
const state = { session: null, parts: {}, loaded: new Set(), actions: [] };

function normalizeSession(s) {
  const org = s.org && typeof s.org === 'object' ? s.org.name || s.org.id : s.org;
  return { ...s, orgName: org || '', role: String(s.role || '').toLowerCase() };
}

function showSignin(message) {
  state.session = null;
  mount($('#banner'));
  // nothing of the account that signed out stays in the page: the next
  // one (a viewer, on a shared browser) must not find the last one's card,
  // keys or audit rows in the DOM while its own load the new ones
  for (const id of ['#connection-body', '#console-body', '#accounts-body', '#keys-body', '#audit-body', '#runs-body', '#doctor-body']) {
    const el = $(id);
    if (el) mount(el);
  }
  setCsrf(null);
  $('#app').hidden = true;
  $('#who').hidden = true;
  $('#signin').hidden = false;
  mount($('#signin-error'), message ? h('div', { class: 'callout callout-info', role: 'status' }, h('p', { text: message })) : null);
  $('#signin-email').focus();
}

async function signIn(ev) {
  ev.preventDefault();
  const form = ev.target;
  const body = { email: form.email.value.trim(), password: form.password.value };
  if (form.org.value.trim()) body.org = form.org.value.trim();
  const slot = $('#signin-error');
  if (!body.email || !body.password) {
    mount(slot, h('div', { class: 'callout callout-error', role: 'alert' },
      h('p', { class: 'callout-title', text: 'Enter your email and password.' })));
    (body.email ? form.password : form.email).focus();
    return;
  }
  try {
    const s = await busy(ev.submitter || form.querySelector('button'), 'Signing in…', () => api('POST', '/api/v1/session', { body }));
    form.password.value = '';
    mount(slot);
    // an OAuth result that arrived before sign-in is shown after it
    const pending = state.pendingResult;
    state.pendingResult = null;
    await enter(s, pending);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    mount(slot, errorCallout(err, { title: 'Sign-in failed' }));
    form.password.focus();
  }
}

async function signOut() {
  try {
    await api('DELETE', '/api/v1/session');
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
  }
  state.loaded.clear();
  showSignin('You are signed out.');
}

function applyRole(role) {
  for (const el of $$('[data-min-role]')) el.hidden = !roleAtLeast(role, el.dataset.minRole);
}

function visibleTab(name) {
  const link = $(`.tabs a[data-tab="${name}"]`);
  return link && !link.hidden;
}

async function route(ev) {
  if (!state.session) return;
  // a notice belongs to the view it was given in
  if (ev && ev.type === 'hashchange') mount($('#banner'));
  let name = (location.hash || '#connection').slice(1).split('/')[0];
  if (!TABS.includes(name) || !visibleTab(name)) name = 'connection';
  for (const t of TABS) {
    const sec = $(`#tab-${t}`);
    const allowed = visibleTab(t);
    sec.hidden = t !== name || !allowed;
    const link = $(`.tabs a[data-tab="${t}"]`);
    if (t === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!state.loaded.has(name)) {
    state.loaded.add(name);
    await state.parts[name].load();
  }
}

async function showOAuthResult(result, conn) {
  if (result.ok && conn && conn.connected) {
    banner('ok', 'Zoom is connected', conn.accountName || conn.accountId
      ? `Connected to the Zoom account ${conn.accountName || conn.accountId}.` : 'The connection works.');
    return;
  }
  if (result.ok) {
    banner('warn', 'Zoom answered, but the connection is not usable yet', 'See the Zoom app card below.');
    return;
  }
  let [cause, resolution] = oauthWords(result);
  if (result.cause) cause = result.cause;
  if (result.resolution) resolution = result.resolution;
  const admin = roleAtLeast(state.session.role, 'admin');
  const el = banner('error', result.title || 'Zoom was not connected', result.message || null,
    h('div', {},
      h('p', {}, h('span', { class: 'hint-label', text: 'Cause: ' }), cause),
      h('p', {}, h('span', { class: 'hint-label', text: 'Resolution: ' }), resolution),
      result.code ? h('p', { class: 'meta', text: result.code }) : null));
  if (admin) {
    el.querySelector('.actions-row').prepend(h('a', { class: 'btn btn-primary', href: '/oauth/zoom/connect' }, 'Connect again'));
  }
  el.id = 'oauth-result';
}

async function enter(raw, result) {
  const s = normalizeSession(raw);
  state.session = s;
  mount($('#banner'));
  setCsrf(s.csrf_token);
  $('#signin').hidden = true;
  $('#app').hidden = false;
  $('#who').hidden = false;
  $('#who-email').textContent = (s.account && s.account.email) || '';
  $('#who-org').textContent = s.orgName ? `· ${s.orgName}` : '';
  $('#who-role').textContent = s.role;
  applyRole(s.role);
  const ctx = {
    session: s,
    actions: () => state.actions,
    connectionChanged: () => state.parts.connection.load(),
  };
  state.parts = {
    connection: new ConnectionCard($('#connection-body'), ctx),
    console: new ActionConsole($('#console-body'), ctx),
    accounts: new Accounts($('#accounts-body'), ctx),
    keys: new Keys($('#keys-body'), ctx),
    audit: new Audit($('#audit-body'), ctx),
    runs: new Runs($('#runs-body'), ctx),
    doctor: new Doctor($('#doctor-body'), ctx),
  };
  state.loaded = new Set(['console', 'connection']);
  // the console's actions first: the card names the actions a missing scope disables
  state.actions = await state.parts.console.load();
  const conn = await state.parts.connection.load();
  if (result) await showOAuthResult(result, conn);
  await route();
}

async function start() {
  $('#signin-form').addEventListener('submit', signIn);
  $('#signout').addEventListener('click', signOut);
  window.addEventListener('hashchange', route);
  onUnauthorized(() => {
    if (state.session) showSignin('Your session ended. Sign in again.');
  });
  const result = oauthResult(window.location);
  if (result) history.replaceState(null, '', '/');
  let s = null;
  try {
    s = await api('GET', '/api/v1/session');
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 401 || err.status === 403) {
      showSignin(result ? 'Sign in to see how connecting Zoom went.' : '');
    } else {
      showSignin();
      mount($('#signin-error'), errorCallout(err, { title: 'The service could not be reached' }));
    }
    if (result) state.pendingResult = result;
    return;
  }
  await enter(s, result);
}

start().catch((err) => {
  mount($('#banner'), h('div', { class: 'callout callout-error', role: 'alert' },
    h('p', { class: 'callout-title', text: 'The page failed to start' }), h('p', { text: String(err && err.message) })));
});
