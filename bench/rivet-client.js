#!/usr/bin/env node
// Zoom's own Node SDK (@zoom/rivet 0.4.0, node_modules) as a peer in
// bench/list-bench and bench/api-bench: its UsersEndpoints against zoomsim,
// as an app built on it calls Zoom. Bench tooling, not part of the product.
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
  console.error("usage: rivet-client.js BASE_URL TOKEN list PAGE_SIZE | me | me-loop N");
  process.exit(2);
}
const api = new UsersEndpoints({ auth: { getToken: () => token }, baseUrl: base });

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
  console.error("unknown command " + cmd);
  process.exit(2);
}

main().catch((e) => {
  console.error("rivet-client: " + (e && e.message ? e.message : e));
  process.exit(1);
});
