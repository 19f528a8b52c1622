// Processes for the browser test: a real zoomsim and a real `zoomflow serve`
// on free loopback ports, each stopped by its PID. Their stderr goes to the
// artifacts directory for a failed run to read.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SOURCE_DIR = process.env.ZF_SOURCE_DIR
  || path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const BUILD_DIR = process.env.ZF_BUILD_DIR || path.join(SOURCE_DIR, 'build');

export function binary(name) {
  return path.join(BUILD_DIR, name);
}

const children = new Set();

function track(proc) {
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  return proc;
}

// Stops every process this file started (by PID), on exit too.
export async function stopAll() {
  await Promise.all([...children].map((p) => stop(p)));
}
process.on('exit', () => {
  for (const p of children) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export function stop(proc, timeoutMs = 15000) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      resolve(proc.exitCode);
      return;
    }
    const t = setTimeout(() => {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
    process.kill(proc.pid, 'SIGTERM');
  });
}

async function waitFor(fn, what, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// The store the test uses: a SQLite file in dir, or with
// ZF_TEST_DB=postgresql a fresh schema on the PostgreSQL test server (the
// ctest fixture's, as tests/integration/zfharness.py's StoreDB), dropped by
// drop(). null on PostgreSQL without a server (the caller skips).
export function storeDb(dir) {
  if ((process.env.ZF_TEST_DB || 'sqlite') !== 'postgresql') {
    return { kind: 'sqlite', dsn: `sqlite:${path.join(dir, 'zoomflow.db')}`, drop() {} };
  }
  let base = process.env.ZF_TEST_PG_DSN || '';
  const pgDir = process.env.ZF_TEST_PG_DIR;
  if (!base && pgDir && fs.existsSync(path.join(pgDir, 'dsn'))) {
    base = fs.readFileSync(path.join(pgDir, 'dsn'), 'utf8').trim();
  }
  const psql = ['/usr/lib/postgresql/15/bin/psql', '/usr/bin/psql'].find((p) => fs.existsSync(p));
  if (!base || !psql) return null;
  const sql = (text) => {
    const p = spawnSync(psql, ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', base, '-c', text],
      { encoding: 'utf8', timeout: 60000 });
    if (p.status !== 0) throw new Error(`psql ${text}: ${p.stderr || p.error}`);
  };
  const schema = `zb_${process.pid}`;
  sql(`CREATE SCHEMA ${schema}`);
  let dropped = false;
  return {
    kind: 'postgresql',
    schema,
    dsn: `${base}${base.includes('?') ? '&' : '?'}options=-csearch_path%3D${schema}`,
    drop() {
      if (dropped) return;
      dropped = true;
      sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// zoomsim --control on a free port; args are extra flags.
export async function startSim(dir, logDir, args = []) {
  const portFile = path.join(dir, 'sim-port');
  const log = fs.openSync(path.join(logDir, 'zoomsim.log'), 'w');
  const proc = track(spawn(binary('zoomsim'),
    ['--port', '0', '--port-file', portFile, '--quiet', '--control', ...args],
    { stdio: ['ignore', 'ignore', log] }));
  const port = await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`zoomsim exited ${proc.exitCode}: see zoomsim.log`);
    try {
      const s = fs.readFileSync(portFile, 'utf8').trim();
      return s ? Number(s) : 0;
    } catch {
      return 0;
    }
  }, 'zoomsim to listen');
  const url = `http://127.0.0.1:${port}`;
  return {
    proc,
    url,
    async req(method, p, body) {
      const r = await fetch(url + p, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      let json = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      return { status: r.status, json, text };
    },
  };
}

// Runs the zoomflow CLI to completion (e.g. `admin create`).
export function zoomflow(env, args, input) {
  const p = spawnSync(binary('zoomflow'), args, { env, input, encoding: 'utf8', timeout: 60000 });
  return { status: p.status, stdout: p.stdout || '', stderr: p.stderr || '' };
}

// The seed tool (tests/tools/zf_access_seed.c) on a store, e.g. audit rows.
export function seed(env, dsn, args) {
  const p = spawnSync(binary('zf_access_seed'), [dsn, ...args], { env, encoding: 'utf8', timeout: 60000 });
  if (p.status !== 0) throw new Error(`zf_access_seed ${args.join(' ')}: ${p.stderr || p.error}`);
  return (p.stdout || '').trim();
}

// `zoomflow serve --listen 127.0.0.1:0`: resolves with its URL once it says
// "listening on URL" on stdout.
export async function startServe(env, logDir, args = []) {
  const log = fs.createWriteStream(path.join(logDir, 'serve.log'));
  const proc = track(spawn(binary('zoomflow'), ['serve', '--listen', '127.0.0.1:0', ...args],
    { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  proc.stderr.pipe(log);
  proc.stdout.on('data', (b) => {
    out += b.toString();
    log.write(b);
  });
  const url = await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`zoomflow serve exited ${proc.exitCode}: see serve.log`);
    const m = /listening on (https?:\/\/[^\s]+)/.exec(out);
    return m ? m[1].replace(/\/$/, '') : null;
  }, 'zoomflow serve to listen');
  return { proc, url };
}

// The set-up every browser walk shares: Debian's Chromium (exit 77, skipped,
// when it is missing), playwright-core and axe-core from the project's
// node_modules, a temporary directory with the store (exit 77 when
// ZF_TEST_DB=postgresql finds no server) and an emptied artifacts directory
// <build>/<artName>/.
export async function browserWalk(prefix, artName) {
  const executablePath = process.env.ZF_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    console.log(`SKIP: ${executablePath} not found: the browser test needs Debian's chromium`);
    process.exit(77);
  }
  const { createRequire } = await import('node:module');
  const require = createRequire(path.join(SOURCE_DIR, 'package.json'));
  const { chromium } = require('playwright-core');
  const axe = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const dir = tempDir(prefix);
  const store = storeDb(dir);
  if (!store) {
    console.log('SKIP: ZF_TEST_DB=postgresql but no PostgreSQL test server');
    process.exit(77);
  }
  const art = path.join(BUILD_DIR, artName);
  fs.rmSync(art, { recursive: true, force: true });
  fs.mkdirSync(art, { recursive: true });
  const launch = () => chromium.launch({
    executablePath,
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
  return { dir, store, art, axe, launch };
}

// The environment of the CLI and the service in a walk: their own HOME and
// XDG dirs, the walk's store, zoomsim as the OAuth host; sanitizer options
// passed on.
export function serviceEnv(dir, store, sim) {
  const env = {
    PATH: process.env.PATH || '/usr/bin:/bin',
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_DATA_HOME: path.join(dir, 'data'),
    ZOOMFLOW_DB: store.dsn,
    ZOOMFLOW_OAUTH_BASE: sim.url,
  };
  for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS', 'TSAN_OPTIONS']) if (process.env[k]) env[k] = process.env[k];
  return env;
}
