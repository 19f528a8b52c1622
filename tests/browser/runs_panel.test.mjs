// The admin page's Runs tab in a real browser (Playwright driving Debian's
// Chromium against the real `zoomflow serve` and zoomsim, as
// admin_page.test.mjs does): the org's workflows are listed; a run that
// failed at Zoom (`zoomflow run`, in process, against the service's store)
// opens to its steps with the error; Retry queues it again from the failed
// step and Cancel (confirmed) ends it, both through the REST routes; a
// viewer sees the steps but no buttons. axe checks the tab; a screenshot
// goes to <build>/browser-artifacts-runs/.
//
//   node tests/browser/runs_panel.test.mjs     (ctest: browser.runs_panel)
//
// Exits 77 (skipped) only when Chromium is missing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, after } from 'node:test';
import { browserWalk, serviceEnv, startSim, startServe, zoomflow, stopAll } from './harness.mjs';

const { dir, store, art: ART, axe: AXE, launch } = await browserWalk('zf-browser-runs-', 'browser-artifacts-runs');
const ADMIN = { email: 'admin@example.com', password: 'Admin-pass-2026!' };
const VIEWER = { email: 'viewer@example.com', password: 'Viewer-pass-2026!' };
const WORKFLOW = `name: meeting-lookup
description: Look a meeting up
on:
  event: meeting.lookup
steps:
  - id: meeting
    action: get_meeting
    with:
      meeting_id: "{{ event.meeting_id }}"
`;

let browser;
after(async () => {
  if (browser) await browser.close();
  await stopAll();
  store.drop();
});

async function signIn(page, url, who) {
  await page.goto(`${url}/`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#who-role').waitFor({ state: 'visible' });
}

async function runCard(page, id, state) {
  await page.locator(`#run-card[data-run="${id}"][data-state="${state}"]`).waitFor();
}

test('the Runs tab in Chromium', { timeout: 300000 }, async () => {
  const sim = await startSim(dir, ART, ['--auto-approve']);
  const env = serviceEnv(dir, store, sim);
  for (const [who, role] of [[ADMIN, 'admin'], [VIEWER, 'viewer']]) {
    const pw = path.join(dir, `${role}-password`);
    fs.writeFileSync(pw, `${who.password}\n`, { mode: 0o600 });
    const made = zoomflow(env, ['admin', 'create', '--org', 'acme', '--email', who.email, '--role', role, '--password-file', pw]);
    assert.equal(made.status, 0, `zoomflow admin create: ${made.stderr}`);
  }
  // no worker in the service: a retried run stays queued until cancelled
  const serve = await startServe(env, ART, ['--workers', '0']);
  browser = await launch();
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e && e.message)));
  await signIn(page, serve.url, ADMIN);

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

  // a run that fails at Zoom: the meeting does not exist
  const wf = path.join(dir, 'meeting-lookup.yaml');
  fs.writeFileSync(wf, WORKFLOW);
  const ran = zoomflow(env, ['run', wf, '--org', 'acme', '--event', '{"meeting_id": 86000000001}', '--trigger-id', 'look-1', '--json']);
  assert.notEqual(ran.status, 0, ran.stdout + ran.stderr);
  const failed = JSON.parse(ran.stdout);
  assert.equal(failed.state, 'failed');

  await page.locator('.tabs a[data-tab="runs"]').click();
  await page.locator('#workflows-table tr[data-workflow="meeting-lookup"]').waitFor();
  assert.match(await page.locator('#workflows-table tr[data-workflow="meeting-lookup"]').innerText(), /event: meeting\.lookup/);
  const row = page.locator(`#runs-table tr[data-run="${failed.id}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-state'), 'failed');
  assert.match(await row.innerText(), /manual: look-1/);
  await row.locator('button[data-open]').click();
  await runCard(page, failed.id, 'failed');
  const step = page.locator('#run-card .run-step[data-step="meeting"]');
  assert.equal(await step.getAttribute('data-state'), 'failed');
  assert.match(await step.locator('.run-step-error').innerText(), /meeting/i);
  await page.screenshot({ path: path.join(ART, 'runs-failed.png'), fullPage: true });
  await page.evaluate(AXE);
  const r = await page.evaluate(() => window.axe.run(document.querySelector('#tab-runs'), { resultTypes: ['violations'] }));
  const serious = r.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical');
  assert.deepEqual(serious.map((x) => x.id), [], JSON.stringify(serious, null, 1));

  // Retry: queued again from the failed step
  const retried = page.waitForResponse((x) => x.url().endsWith(`/api/v1/runs/${failed.id}/retry`));
  await page.locator('#run-retry').click();
  assert.equal((await retried).status(), 200);
  await runCard(page, failed.id, 'queued');
  assert.equal(await page.locator('#run-retry').count(), 0);
  // Cancel, confirmed in the dialog
  await page.locator('#run-cancel').click();
  const cancelled = page.waitForResponse((x) => x.url().endsWith(`/api/v1/runs/${failed.id}/cancel`));
  await page.locator('#confirm-ok').click();
  assert.equal((await cancelled).status(), 200);
  await runCard(page, failed.id, 'cancelled');
  assert.equal(await page.locator('#run-cancel').count(), 0);
  assert.equal(await page.locator(`#runs-table tr[data-run="${failed.id}"]`).getAttribute('data-state'), 'cancelled');
  const shown = JSON.parse(zoomflow(env, ['runs', 'show', String(failed.id), '--org', 'acme', '--json']).stdout);
  assert.equal(shown.state, 'cancelled');

  // a viewer reads the runs but gets no button
  await page.locator('#signout').click();
  await page.locator('#signin').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#run-card').count(), 0);
  await signIn(page, serve.url, VIEWER);
  await page.locator('.tabs a[data-tab="runs"]').click();
  await page.locator(`#runs-table tr[data-run="${failed.id}"] button[data-open]`).click();
  await runCard(page, failed.id, 'cancelled');
  assert.equal(await page.locator('#run-card button').count(), 0);
  assert.deepEqual(errors, []);
});
