// Forms generated from an action's input JSON Schema (draft 2020-12, as
// GET /api/v1/actions publishes them), and the checks run before anything is
// sent: required, type, enum, minimum/maximum, min/maxLength, pattern,
// format, maxItems and unknown members. The service checks again and its
// problems are shown on the same fields (same paths: a.b, a[0].c).
import { h, newId } from './dom.js';

const flat1 = (xs) => xs.flat(Infinity).filter((x) => x !== null && x !== undefined && x !== false);

const FORMAT_WORDS = {
  email: 'an email address like name@example.com',
  date: 'a date as yyyy-MM-dd, e.g. 2026-05-01',
  'zoom-date-time': 'yyyy-MM-ddTHH:mm:ss (local time in timezone) or yyyy-MM-ddTHH:mm:ssZ (UTC)',
  'date-time': 'a UTC time as yyyy-MM-ddTHH:mm:ssZ',
  'zoom-timezone': 'a time-zone id such as America/New_York or UTC',
  'zoom-meeting-id': 'a meeting id: 9 to 11 digits, e.g. 85746065432',
  'zoom-meeting-id-or-uuid': 'a meeting id (9 to 11 digits) or a meeting UUID',
  'zoom-user-id': '"me", the user\'s email, or the user\'s Zoom id',
  'zoom-weekdays': 'days 1 (Sunday) to 7 (Saturday), comma-separated, e.g. "2,4"',
  'iso3166-alpha2': 'a two-letter upper-case country code such as US',
  'zoom-passcode': 'letters, digits and symbols such as !@#, no spaces',
  'zoom-id-list': 'comma-separated numeric ids, e.g. 1648194360000,1648367160000',
  'zoom-api-path': "a path relative to /v2 starting with one '/', e.g. /users/me, without '?', '#', '\\' or dot segments",
  'zoom-occurrence-id': 'one occurrence id: digits, e.g. 1648194360000',
};

function validDate(y, m, d) {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function dateTimeOk(s, utc) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z?)$/.exec(s);
  if (!m || (utc && !m[7])) return false;
  return validDate(+m[1], +m[2], +m[3]) && +m[4] < 24 && +m[5] < 60 && +m[6] < 60;
}

function emailOk(s) {
  return /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/.test(s);
}

function apiPathOk(s) {
  if (!s.startsWith('/') || s.startsWith('//')) return false;
  if (s === '/v2' || s.startsWith('/v2/')) return false;
  if (/[\u0000-\u0020\u007f?#\\]/.test(s) || /%00/i.test(s)) return false;
  return !s.split('/').slice(1).some((seg) => /^(\.|%2e){1,2}$/i.test(seg));
}

const FORMATS = {
  email: emailOk,
  date: (s) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    return !!m && validDate(+m[1], +m[2], +m[3]);
  },
  'zoom-date-time': (s) => dateTimeOk(s, false),
  'date-time': (s) => dateTimeOk(s, true),
  'zoom-timezone': (s) => /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(s),
  'zoom-meeting-id': (s) => /^\d{9,11}$/.test(s),
  'zoom-meeting-id-or-uuid': (s) => (/^\d+$/.test(s) ? /^\d{9,11}$/.test(s) : /^[A-Za-z0-9+/=_-]{8,}$/.test(s)),
  'zoom-user-id': (s) => (s.includes('@') ? emailOk(s) : /^[A-Za-z0-9_-]+$/.test(s)),
  'zoom-weekdays': (s) => /^[1-7](,[1-7])*$/.test(s),
  'iso3166-alpha2': (s) => /^[A-Z]{2}$/.test(s),
  'zoom-passcode': (s) => /^[\x21-\x7e]+$/.test(s),
  'zoom-id-list': (s) => /^\d+(,\d+)*$/.test(s),
  'zoom-api-path': apiPathOk,
  'zoom-occurrence-id': (s) => /^\d{1,19}$/.test(s),
};

function typesOf(schema) {
  const t = schema.type;
  if (Array.isArray(t)) return t;
  return t ? [t] : [];
}

function typeOk(v, t) {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'null': return v === null;
    default: return true;
  }
}

const TYPE_WORDS = { string: 'text', integer: 'a whole number', number: 'a number', boolean: 'true or false',
  object: 'an object', array: 'a list', null: 'null' };

function show(v) {
  return typeof v === 'string' ? `"${v}"` : String(v);
}

