#!/usr/bin/env node
// Zoom's own Node SDK (@zoom/rivet 0.4.0, node_modules) as a peer in
// bench/list-bench, bench/api-bench and bench/batch-bench: its UsersEndpoints
// and MeetingsEndpoints against zoomsim, as an app built on it calls Zoom.
// Bench tooling, not part of the product (bench/run installs Rivet with
// `npm install --no-save` when it is missing).
//
//   node rivet-client.js BASE_URL TOKEN list PAGE_SIZE
//       every page of GET /users (next_page_token followed), each user
//       printed as one JSON line on stdout (as `zoomflow users list --all
//       --format ndjson` prints them)
//   node rivet-client.js BASE_URL TOKEN me
//       one GET /users/me (the whole process is what is timed)
//   node rivet-client.js BASE_URL TOKEN me-loop N
//       N warm-up calls, then N timed calls of GET /users/me in this one
//       process; prints {"per_call_ms": mean, "min_ms": fastest}
//   node rivet-client.js BASE_URL TOKEN registrants MEETING_ID CSV_OR_COUNT
//       one meetings.addMeetingRegistrant per row, one after the other (the
//       naive app loop). CSV_OR_COUNT is a CSV file with a header line
//       holding email and first_name columns (no quoting), or a count N
//       (rows rivet-PID-I@example.com). Rivet does not retry: a 429 (or any
//       error) throws ApiResponseError, which the loop counts and goes on.
//       Prints {"ok", "failed", "statuses": {"429": n, ...}, "seconds"}
//
// BASE_URL is zoomsim's API base (http://127.0.0.1:PORT/v2). Rivet's own
// token fetchers (S2S, OAuth) post to https://zoom.us, which cannot be
// pointed elsewhere, so the token is handed in: auth.getToken() returns it,
// which is what Rivet's S2S client does once its token is cached.
"use strict";
const path = require("path");
const root = path.resolve(__dirname, "..", "node_modules");
const { UsersEndpoints } = require(require.resolve("@zoom/rivet/users", { paths: [root] }));

const [base, token, cmd, arg] = process.argv.slice(2);
if (!base || !token || !cmd) {
  console.error("usage: rivet-client.js BASE_URL TOKEN list PAGE_SIZE | me | me-loop N | " +
      "registrants MEETING_ID CSV_OR_COUNT");
  process.exit(2);
}
const api = new UsersEndpoints({ auth: { getToken: () => token }, baseUrl: base });

function registrantRows(spec) {
  if (/^[0-9]+$/.test(spec)) {
    const rows = [];
    for (let i = 0; i < Number(spec); i++)
      rows.push({ email: `rivet-${process.pid}-${i}@example.com`, first_name: `R${i}` });
    return rows;
  }
  const lines = require("fs").readFileSync(spec, "utf8").split(/\r?\n/).filter((l) => l);
  const head = lines.shift().split(",");
  return lines.map((l) => {
    const v = l.split(",");
    const row = {};
    head.forEach((k, i) => {
      if (v[i] !== undefined && v[i] !== "") row[k.trim()] = v[i];
    });
    return row;
  });
}

async function registrants(meetingId, spec) {
  const { MeetingsEndpoints } = require(require.resolve("@zoom/rivet/meetings", { paths: [root] }));
  const m = new MeetingsEndpoints({ auth: { getToken: () => token }, baseUrl: base });
  const rows = registrantRows(spec);
  const statuses = {};
  let ok = 0;
  const t0 = process.hrtime.bigint();
  for (const body of rows) {
    try {
      await m.meetings.addMeetingRegistrant({ path: { meetingId: Number(meetingId) }, body });
      ok++;
    } catch (e) {
      const st = /^\[(\d+)/.exec((e && e.message) || "");
      const k = st ? st[1] : "error";
      statuses[k] = (statuses[k] || 0) + 1;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ ok, failed: rows.length - ok, statuses, seconds }) + "\n");
}

async function list(pageSize) {
  let next = "";
  const out = process.stdout;
  for (;;) {
    const query = { page_size: pageSize };
    if (next) query.next_page_token = next;
    const { data } = await api.users.listUsers({ query });
    let chunk = "";
    for (const u of data.users || []) chunk += JSON.stringify(u) + "\n";
    if (chunk && !out.write(chunk)) await new Promise((r) => out.once("drain", r));
    next = data.next_page_token || "";
    if (!next) break;
  }
}

async function meLoop(n) {
  for (let i = 0; i < n; i++) await api.users.getUser({ path: { userId: "me" } });
  let sum = 0;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await api.users.getUser({ path: { userId: "me" } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    sum += ms;
    min = Math.min(min, ms);
  }
  process.stdout.write(JSON.stringify({ per_call_ms: sum / n, min_ms: min }) + "\n");
}

async function main() {
  if (cmd === "list") return list(Number(arg || 300));
  if (cmd === "me") {
    const { data } = await api.users.getUser({ path: { userId: "me" } });
    process.stdout.write(JSON.stringify(data) + "\n");
    return;
  }
  if (cmd === "me-loop") return meLoop(Number(arg || 100));
  if (cmd === "registrants") return registrants(arg, process.argv[6] || "10");
  console.error("unknown command " + cmd);
  process.exit(2);
}

main().catch((e) => {
  console.error("rivet-client: " + (e && e.message ? e.message : e));
  process.exit(1);
});
