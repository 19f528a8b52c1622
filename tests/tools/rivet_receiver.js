#!/usr/bin/env node
// Zoom's own Node SDK (@zoom/rivet) receiving webhooks: its HttpReceiver
// checks x-zm-signature and x-zm-request-timestamp and answers
// endpoint.url_validation, exactly as an app built on it would. Test tooling
// for tests/integration/test_sim_webhooks_schema.py, not part of the product.
//
//   node rivet_receiver.js SECRET_TOKEN
//
// Prints {"port": N} once listening on 127.0.0.1 (a free port), then one
// line {"event": name, "body": payload} per event the SDK accepted and passed
// on. Events it refuses (a bad signature) never reach that point: Rivet
// answers them 400, which the sender sees. Stops when stdin closes.
"use strict";
const net = require("net");
const path = require("path");
const root = path.resolve(__dirname, "..", "..", "node_modules");
const { HttpReceiver, LogLevel } = require(require.resolve("@zoom/rivet/users", { paths: [root] }));

// Rivet's receiver listens on every interface; tests stay on loopback.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (port, ...rest) {
  if (typeof port === "number" && (rest.length === 0 || typeof rest[0] === "function"))
    return listen.call(this, port, "127.0.0.1", ...rest);
  return listen.call(this, port, ...rest);
};

const secret = process.argv[2];
if (!secret) {
  console.error("usage: rivet_receiver.js SECRET_TOKEN");
  process.exit(2);
}
const receiver = new HttpReceiver({
  webhooksSecretToken: secret,
  endpoints: "/zoom/events",
  port: 0,
  logLevel: LogLevel.ERROR,
});
receiver.init({
  eventEmitter: {
    emit: async (name, payload) => {
      process.stdout.write(JSON.stringify({ event: name, body: payload }) + "\n");
    },
  },
});
receiver.start(0).then((server) => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
