// The service's REST API (SERVICE-CONTRACT.md): JSON in and out, the session
// cookie sent by the browser, X-CSRF-Token on every state change, and the
// contract's error body turned into an ApiError.

let csrfToken = null;
const listeners = new Set();

export function setCsrf(token) {
  csrfToken = token || null;
}

// Called with every ApiError whose status is 401 (the session ended).
export function onUnauthorized(fn) {
  listeners.add(fn);
}

export class ApiError extends Error {
  constructor(status, body, requestId) {
    const e = (body && typeof body === 'object' && body.error) || {};
    super(e.message || `The service answered HTTP ${status}.`);
    this.status = e.status || status;
    this.code = e.code || (status ? `HTTP ${status}` : 'ENET');
    this.hint = e.hint || '';
    this.hintId = e.hint_id === undefined || e.hint_id === null ? '' : String(e.hint_id);
    this.zoomCode = e.zoom_code;
    this.retryAfter = e.retry_after;
    this.problems = Array.isArray(e.problems) ? e.problems : [];
    this.requestId = e.request_id || requestId || '';
  }
}

async function sessionAlive() {
  try {
    const r = await fetch('/api/v1/session', { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
    return r.status !== 401;
  } catch {
    return true; // unreachable is not signed out
  }
}

export function isStateChange(method) {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method);
}

export async function api(method, path, { body, query, headers } = {}) {
  const h = { Accept: 'application/json', ...(headers || {}) };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (isStateChange(method) && csrfToken) h['X-CSRF-Token'] = csrfToken;
  let url = path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const s = q.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  let resp;
  try {
    resp = await fetch(url, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch (err) {
    throw new ApiError(0, {
      error: {
        code: 'ENET',
        message: 'The service did not answer.',
        hint: 'Check that zoomflow serve is running and reachable, then try again.',
      },
    });
  }
  const requestId = resp.headers.get('X-Request-Id') || '';
  const text = resp.status === 204 ? '' : await resp.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!resp.ok) {
    const err = new ApiError(resp.status, data, requestId);
    // EAUTH (401) also means Zoom refused credentials (a Server-to-Server
    // form, a refused code): only a session that is gone signs the page out
    if (resp.status === 401 && (path === '/api/v1/session' || !(await sessionAlive()))) {
      for (const fn of listeners) fn(err);
    }
    throw err;
  }
  return data;
}

// The list in a collection answer: a bare array or {<name>: [...]}.
export function listOf(data, ...names) {
  if (Array.isArray(data)) return data;
  for (const n of [...names, 'items', 'data']) if (data && Array.isArray(data[n])) return data[n];
  return [];
}
