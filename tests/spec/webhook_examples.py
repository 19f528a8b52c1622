#!/usr/bin/env python3
"""Writes tests/unit/data/zoom-meetings-webhook-examples.jsonl: the JSON
example of every event in Zoom's Meetings webhooks OpenAPI file
(shared/zoom-openapi/zoom-meetings-webhooks-2026-03.json, see its
README.txt), one compact line each, sorted by event name. test_webhook
decodes every line with the strict envelope decoder.

usage: tests/spec/webhook_examples.py [SPEC_DIR]
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
dirs = sys.argv[1:] or [os.path.join(here, "..", "..", "..", "shared", "zoom-openapi"),
                        "/work/shared/zoom-openapi"]
spec = next(os.path.join(d, "zoom-meetings-webhooks-2026-03.json") for d in dirs
            if os.path.exists(os.path.join(d, "zoom-meetings-webhooks-2026-03.json")))
hooks = json.load(open(spec))["webhooks"]
lines = []
for name in sorted(hooks):
    content = hooks[name]["post"]["requestBody"]["content"]["application/json"]
    for ex in content["examples"].values():
        v = ex["value"]
        lines.append(json.dumps(json.loads(v) if isinstance(v, str) else v,
                                separators=(",", ":"), ensure_ascii=False))
out = os.path.join(here, "..", "unit", "data", "zoom-meetings-webhook-examples.jsonl")
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
print(f"{len(lines)} examples -> {os.path.relpath(out)}")