// Every problem of value v against schema, as [{field, message}].
export function validate(schema, v, path = '') {
  const out = [];
  const add = (message, field = path) => out.push({ field, message });
  const types = typesOf(schema);
  if (types.length && !types.some((t) => typeOk(v, t))) {
    add(`Must be ${types.map((t) => TYPE_WORDS[t] || t).join(' or ')}.`);
    return out;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === v)) {
    add(`Must be one of ${schema.enum.map(show).join(', ')}.`);
    return out;
  }
  if (typeof v === 'number') {
    if (typeof schema.minimum === 'number' && v < schema.minimum) add(`Must be at least ${schema.minimum}.`);
    if (typeof schema.maximum === 'number' && v > schema.maximum) add(`Must be at most ${schema.maximum}.`);
  }
  if (typeof v === 'string') {
    const n = [...v].length;
    if (typeof schema.minLength === 'number' && n < schema.minLength) {
      add(schema.minLength === 1 ? 'Must not be empty.' : `Must be at least ${schema.minLength} characters.`);
    }
    if (typeof schema.maxLength === 'number' && n > schema.maxLength) {
      add(`Must be at most ${schema.maxLength} characters (this is ${n}).`);
    }
    if (schema.pattern) {
      let re = null;
      try {
        re = new RegExp(schema.pattern, 'u');
      } catch {
        re = null;
      }
      if (re && !re.test(v)) add(`Must match the pattern ${schema.pattern}.`);
    }
    if (schema.format && FORMATS[schema.format] && !FORMATS[schema.format](v)) {
      add(`Must be ${FORMAT_WORDS[schema.format] || schema.format}.`);
    }
  }
  if (Array.isArray(v)) {
    if (typeof schema.maxItems === 'number' && v.length > schema.maxItems) add(`At most ${schema.maxItems} items.`);
    if (typeof schema.minItems === 'number' && v.length < schema.minItems) add(`At least ${schema.minItems} items.`);
    if (schema.items) v.forEach((item, i) => out.push(...validate(schema.items, item, `${path}[${i}]`)));
  }
  if (typeOk(v, 'object') && (schema.properties || schema.required || schema.additionalProperties === false)) {
    const props = schema.properties || {};
    for (const r of schema.required || []) if (!(r in v)) add('This field is required.', join(path, r));
    for (const [k, item] of Object.entries(v)) {
      if (props[k]) out.push(...validate(props[k], item, join(path, k)));
      else if (schema.additionalProperties === false) add(`Unknown field "${k}".`, join(path, k));
      else if (typeof schema.additionalProperties === 'object') {
        out.push(...validate(schema.additionalProperties, item, join(path, k)));
      }
    }
  }
  return out;
}

function join(path, key) {
  return path ? `${path}.${key}` : key;
}

// "a.b[0].c" from the service's spellings: a JSON pointer (/a/b/0/c) or $.a.b
export function normalPath(p) {
  let s = String(p || '');
  if (s.startsWith('/')) {
    s = s.slice(1).split('/').map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
  }
  return s.replace(/^\$\.?/, '');
}

