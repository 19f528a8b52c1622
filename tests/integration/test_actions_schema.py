"""The JSON Schemas the REST service publishes for the actions.

* each is a valid JSON Schema draft 2020-12 document (checked against the
  metaschema with python3-jsonschema);
* they agree with the C validator: for every constraint keyword in a
  schema, an input breaking just that constraint is refused by the schema
  AND by zf_action_validate, at the same field path; the minimal valid
  inputs pass both.

Schemas come from `build/test_actions_docs --schemas`, the C verdicts from
`build/test_actions_docs --validate NAME`.
"""
import copy
import json
import subprocess
import unittest

import zfharness

# scripts/install-deps --test installs python3-jsonschema; the suite must not
# quietly lose this check when it is missing, so the import fails loudly.
import jsonschema

BASES = {
    "create_meeting": {"user_id": "me"},
    "list_users": {},
    "create_user": {"action": "create", "user_info": {"email": "a@example.com", "type": 1}},
    "list_meetings": {"user_id": "me"},
    "add_meeting_registrant": {"meeting_id": 85746065432, "email": "r@example.com",
                               "first_name": "Rae"},
    "list_meeting_registrants": {"meeting_id": 85746065432},
    "get_meeting_recordings": {"meeting_id": 85746065432},
    "get_meeting": {"meeting_id": 85746065432},
    "update_meeting": {"meeting_id": 85746065432, "topic": "Moved"},
    "delete_meeting": {"meeting_id": 85746065432},
    "update_registrant_status": {"meeting_id": 85746065432, "action": "approve",
                                 "registrants": [{"email": "r@example.com"}]},
    "get_registrant_questions": {"meeting_id": 85746065432},
    "update_registrant_questions": {"meeting_id": 85746065432, "questions": []},
    "list_past_meeting_participants": {"meeting_id": 85746065432},
    "get_user": {"user_id": "me"},
    "update_user": {"user_id": "me", "first_name": "Ada"},
    "delete_user": {"user_id": "leaver@example.com"},
    "list_user_recordings": {"user_id": "me"},
    "list_account_recordings": {"account_id": "me"},
    "call_api": {"method": "GET", "path": "/users/me"},
}


def tool():
    return zfharness.binary("test_actions_docs")


def c_problems(action, instance):
    out = subprocess.run([tool(), "--validate", action], input=json.dumps(instance),
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def filler(schema):
    """A value that satisfies a (sub)schema's simple keywords."""
    if "enum" in schema:
        return schema["enum"][0]
    types = schema.get("type", "string")
    t = types[0] if isinstance(types, list) else types
    if t == "integer":
        return schema.get("minimum", 1)
    if t == "boolean":
        return True
    if t == "object":
        return {k: filler(schema["properties"][k]) for k in schema.get("required", [])}
    if t == "array":
        return []
    return "x"


def breakers(schema):
    """(keyword, value) pairs, each breaking exactly one keyword."""
    types = schema.get("type")
    types = [types] if isinstance(types, str) else (types or [])
    out = []
    if types:
        out.append(("type", 12.5 if "boolean" not in types else "yes"))
    if "enum" in schema:
        out.append(("enum", "not-a-member" if "string" in types else 987654))
    if "minimum" in schema:
        out.append(("minimum", schema["minimum"] - 1))
    if "maximum" in schema:
        out.append(("maximum", schema["maximum"] + 1))
    if "maxLength" in schema:
        out.append(("maxLength", "A" * (schema["maxLength"] + 1)))
    if "minLength" in schema and schema["minLength"] > 1:
        out.append(("minLength", "A" * (schema["minLength"] - 1)))
    if "maxItems" in schema:
        out.append(("maxItems", [filler(schema.get("items", {}))] * (schema["maxItems"] + 1)))
    if schema.get("additionalProperties") is False:
        out.append(("additionalProperties", None))
    return out


def walk(schema, path=()):
    """Yields (path tuple, subschema) for every property, items as index 0."""
    for name, sub in schema.get("properties", {}).items():
        yield path + (name,), sub
        yield from walk(sub, path + (name,))
        if "items" in sub:
            yield path + (name, 0), sub["items"]
            yield from walk(sub["items"], path + (name, 0))


def place(base, schema, path, value):
    """base with value at path; parents made of fillers for their required keys."""
    inst = copy.deepcopy(base)
    node, sch = inst, schema
    for i, key in enumerate(path[:-1]):
        sch = sch["items"] if isinstance(key, int) else sch["properties"][key]
        if isinstance(key, int):
            if not node:
                node.append(filler(sch))
            node = node[0]
        else:
            if key not in node:
                node[key] = [] if sch.get("type") == "array" else filler(sch)
            node = node[key]
    last = path[-1]
    if isinstance(last, int):
        # item 0: the base's own first item is replaced (a list the base
        # needs, as update_registrant_status's registrants, already has one)
        node[0:1] = [value]
    else:
        node[last] = value
    return inst


def dotted(path):
    s = ""
    for key in path:
        s += "[%d]" % key if isinstance(key, int) else ("." if s else "") + key
    return s


class ActionSchemas(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        out = subprocess.run([tool(), "--schemas"], capture_output=True, text=True,
                             timeout=60, check=True)
        cls.schemas = json.loads(out.stdout)

    def test_every_action_has_a_valid_2020_12_schema(self):
        self.assertEqual(sorted(self.schemas), sorted(BASES))
        for name, schema in self.schemas.items():
            with self.subTest(action=name):
                self.assertEqual(schema["$schema"],
                                 "https://json-schema.org/draft/2020-12/schema")
                jsonschema.Draft202012Validator.check_schema(schema)

    def test_minimal_inputs_pass_both(self):
        for name, base in BASES.items():
            with self.subTest(action=name):
                jsonschema.Draft202012Validator(self.schemas[name]).validate(base)
                self.assertEqual(c_problems(name, base), [])

    def test_each_constraint_refused_by_schema_and_c(self):
        checked = 0
        for name, schema in self.schemas.items():
            validator = jsonschema.Draft202012Validator(schema)
            for path, sub in walk(schema):
                for keyword, bad in breakers(sub):
                    if keyword == "additionalProperties":
                        path2, bad = path + ("no_such_key",), 1
                    else:
                        path2 = path
                    inst = place(BASES[name], schema, path2, bad)
                    with self.subTest(action=name, field=dotted(path2), keyword=keyword):
                        self.assertFalse(validator.is_valid(inst),
                                         "the published schema accepts it")
                        fields = [p["field"] for p in c_problems(name, inst)]
                        self.assertIn(dotted(path2), fields)
                    checked += 1
        self.assertGreater(checked, 150)


if __name__ == "__main__":
    unittest.main()
