#!/usr/bin/env python3
"""Regenerates tests/contract/zoom-openapi-trimmed.json from Zoom's OpenAPI
files: only the operations zoomflow uses, copied unchanged, merged into one
document because `prism proxy` takes a single document.

    tests/contract/trim_spec.py [SPEC_DIR]    (default /work/shared/zoom-openapi)

What changes compared with the sources (nothing else does):
  * paths and methods not listed in OPERATIONS are dropped;
  * info says where the document comes from (x-zf-sources: file + sha256);
  * components holds only securitySchemes (the only component the sources
    have), with the oauth2 scope list cut to the scopes the kept operations
    name. No schema, parameter or response is edited.
The output is deterministic (sorted keys off, insertion order of the
sources kept, indent 1) so a regeneration shows up as a clean diff.
Standard library only.
"""
import hashlib
import json
import os
import sys

# (source file, path, methods): the product's endpoints (docs/zoom-api.md A1-A9)
OPERATIONS = [
    ("zoom-users-api-2026-03.json", "/users", ["get", "post"]),
    ("zoom-users-api-2026-03.json", "/users/{userId}", ["get", "patch", "delete"]),
    ("zoom-users-api-2026-03.json", "/users/{userId}/settings", ["get"]),
    ("zoom-meetings-api-2026-03.json", "/users/{userId}/meetings", ["get", "post"]),
    ("zoom-meetings-api-2026-03.json", "/meetings/{meetingId}", ["get", "patch", "delete"]),
    ("zoom-meetings-api-2026-03.json", "/meetings/{meetingId}/registrants", ["get", "post"]),
    ("zoom-meetings-api-2026-03.json", "/meetings/{meetingId}/registrants/{registrantId}",
     ["get"]),
    ("zoom-meetings-api-2026-03.json", "/meetings/{meetingId}/recordings", ["get"]),
    ("zoom-meetings-api-2026-03.json", "/users/{userId}/recordings", ["get"]),
    ("zoom-meetings-api-2026-03.json", "/meetings/{meetingId}/registrants/status", ["put"]),
    ("zoom-meetings-api-2026-03.json", "/meetings/{meetingId}/registrants/questions",
     ["get", "patch"]),
    ("zoom-meetings-api-2026-03.json", "/past_meetings/{meetingId}/participants", ["get"]),
    ("zoom-team-chat-api-2026-03.json", "/contacts", ["get"]),
]
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "zoom-openapi-trimmed.json")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def find_refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                out.add(v)
            else:
                find_refs(v, out)
    elif isinstance(node, list):
        for v in node:
            find_refs(v, out)


def load_sources(spec_dir):
    docs, sources = {}, []
    for name in dict.fromkeys(op[0] for op in OPERATIONS):
        path = os.path.join(spec_dir, name)
        if not os.path.exists(path):
            sys.exit(f"trim_spec: {path} is missing; pass the folder holding Zoom's "
                     f"OpenAPI files (shared/zoom-openapi) as the first argument")
        with open(path, encoding="utf-8") as f:
            docs[name] = json.load(f)
        sources.append({"file": name, "sha256": sha256(path)})
    return docs, sources


def trim(docs, sources):
    first = docs[OPERATIONS[0][0]]
    out = {
        "openapi": first["openapi"],
        "info": {
            "title": "Zoom API (zoomflow's subset)",
            "version": first["info"]["version"],
            "description": "Operations zoomflow uses, copied unchanged from Zoom's "
                           "OpenAPI files by tests/contract/trim_spec.py.",
            "x-zf-sources": sources,
        },
        "servers": first["servers"],
        "paths": {},
    }
    used_scopes, schemes = set(), {}
    for name, path, methods in OPERATIONS:
        doc = docs[name]
        if out["servers"] != doc["servers"]:
            sys.exit(f"trim_spec: {name} has other servers than {OPERATIONS[0][0]}")
        item = doc["paths"].get(path)
        if item is None:
            sys.exit(f"trim_spec: {name} has no path {path}")
        kept = {k: v for k, v in item.items() if k not in HTTP_METHODS}
        for m in methods:
            if m not in item:
                sys.exit(f"trim_spec: {name} has no {m.upper()} {path}")
            kept[m] = item[m]
            for req in item[m].get("security", []):
                used_scopes.update(req.get("openapi_oauth", []))
        if path in out["paths"]:
            sys.exit(f"trim_spec: {path} listed twice")
        out["paths"][path] = kept
        for k, v in doc.get("components", {}).get("securitySchemes", {}).items():
            schemes.setdefault(k, json.loads(json.dumps(v)))
        refs = set()
        find_refs(kept, refs)
        if refs:
            sys.exit(f"trim_spec: {path} uses $ref {sorted(refs)}; copy those components too")
    for scheme in schemes.values():
        for flow in scheme.get("flows", {}).values():
            if "scopes" in flow:
                allk = {}
                for d in docs.values():
                    for s2 in d.get("components", {}).get("securitySchemes", {}).values():
                        for f2 in s2.get("flows", {}).values():
                            allk.update(f2.get("scopes", {}))
                flow["scopes"] = {s: allk.get(s, s) for s in sorted(used_scopes)}
    out["components"] = {"securitySchemes": schemes}
    return out


def main():
    spec_dir = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/zoom-openapi"
    docs, sources = load_sources(spec_dir)
    out = trim(docs, sources)
    tmp = OUT + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, OUT)
    n = sum(len([m for m in v if m in HTTP_METHODS]) for v in out["paths"].values())
    print(f"trim_spec: wrote {OUT}: {len(out['paths'])} paths, {n} operations")
    for s in sources:
        print(f"  {s['file']}  sha256 {s['sha256']}")


if __name__ == "__main__":
    main()
