// The admin page's Doctor panel in a real browser (Playwright driving
// Debian's Chromium against the real `zoomflow serve` and zoomsim, as
// admin_page.test.mjs does): the panel lists the checks of
// GET /api/v1/doctor with their verdicts and what to do, "Run again" asks
// anew, and a failure zoomsim causes (its clock 10 minutes ahead) shows up
// as the clock check failing. axe checks the panel; a screenshot goes to
// <build>/browser-artifacts-doctor/.
//
//   node tests/browser/doctor_panel.test.mjs     (ctest: browser.doctor_panel)
//
// Exits 77 (skipped) only when Chromium is missing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, after } from 'node:test';
import { browserWalk, serviceEnv, startSim, startServe, zoomflow, stopAll } from './harness.mjs';

const { dir, store, art: ART, axe: AXE, launch } = await browserWalk('zf-browser-doctor-', 'browser-artifacts-doctor');
const ADMIN = { email: 'admin@example.com', password: 'Admin-pass-2026!' };
const CHECKS = ['connection', 'scopes', 'app_type', 'clock', 'reachability', 'rate_limits', 'webhooks', 'store'];

let browser;
after(async () => {
  if (browser) await browser.close();
  await stopAll();
  store.drop();
});

async function verdicts(page) {
  return page.$$eval('#doctor-report .doctor-check', (els) => Object.fromEntries(els.map((e) => [e.dataset.check, e.dataset.verdict])));
}

test('the Doctor panel in Chromium', { timeout: 300000 }, async () => {
  const sim = await startSim(dir, ART, ['--auto-approve']);
  const env = serviceEnv(dir, store, sim);
  const pw = path.join(dir, 'admin-password');
  fs.writeFileSync(pw, `${ADMIN.password}\n`, { mode: 0o600 });
  const made = zoomflow(env, ['admin', 'create', '--org', 'acme', '--email', ADMIN.email, '--password-file', pw]);
  assert.equal(made.status, 0, `zoomflow admin create: ${made.stderr}`);
  const serve = await startServe(env, ART);
  browser = await launch();
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e && e.message)));

  await page.goto(`${serve.url}/`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#who-role').waitFor({ state: 'visible' });

  // not connected yet: the connection check needs action and says what to do
  await page.locator('.tabs a[data-tab="doctor"]').click();
  await page.locator('#doctor-report').waitFor();
  let v = await verdicts(page);
  assert.deepEqual(Object.keys(v), CHECKS);
  assert.equal(v.connection, 'fail');
  assert.equal(await page.locator('#doctor-verdict').innerText(), 'Needs action');
  const conn = page.locator('.doctor-check[data-check="connection"]');
  assert.match(await conn.innerText(), /no Zoom connection is stored/);
  assert.match(await conn.locator('.doctor-todo').innerText(), /What to do: connect the Zoom account/);

  // connect (Server-to-Server, through the API the page's session may use)
  const account = (await sim.req('GET', '/_sim/state')).json.account_id;
  const status = await page.evaluate(async (acct) => {
    const s = await (await fetch('/api/v1/session')).json();
    const r = await fetch('/api/v1/connection', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: JSON.stringify({ client_id: 'zoomsim-s2s', client_secret: 'zoomsim-s2s-secret', account_id: acct }),
    });
    return r.status;
  }, account);
  assert.equal(status, 200);
  const again = async () => {
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/doctor'));
    await page.locator('#doctor-again').click();
    assert.equal((await answered).status(), 200);
    await page.locator('#doctor-again:not([disabled])').waitFor();
  };
  await again();
  v = await verdicts(page);
  assert.equal(v.connection, 'ok');
  assert.equal(v.clock, 'ok');
  assert.equal(v.webhooks, 'warn'); // the service expects webhooks: no secret yet
  assert.match(await page.locator('.doctor-check[data-check="connection"]').innerText(), /VALID s2s connection/);

  // zoomsim's clock 10 minutes ahead: the clock check fails, with the fix
  assert.equal((await sim.req('POST', '/_sim/clock/advance', { seconds: 600 })).status, 200);
  await again();
  v = await verdicts(page);
  assert.equal(v.clock, 'fail');
  const clock = page.locator('.doctor-check[data-check="clock"]');
  assert.match(await clock.innerText(), /behind Zoom's/);
  assert.match(await clock.innerText(), /FIX_CLOCK/);
  assert.equal(await page.locator('#doctor-verdict').innerText(), 'Needs action');

  await page.screenshot({ path: path.join(ART, 'doctor.png'), fullPage: true });
  await page.evaluate(AXE);
  const r = await page.evaluate(() => window.axe.run(document.querySelector('#tab-doctor'), { resultTypes: ['violations'] }));
  const serious = r.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical');
  assert.deepEqual(serious.map((x) => x.id), [], JSON.stringify(serious, null, 1));
  assert.deepEqual(errors, []);
});
