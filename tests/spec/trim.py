#!/usr/bin/env python3
"""Trim Zoom's 2026 OpenAPI files to what the action descriptors use.

Writes tests/spec/zoom-actions-subset.json: for each operation an action
calls, its parameters, its request body schema (allOf merged, descriptions
and examples dropped) and its scopes. The spec test (tests/unit/
test_actions_spec.c) compares every descriptor constraint against it; CI has
no shared/ folder, so the subset is committed.

Usage: python3 tests/spec/trim.py [--check] [DIR_WITH_OPENAPI_FILES]
       --check: write nothing; exit 1 when the committed subset is not what
       the sources give (tests/integration/test_actions_spec_subset.py).
       (default ../shared/zoom-openapi relative to the repository, then
        /work/shared/zoom-openapi). Fails if a source file's sha256 is not
        the one recorded below, so the subset always names its exact source.
"""
import hashlib
import json
import os
import sys

SOURCES = {
    "zoom-meetings-api-2026-03.json":
        "b4541039f52b514546c21a6d0a24db6ee28827fc49544fc3c19e0c839fd68e36",
    "zoom-users-api-2026-03.json":
        "7840911a1541b1c6666ddaf833a8de703c4e974631c00ac8ab018a97bb4e513d",
}

OPERATIONS = [
    ("zoom-meetings-api-2026-03.json", "post", "/users/{userId}/meetings"),
    ("zoom-meetings-api-2026-03.json", "get", "/users/{userId}/meetings"),
    ("zoom-meetings-api-2026-03.json", "post", "/meetings/{meetingId}/registrants"),
    ("zoom-meetings-api-2026-03.json", "get", "/meetings/{meetingId}/registrants"),
    ("zoom-meetings-api-2026-03.json", "get", "/meetings/{meetingId}/recordings"),
    ("zoom-meetings-api-2026-03.json", "get", "/meetings/{meetingId}"),
    ("zoom-meetings-api-2026-03.json", "patch", "/meetings/{meetingId}"),
    ("zoom-meetings-api-2026-03.json", "delete", "/meetings/{meetingId}"),
    ("zoom-meetings-api-2026-03.json", "put", "/meetings/{meetingId}/registrants/status"),
    ("zoom-meetings-api-2026-03.json", "get", "/meetings/{meetingId}/registrants/questions"),
    ("zoom-meetings-api-2026-03.json", "patch", "/meetings/{meetingId}/registrants/questions"),
    ("zoom-meetings-api-2026-03.json", "get", "/past_meetings/{meetingId}/participants"),
    ("zoom-users-api-2026-03.json", "get", "/users"),
    ("zoom-users-api-2026-03.json", "post", "/users"),
    ("zoom-users-api-2026-03.json", "get", "/users/{userId}"),
    ("zoom-users-api-2026-03.json", "patch", "/users/{userId}"),
    ("zoom-users-api-2026-03.json", "delete", "/users/{userId}"),
    ("zoom-meetings-api-2026-03.json", "get", "/users/{userId}/recordings"),
]

KEEP = ("type", "format", "enum", "maxLength", "minLength", "minimum",
        "maximum", "maxItems", "minItems", "required", "default", "deprecated")


def trim(schema):
    """Keeps the constraint keywords; merges allOf; recurses."""
    out = {}
    for part in schema.get("allOf", []):
        merged = trim(part)
        props = out.setdefault("properties", {})
        props.update(merged.pop("properties", {}))
        req = merged.pop("required", [])
        if req:
            out.setdefault("required", []).extend(req)
        out.update(merged)
    for k in KEEP:
        if k in schema:
            out[k] = schema[k]
    if "properties" in schema:
        props = out.setdefault("properties", {})
        for name, sub in schema["properties"].items():
            props[name] = trim(sub)
    if "items" in schema:
        out["items"] = trim(schema["items"])
    return out


def find_dir(args):
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = args + [
        os.path.join(here, "..", "..", "..", "shared", "zoom-openapi"),
        "/work/shared/zoom-openapi",
    ]
    for d in candidates:
        if all(os.path.exists(os.path.join(d, f)) for f in SOURCES):
            return d
    sys.exit("trim.py: Zoom's OpenAPI files not found; pass their directory")


def main(argv):
    check = "--check" in argv
    src = find_dir([a for a in argv[1:] if a != "--check"])
    specs = {}
    for name, want in SOURCES.items():
        raw = open(os.path.join(src, name), "rb").read()
        got = hashlib.sha256(raw).hexdigest()
        if got != want:
            sys.exit("trim.py: %s has sha256 %s, expected %s" % (name, got, want))
        specs[name] = json.loads(raw)
    ops = {}
    for name, method, path in OPERATIONS:
        op = specs[name]["paths"][path][method]
        entry = {"operationId": op["operationId"], "parameters": {}}
        for p in op.get("parameters", []):
            entry["parameters"][p["name"]] = {
                "in": p["in"], "required": bool(p.get("required", False)),
                "schema": trim(p.get("schema", {}))}
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            entry["body"] = trim(body["schema"])
        ext = op.get("x-extensions", {})
        entry["granular_scopes"] = ext.get("x-granular-scopes", [])
        entry["classic_scopes"] = ext.get("x-macro-scopes", [])
        ops["%s %s" % (method.upper(), path)] = entry
    out = {"sources": SOURCES, "generated_by": "tests/spec/trim.py",
           "operations": ops}
    dest = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "zoom-actions-subset.json")
    text = json.dumps(out, indent=1, sort_keys=True) + "\n"
    if check:
        with open(dest) as f:
            same = f.read() == text
        print(dest, "is current" if same else "is stale: run tests/spec/trim.py")
        sys.exit(0 if same else 1)
    with open(dest, "w") as f:
        f.write(text)
    print("wrote", dest)


if __name__ == "__main__":
    main(sys.argv)
