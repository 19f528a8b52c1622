#!/usr/bin/env python3
"""Cut Zoom's Meetings webhook OpenAPI file down to the events zoomsim emits.

Writes tests/spec/zoom-webhooks-subset.json: {"source", "sha256", "events":
{name: the request body's JSON Schema}}, each schema exactly as Zoom's file
has it except that the file's few "$ref"s, which point at "#/paths/<event>/
..." (the file keeps its events under "webhooks", so they resolve nowhere),
are replaced by the schema they mean. The webhook schema test
(tests/integration/test_sim_webhooks_schema.py) validates every event
zoomsim sends against it; CI has no shared/ folder, so the subset is
committed. The user.* events are not in this file: see
tests/spec/zoom-users-webhooks.json.

Usage: python3 tests/spec/trim_webhooks.py [--check] [DIR_WITH_OPENAPI_FILES]
       --check: write nothing; exit 1 when the committed subset is not what
       the source gives. Default directory: ../shared/zoom-openapi relative to
       the repository, then /work/shared/zoom-openapi. Fails when the source's
       sha256 is not the one recorded below.
"""
import copy
import hashlib
import json
import os
import sys

SOURCE = "zoom-meetings-webhooks-2026-03.json"
SHA256 = "5ab92d67137a5b08bab47eee3d23347c5e93f8eb4b6dc6ae58eebae598dad439"

EVENTS = [
    "meeting.created",
    "meeting.updated",
    "meeting.deleted",
    "meeting.registration_created",
    "meeting.registration_approved",
    "meeting.registration_denied",
    "meeting.registration_cancelled",
    "recording.completed",
]

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "zoom-webhooks-subset.json")


def pointer(doc, ref):
    """Resolves "#/paths/<event>/a/b" against the file's webhooks."""
    parts = ref[2:].split("/")
    if parts[0] != "paths":
        raise SystemExit(f"unexpected $ref {ref}")
    node = doc["webhooks"]
    for p in parts[1:]:
        node = node[p.replace("~1", "/").replace("~0", "~")]
    return node


def inline(doc, node):
    if isinstance(node, dict):
        if set(node) == {"$ref"}:
            return inline(doc, copy.deepcopy(pointer(doc, node["$ref"])))
        return {k: inline(doc, v) for k, v in node.items()}
    if isinstance(node, list):
        return [inline(doc, v) for v in node]
    return node


def build(src_dir):
    path = os.path.join(src_dir, SOURCE)
    raw = open(path, "rb").read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{path}: sha256 {digest}, expected {SHA256}")
    doc = json.loads(raw)
    events = {}
    for e in EVENTS:
        schema = doc["webhooks"][e]["post"]["requestBody"]["content"]["application/json"]["schema"]
        events[e] = inline(doc, schema)
    return {"source": SOURCE, "sha256": SHA256, "events": events}


def default_dir():
    for d in (os.path.join(HERE, "..", "..", "..", "shared", "zoom-openapi"),
              "/work/shared/zoom-openapi"):
        if os.path.exists(os.path.join(d, SOURCE)):
            return d
    raise SystemExit("Zoom's OpenAPI files not found: give their directory")


def main(argv):
    check = "--check" in argv
    rest = [a for a in argv if a != "--check"]
    subset = build(rest[0] if rest else default_dir())
    text = json.dumps(subset, indent=1, sort_keys=True) + "\n"
    if check:
        have = open(OUT).read() if os.path.exists(OUT) else ""
        if have != text:
            print(f"{OUT} is stale: run tests/spec/trim_webhooks.py")
            return 1
        print(f"{OUT} is current")
        return 0
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {OUT} ({len(subset['events'])} events)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