function humanize(name) {
  const s = name.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function constraintWords(s) {
  const w = [];
  if (typeof s.minimum === 'number' && typeof s.maximum === 'number') w.push(`${s.minimum} to ${s.maximum}`);
  else if (typeof s.minimum === 'number') w.push(`at least ${s.minimum}`);
  else if (typeof s.maximum === 'number') w.push(`at most ${s.maximum}`);
  if (typeof s.maxLength === 'number') w.push(`at most ${s.maxLength} characters`);
  if (s.format && FORMAT_WORDS[s.format] && !s.description) w.push(FORMAT_WORDS[s.format]);
  if (s.default !== undefined) w.push(`Zoom's default ${show(s.default)}`);
  return w.join('; ');
}

const SIMPLE = new Set(['string', 'integer', 'number', 'boolean']);

function isSimpleArray(s) {
  if (!typesOf(s).includes('array') || !s.items) return false;
  const it = typesOf(s.items);
  return it.length === 1 && SIMPLE.has(it[0]) && !s.items.properties;
}

function kindOf(s) {
  const t = typesOf(s);
  if (Array.isArray(s.enum) && s.enum.every((e) => ['string', 'number', 'boolean'].includes(typeof e))) return 'enum';
  if (t.length === 1 && t[0] === 'boolean') return 'boolean';
  if (t.length === 1 && (t[0] === 'integer' || t[0] === 'number')) return 'number';
  if (t.length === 1 && t[0] === 'string') return 'string';
  if (t.length === 2 && t.includes('integer') && t.includes('string')) return 'int-or-string';
  if (t.length === 1 && t[0] === 'object' && s.properties && Object.keys(s.properties).length
      && s.additionalProperties !== true) return 'object';
  if (isSimpleArray(s)) return 'list';
  return 'json';
}

// One field: its element, a reader and a place for its messages.
class Field {
  constructor(name, schema, path, required) {
    this.name = name;
    this.schema = schema;
    this.path = path;
    this.required = required;
    this.kind = kindOf(schema);
    this.id = newId('in');
    this.children = [];
    this.el = this.kind === 'object' ? this.buildGroup() : this.buildInput();
  }

  labelEl(forId) {
    return h('label', { for: forId },
      humanize(this.name),
      this.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, '*') : null,
      this.required ? h('span', { class: 'visually-hidden' }, ' (required)') : null);
  }

  buildInput() {
    const s = this.schema;
    const helpId = `${this.id}-help`;
    const errId = `${this.id}-err`;
    const words = [s.description, constraintWords(s)].filter(Boolean).join(' · ');
    const common = { id: this.id, name: this.path, 'data-path': this.path, 'aria-describedby': helpId };
    if (this.required) common['aria-required'] = 'true';
    let input;
    if (this.kind === 'enum') {
      input = h('select', common, h('option', { value: '' }, this.required ? 'Choose…' : '(not set)'),
        s.enum.map((e, i) => h('option', { value: String(i) }, String(e))));
    } else if (this.kind === 'boolean') {
      input = h('select', common, h('option', { value: '' }, '(not set)'),
        h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'));
    } else if (this.kind === 'list') {
      input = h('textarea', { ...common, rows: 3, spellcheck: 'false' });
    } else if (this.kind === 'json') {
      input = h('textarea', { ...common, rows: 4, spellcheck: 'false', placeholder: 'JSON' });
    } else if (this.kind === 'string' && typeof s.maxLength === 'number' && s.maxLength > 400) {
      input = h('textarea', { ...common, rows: 3 });
    } else {
      const numeric = this.kind === 'number';
      input = h('input', {
        ...common,
        type: s.writeOnly ? 'password' : 'text',
        inputmode: numeric ? (s.type === 'number' ? 'decimal' : 'numeric') : null,
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: s.default !== undefined && !s.writeOnly ? String(s.default) : null,
      });
    }
    const listWord = this.kind === 'list' ? 'One value a line. ' : '';
    const jsonWord = this.kind === 'json' ? 'JSON. ' : '';
    this.input = input;
    this.errEl = h('p', { class: 'field-error', id: errId, hidden: true });
    return h('div', { class: 'field', 'data-field': this.path }, this.labelEl(this.id), input,
      h('p', { class: 'help', id: helpId, text: listWord + jsonWord + words }), this.errEl);
  }

  buildGroup() {
    const s = this.schema;
    const req = new Set(s.required || []);
    this.children = Object.entries(s.properties).map(([k, sub]) => new Field(k, sub, join(this.path, k), req.has(k)));
    this.errEl = h('p', { class: 'field-error', id: `${this.id}-err`, hidden: true });
    const body = h('div', { class: 'group-body' },
      s.description ? h('p', { class: 'help', text: s.description }) : null,
      h('div', { class: 'form-grid' }, this.children.map((c) => c.el)), this.errEl);
    const det = h('details', { class: 'group', 'data-field': this.path, open: this.required || null },
      h('summary', {}, humanize(this.name), this.required ? ' (required)' : ''), body);
    this.details = det;
    return det;
  }

  // {present, value, problems}
  read() {
    if (this.kind === 'object') {
      const value = {};
      const problems = [];
      let present = false;
      for (const c of this.children) {
        const r = c.read();
        // an absent member's only problem is being required, which counts
        // only when this object is there
        if (r.present) problems.push(...r.problems);
        if (r.present) {
          present = true;
          value[c.name] = r.value;
        } else if (c.required) {
          problems.push({ field: c.path, message: 'This field is required.', requiredOnly: true });
        }
      }
      if (!present && !this.required) return { present: false, problems: problems.filter((p) => !p.requiredOnly) };
      return { present: true, value, problems: problems.map(({ field, message }) => ({ field, message })) };
    }
    const raw = this.input.value;
    if (raw.trim() === '' && !(this.kind === 'string' && raw !== '')) {
      if (this.required) return { present: false, problems: [{ field: this.path, message: 'This field is required.' }] };
      return { present: false, problems: [] };
    }
    const s = this.schema;
    let value;
    switch (this.kind) {
      case 'enum':
        value = s.enum[Number(raw)];
        break;
      case 'boolean':
        value = raw === 'true';
        break;
      case 'number': {
        const t = raw.trim();
        const ok = s.type === 'integer' ? /^-?\d+$/.test(t) : /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t);
        if (!ok) return { present: true, value: raw, problems: [{ field: this.path, message: `Must be ${TYPE_WORDS[s.type]}.` }] };
        value = Number(t);
        break;
      }
      case 'int-or-string': {
        const t = raw.trim();
        value = /^\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : t;
        break;
      }
      case 'list': {
        const lines = raw.split('\n').map((l) => l.trim()).filter((l) => l !== '');
        const it = s.items;
        const problems = [];
        value = lines.map((l, i) => {
          const t = typesOf(it)[0];
          if (t === 'string') return l;
          if (t === 'boolean') {
            if (l === 'true' || l === 'false') return l === 'true';
            problems.push({ field: `${this.path}[${i}]`, message: `Line ${i + 1}: must be true or false.` });
            return l;
          }
          const n = Number(l);
          if (l === '' || Number.isNaN(n)) {
            problems.push({ field: `${this.path}[${i}]`, message: `Line ${i + 1}: must be ${TYPE_WORDS[t]}.` });
            return l;
          }
          return n;
        });
        if (problems.length) return { present: true, value, problems };
        break;
      }
      case 'json':
        try {
          value = JSON.parse(raw);
        } catch (e) {
          return { present: true, value: raw, problems: [{ field: this.path, message: 'Must be valid JSON.' }] };
        }
        break;
      default:
        value = raw;
    }
    return { present: true, value, problems: validate(s, value, this.path) };
  }

  all() {
    return this.kind === 'object' ? [this, ...this.children.flatMap((c) => c.all())] : [this];
  }

  setError(messages) {
    if (!this.errEl) return;
    if (!messages.length) {
      this.errEl.hidden = true;
      this.errEl.textContent = '';
      if (this.input) {
        this.input.removeAttribute('aria-invalid');
        this.input.setAttribute('aria-describedby', `${this.id}-help`);
      }
      return;
    }
    this.errEl.hidden = false;
    this.errEl.textContent = messages.join(' ');
    if (this.input) {
      this.input.setAttribute('aria-invalid', 'true');
      this.input.setAttribute('aria-describedby', `${this.id}-err ${this.id}-help`);
    }
    if (this.details) this.details.open = true;
  }

  focusTarget() {
    return this.input || (this.children[0] && this.children[0].focusTarget());
  }
}

