"""zoomflow workflows validate|list|show through the real binary.

The examples pass; broken definitions fail with exit 1 and every problem as
FILE:LINE:COL: message plus a hint, at the exact place; names are unique
across the files of a directory; list and show (and --json) describe the
definitions. Nothing here touches the store or the network: the commands
load files only (a run proves it by pointing the store at a path that
cannot exist).
"""
import json
import os
import re
import shutil
import tempfile
import types
import unittest

from cliharness import CliEnv

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples", "workflows")


def no_sim():
    return types.SimpleNamespace(url="http://127.0.0.1:9")


class Workflows(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cli = CliEnv(no_sim())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.cli.dir, ignore_errors=True)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="wf-", dir=self.cli.dir)

    def run_cli(self, *args, **kw):
        # a store that cannot be opened: the commands must not need one
        env = {"ZOOMFLOW_DB": "sqlite:/nonexistent/dir/x.db"}
        return self.cli.run(*args, timeout=30, env=env, **kw)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:  # latin-1: a test may write a byte that is not UTF-8
            f.write(text.encode("latin-1"))
        return path

    def test_examples_validate(self):
        p = self.run_cli("workflows", "validate", "--workflows", EXAMPLES)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(p.out, "3 workflows valid (5 steps)\n")
        p = self.run_cli("workflows", "validate", "--json", "--workflows", EXAMPLES)
        self.assertEqual(json.loads(p.out), {"valid": True, "workflows": 3, "steps": 5})

    def test_each_example_alone(self):
        for name in sorted(os.listdir(EXAMPLES)):
            with self.subTest(name=name):
                p = self.run_cli("workflows", "validate", os.path.join(EXAMPLES, name))
                self.assertEqual(p.returncode, 0, p.err)
                self.assertIn("1 workflow valid", p.out)

    def test_list_and_show(self):
        p = self.run_cli("workflows", "list", "--json", "--workflows", EXAMPLES)
        self.assertEqual(p.returncode, 0, p.err)
        wfs = {w["name"]: w for w in json.loads(p.out)["workflows"]}
        self.assertEqual(set(wfs), {"new-hire-day-one", "town-hall", "recordings-archive"})
        self.assertEqual(wfs["recordings-archive"]["on"], {"type": "zoom",
                                                          "name": "recording.completed"})
        self.assertEqual(wfs["town-hall"]["steps"][0]["concurrency"], 4)
        self.assertTrue(wfs["town-hall"]["version"].startswith("sha256:"))
        p = self.run_cli("workflows", "show", "new-hire-day-one", "--workflows", EXAMPLES)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("trigger:     event employee.onboarded", p.out)
        self.assertRegex(p.out, r"2\. orientation\s+create_meeting")
        p = self.run_cli("workflows", "show", "nope", "--workflows", EXAMPLES)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no workflow named nope", p.err)

    def test_problems_at_their_places(self):
        path = self.write("bad.yaml", (
            "name: bad\n"
            "on: {zoom: recording.complete}\n"
            "steps:\n"
            "  - id: a\n"
            "    action: create_usr\n"
            "  - id: b\n"
            "    action: create_meeting\n"
            "    with:\n"
            "      user_id: \"{{ steps.c.output.id }}\"\n"
            "      topic: \"{{ event.x | uper }}\"\n"
            "      type: 7\n"
            "      colour: red\n"
            "  - id: c\n"
            "    action: get_user\n"
            "    with: {user_id: me}\n"))
        p = self.run_cli("workflows", "validate", path)
        self.assertEqual(p.returncode, 1, p.err)
        lines = [l for l in p.err.splitlines() if not l.startswith("  hint:")]
        want = [
            f"{path}:2:12: \"recording.complete\" is not a Zoom webhook event",
            f"{path}:5:13: there is no action create_usr",
            f"{path}:9:20: step c comes later",
            f"{path}:10:28: there is no filter uper",
            f"{path}:11:13: steps[1].with.type:",
            f"{path}:12:7: the action takes no input colour",
        ]
        self.assertEqual(len(lines), len(want), p.err)
        for got, w in zip(lines, want):
            self.assertTrue(got.startswith(w), f"{got!r} should start with {w!r}")
        self.assertIn("  hint: did you mean create_user?", p.err)
        self.assertIn("  hint: did you mean upper?", p.err)
        p = self.run_cli("workflows", "validate", "--json", path)
        self.assertEqual(p.returncode, 1)
        doc = json.loads(p.out)
        self.assertFalse(doc["valid"])
        self.assertEqual([(x["line"], x["column"]) for x in doc["problems"]],
                         [(2, 12), (5, 13), (9, 20), (10, 28), (11, 13), (12, 7)])
        self.assertEqual(doc["problems"][1]["hint"], "did you mean create_user?")

    def test_yaml_refusals(self):
        cases = {
            "a: &x [1]\nb: *x\n": "1:4: anchors",
            "a: !!str 1\n": "tags",
            "name: a\nname: b\n": "2:1: the key name is given twice",
            "? [a]\n: 1\n": "keys must be strings",
            "a: b: c\n": "x.yaml:1:5: not valid YAML: invalid nested block mapping",
            "a: 1\nb: x\x92y\n": "x.yaml:2:5: not UTF-8 text (a stray byte here)",
            "": "is empty",
        }
        for text, want in cases.items():
            with self.subTest(text=text):
                path = self.write("x.yaml", text)
                p = self.run_cli("workflows", "validate", path)
                self.assertEqual(p.returncode, 1, p.err)
                self.assertIn(want, p.err)

    def test_names_unique_across_files(self):
        body = "on: manual\nsteps: [{id: a, action: get_user, with: {user_id: me}}]\n"
        self.write("a.yaml", "name: same\n" + body)
        self.write("b.yml", "name: same\n" + body)
        self.write("c.json", json.dumps({"name": "other", "on": "manual", "steps": [
            {"id": "a", "action": "get_user", "with": {"user_id": "me"}}]}))
        self.write("ignored.txt", "not a definition")
        p = self.run_cli("workflows", "validate", "--workflows", self.dir)
        self.assertEqual(p.returncode, 1, p.err)
        self.assertRegex(p.err, r"b\.yml:1:7: the workflow name same is taken by .*a\.yaml")
        os.unlink(os.path.join(self.dir, "b.yml"))
        p = self.run_cli("workflows", "validate", "--workflows", self.dir)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(p.out, "2 workflows valid (2 steps)\n")

    def test_schedule_checks(self):
        path = self.write("s.yaml", (
            "name: s\non:\n  schedule: {cron: \"0 9 * * fry\", timezone: Mars/Olympus}\n"
            "steps: [{id: a, action: get_user, with: {user_id: me}}]\n"))
        p = self.run_cli("workflows", "validate", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"{path}:3:45: \"Mars/Olympus\" is not a known time zone", p.err)
        self.assertIn(f"{path}:3:29: bad cron schedule: a value expected in the day of week",
                      p.err)

    def test_usage(self):
        p = self.run_cli("workflows", "validate")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--workflows DIR", p.err)
        p = self.run_cli("workflows", "validate", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--workflows DIR", p.out)
        p = self.run_cli("workflows", "list", "--workflows", os.path.join(self.dir, "none"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot open the directory", p.err)


if __name__ == "__main__":
    unittest.main()
