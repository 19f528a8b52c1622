// Shared pieces: the error callout (the contract's error body with its hint),
// the resolution button a hint id calls for, and the page banner.
import { h, mount, $ } from './dom.js';

export const ROLES = { viewer: 1, operator: 2, admin: 3 };
export function roleAtLeast(role, min) {
  return (ROLES[role] || 0) >= (ROLES[min] || 99);
}

// What a person can do about an error, by its hint id (include/zoomflow/hint.h).
// kind: 'reconnect' (user OAuth again), 's2s' (enter credentials), 'retry'.
const RESOLUTIONS = {
  CONNECT: { kind: 'reconnect', label: 'Connect' },
  RECONNECT: { kind: 'reconnect', label: 'Reconnect' },
  ADD_SCOPE: { kind: 'reconnect', label: 'Reconnect' },
  CHECK_REDIRECT_URI: { kind: 'reconnect', label: 'Connect again' },
  APP_CREDENTIALS: { kind: 's2s', label: 'Enter credentials' },
  CHECK_APP: { kind: 's2s', label: 'Enter credentials' },
  RETRY_LATER: { kind: 'retry', label: 'Try again' },
  RUN_AGAIN: { kind: 'retry', label: 'Try again' },
  SLOW_DOWN: { kind: 'retry', label: 'Try again' },
  CHECK_NETWORK: { kind: 'retry', label: 'Try again' },
  DATABASE_LOST: { kind: 'retry', label: 'Try again' },
};
const BY_NUMBER = { 1: 'CONNECT', 2: 'RECONNECT', 5: 'ADD_SCOPE', 14: 'APP_CREDENTIALS', 15: 'CHECK_REDIRECT_URI',
  23: 'RUN_AGAIN', 25: 'RETRY_LATER', 26: 'SLOW_DOWN', 11: 'CHECK_NETWORK', 34: 'CHECK_APP', 45: 'DATABASE_LOST' };

export function hintName(id) {
  if (id === undefined || id === null || id === '') return '';
  const s = String(id);
  return /^\d+$/.test(s) ? BY_NUMBER[s] || '' : s.toUpperCase();
}

// The resolution for an error (an ApiError or a connection's last_error).
export function resolutionFor(err) {
  const name = hintName(err.hintId ?? err.hint_id);
  if (RESOLUTIONS[name]) return RESOLUTIONS[name];
  if (err.code === 'EREAUTH') return RESOLUTIONS.RECONNECT;
  if (err.code === 'ENOTCONNECTED') return RESOLUTIONS.CONNECT;
  if (err.code === 'ESCOPE') return RESOLUTIONS.ADD_SCOPE;
  return null;
}

// The callout for an error: title, message, the hint, field problems, and
// the request id for the service's log. `actions` are buttons to add.
export function errorCallout(err, { title = 'That did not work', actions = [] } = {}) {
  const problems = (err.problems || []).filter((p) => p && (p.message || p.field));
  return h('div', { class: 'callout callout-error', role: 'alert' },
    h('p', { class: 'callout-title', text: title }),
    h('p', { class: 'error-message', text: err.message }),
    problems.length ? h('ul', {}, problems.map((p) => h('li', {}, p.field ? h('code', { text: p.field }) : null,
      p.field ? ': ' : '', p.message || ''))) : null,
    err.hint ? h('p', { class: 'error-hint' }, h('span', { class: 'hint-label', text: 'What to do: ' }), err.hint) : null,
    actions.length ? h('div', { class: 'actions-row' }, actions) : null,
    h('p', { class: 'meta' },
      h('span', { text: err.code || '' }),
      err.zoomCode ? ` · Zoom code ${err.zoomCode}` : '',
      err.retryAfter ? ` · retry after ${err.retryAfter} s` : '',
      err.requestId ? ` · request ${err.requestId}` : ''));
}

export function banner(kind, title, text, extra) {
  const el = h('div', { class: `callout callout-${kind}`, role: kind === 'error' ? 'alert' : null },
    h('p', { class: 'callout-title', text: title }),
    text ? h('p', { text }) : null,
    extra || null,
    h('div', { class: 'actions-row' },
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => mount($('#banner')) }, 'Dismiss')));
  mount($('#banner'), el);
  return el;
}

// A button that does what a resolution says.
export function resolutionButton(res, { onS2S, onRetry } = {}) {
  if (!res) return null;
  if (res.kind === 'reconnect') {
    return h('a', { class: 'btn btn-primary', href: '/oauth/zoom/connect', 'data-action': 'reconnect' }, res.label);
  }
  if (res.kind === 's2s' && onS2S) {
    return h('button', { type: 'button', class: 'btn btn-primary', onclick: onS2S }, res.label);
  }
  if (res.kind === 'retry' && onRetry) {
    return h('button', { type: 'button', class: 'btn', onclick: onRetry }, res.label);
  }
  return null;
}

// Busy state of a submit button while a request runs.
export async function busy(button, text, fn) {
  const old = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = text;
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = old;
  }
}