// A form for the action's input schema, in container. Required fields come
// first. Returns {read, showProblems, fields}.
export function schemaForm(schema, container) {
  const props = schema.properties || {};
  const req = new Set(schema.required || []);
  const names = Object.keys(props);
  names.sort((a, b) => (req.has(b) ? 1 : 0) - (req.has(a) ? 1 : 0));
  const fields = names.map((k) => new Field(k, props[k], k, req.has(k)));
  const flat = fields.flatMap((f) => f.all());
  const simple = fields.filter((f) => f.kind !== 'object');
  const groups = fields.filter((f) => f.kind === 'object');
  container.append(...flat1([
    simple.length ? h('div', { class: 'form-grid' }, simple.map((f) => f.el)) : null,
    groups.map((f) => f.el),
    names.length ? null : h('p', { class: 'muted', text: 'This action takes no input.' })]));

  function showProblems(problems) {
    const byField = new Map(flat.map((f) => [f.path, []]));
    const unplaced = [];
    const owner = (path) => {
      let f = normalPath(path);
      while (f) {
        if (byField.has(f)) return f;
        const up = f.replace(/(\[\d+\]|\.[^.[\]]+)$/, '');
        if (up === f) return '';
        f = up;
      }
      return '';
    };
    for (const p of problems) {
      // a problem inside a list or JSON field lands on that field
      const f = owner(p.field || '');
      if (f) byField.get(f).push(p.message);
      else unplaced.push(p);
    }
    let first = null;
    for (const fl of flat) {
      const msgs = byField.get(fl.path);
      fl.setError(msgs);
      if (msgs.length && !first && fl.input) first = fl;
    }
    return { first, unplaced };
  }

  function read() {
    const value = {};
    const problems = [];
    for (const f of fields) {
      const r = f.read();
      problems.push(...r.problems);
      if (r.present) value[f.name] = r.value;
    }
    return { value, problems };
  }

  return { read, showProblems, fields: flat };
}
