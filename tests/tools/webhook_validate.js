#!/usr/bin/env node
// Validates webhook bodies against Zoom's schemas with ajv (draft 2020-12,
// the dialect of Zoom's OpenAPI 3.1 webhook files) and ajv-formats (email,
// date-time, int64 checked). Test tooling for tests/integration/
// test_sim_webhooks_schema.py, not part of the product.
//
//   node webhook_validate.js SCHEMAS.json... < bodies.jsonl
//
// Each SCHEMAS file is either tests/spec/zoom-webhooks-subset.json
// ({"events": {name: schema}}) or an OpenAPI document with "webhooks"
// (tests/spec/zoom-users-webhooks.json). Each input line is one webhook body
// as sent; each output line {"line", "event", "ok", "errors"} says whether
// the schema of that body's "event" accepts it. An event no file describes
// is not ok ("no schema"). Exit 0 when every body passed, 1 otherwise.
"use strict";
const fs = require("fs");
const path = require("path");
const root = path.resolve(__dirname, "..", "..", "node_modules");
const Ajv2020 = require(path.join(root, "ajv", "dist", "2020")).default;
const addFormats = require(path.join(root, "ajv-formats"));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

const schemas = {};
for (const file of process.argv.slice(2)) {
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  if (doc.events) {
    Object.assign(schemas, doc.events);
  } else {
    for (const [name, op] of Object.entries(doc.webhooks || {}))
      schemas[name] = op.post.requestBody.content["application/json"].schema;
  }
}
const compiled = {};
function validator(name) {
  if (!(name in compiled)) compiled[name] = schemas[name] ? ajv.compile(schemas[name]) : null;
  return compiled[name];
}

const lines = fs.readFileSync(0, "utf8").split("\n").filter((l) => l.trim());
let bad = 0;
lines.forEach((text, i) => {
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    bad++;
    console.log(JSON.stringify({ line: i + 1, event: null, ok: false, errors: ["not JSON: " + e.message] }));
    return;
  }
  const v = validator(body.event);
  const ok = v ? v(body) : false;
  const errors = v
    ? (v.errors || []).map((e) => `${e.instancePath || "/"} ${e.message}` +
        (e.params && Object.keys(e.params).length ? " " + JSON.stringify(e.params) : ""))
    : ["no schema for " + body.event];
  if (!ok) bad++;
  console.log(JSON.stringify({ line: i + 1, event: body.event, ok, errors: ok ? [] : errors }));
});
process.exit(bad ? 1 : 0);
