"""Option specs through the real binary: every command parses with the
table that prints its --help, so

  * every flag its --help lists is accepted (an unknown flag after it is
    what fails), and an unknown flag names itself, the command, the usage
    line and `zoomflow COMMAND --help`, with exit 2 and nothing on stdout;
  * options and positionals come in any order, `--` ends the options, a
    value may not be taken from a following flag;
  * flag text is typed by one rule for top-level and dotted flags:
    booleans are true/false, yes/no, 1/0 everywhere, and text of the wrong
    type is reported by validation with every other problem.

Nothing here reaches Zoom: each run fails in parsing, at the path check
or prints a --dry-run.
"""
import json
import re
import shutil
import types
import unittest

import zfharness
from cliharness import CliEnv

BOGUS = "--no-such-flag"
# what to give a flag whose help shows a value (action flags show a type)
SAMPLE = {"BOOL": "true", "JSON": "{}", "KEY=VALUE": "k=v", "HEADER": "X-Test: 1"}


def no_sim():
    return types.SimpleNamespace(url="http://127.0.0.1:9")


def flags_of(help_text, sections):
    """[(flag, takes_value, value_name)] of the listed help sections."""
    found = []
    current = None
    for line in help_text.splitlines():
        if line and not line.startswith(" "):
            current = line.rstrip(":") if line.endswith(":") else None
            continue
        if current not in sections:
            continue
        m = re.match(r"^  (?:-\w, )?(--[\w.-]+)(?: ([A-Z][\w=|-]*))?(?:\s|$)", line)
        if m:
            found.append((m.group(1), m.group(2) is not None, m.group(2)))
    return found


class OptionSpecs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cli = CliEnv(no_sim())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.cli.dir, ignore_errors=True)

    def run_cli(self, *args, **kw):
        return self.cli.run(*args, timeout=30, **kw)

    def commands(self):
        out = self.run_cli("--help").out.splitlines()
        start = out.index("Commands:") + 1
        names = []
        for line in out[start:]:
            if not line.strip():
                break
            names.append(re.split(r"\s{2,}", line.strip())[0])
        return names

    def assertUsageError(self, p, *words):
        self.assertEqual(p.returncode, 2, p.err)
        self.assertEqual(p.out, "")
        self.assertTrue(p.err.startswith("zoomflow: "), p.err)
        self.assertIn("\nusage: zoomflow ", p.err)
        for w in words:
            self.assertIn(w, p.err)

    def test_every_listed_flag_parses(self):
        sections = ("Options", "Common options", "Flags (JSON values for objects and arrays)")
        checked = 0
        for name in self.commands():
            words = name.split()
            h = self.run_cli(*words, "--help")
            self.assertEqual(h.returncode, 0, name)
            flags = [f for f in flags_of(h.out, sections) if f[0] != "--help"]
            if zfharness.VALGRIND:
                # one process per flag is 316 valgrind runs of the same parser:
                # there, each command's table with one flag of each kind of
                # value given (none, SAMPLE's kinds, a plain word): 93 runs
                kinds = {(f[1], f[2] if f[2] in SAMPLE else None): f for f in reversed(flags)}
                flags = list(kinds.values())
            for flag, takes_value, value_name in flags:
                with self.subTest(command=name, flag=flag):
                    given = [flag] + ([SAMPLE.get(value_name, "x")] if takes_value else [])
                    p = self.run_cli(*words, *given, BOGUS)
                    self.assertUsageError(p, f"unknown flag {BOGUS} for zoomflow {name}",
                                          f"see `zoomflow {name} --help`")
                    checked += 1
        self.assertGreater(checked, 40)

    def test_every_global_flag_parses(self):
        h = self.run_cli("--help")
        flags = flags_of(h.out, ("Global options (before or after the command)",))
        self.assertIn(("--profile", True, "NAME"), flags)
        for flag, takes_value, _ in flags:
            if flag in ("--help", "--version"):
                continue
            with self.subTest(flag=flag):
                p = self.run_cli(flag, *(["x"] if takes_value else []), BOGUS)
                self.assertUsageError(p, f"unknown global flag {BOGUS}",
                                      "see `zoomflow --help` for the global flags")

    def test_unknown_flag_of_every_command(self):
        # test_every_listed_flag_parses meets each command's refusal too: under
        # valgrind a spread of them here
        for name in zfharness.spread(self.commands(), 8):
            with self.subTest(command=name):
                p = self.run_cli(*name.split(), "--bogus=1")
                self.assertUsageError(p, f"unknown flag --bogus for zoomflow {name}",
                                      f"usage: zoomflow {name}",
                                      f"hint: see `zoomflow {name} --help`")

    def test_missing_value_and_flag_as_value(self):
        p = self.run_cli("meetings", "create", "--topic", "--dry-run")
        self.assertUsageError(p, "--topic needs a value", "--dry-run is a flag")
        p = self.run_cli("recordings", "download", "123", "--dir")
        self.assertUsageError(p, "--dir needs a value: --dir DIR")
        p = self.run_cli("--profile")
        self.assertUsageError(p, "--profile needs a value")
        p = self.run_cli("status", "--json=yes")
        self.assertUsageError(p, "--json takes no value")

    def test_extra_and_missing_arguments(self):
        p = self.run_cli("status", "work")
        self.assertUsageError(p, "unexpected argument 'work'", "takes no arguments")
        p = self.run_cli("api", "GET", "/users", "more")
        self.assertUsageError(p, "unexpected argument 'more'")
        p = self.run_cli("api", "GET")
        self.assertUsageError(p, "api needs a PATH after GET (METHOD and PATH")
        p = self.run_cli("actions", "schema")
        self.assertUsageError(p, "NAME is required")

    def test_options_anywhere_and_double_dash(self):
        # each parses (the path check refuses '..' afterwards, before any I/O)
        for args in (["api", "-i", "GET", "/a/../b"], ["api", "GET", "-i", "/a/../b"],
                     ["api", "GET", "/a/../b", "--include", "-q", "k=v"],
                     ["api", "-iqk=v", "GET", "/a/../b"]):
            with self.subTest(args=args):
                p = self.run_cli(*args)
                self.assertEqual(p.returncode, 2, p.err)
                self.assertNotIn("usage:", p.err)
                self.assertIn("segment", p.err)
        # after --, a flag-like word is the PATH
        p = self.run_cli("api", "GET", "--", "--include")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertNotIn("unknown flag", p.err)
        self.assertIn("--include", p.err)

    def dry_run(self, *args, **kw):
        p = self.run_cli(*args, "--dry-run", **kw)
        self.assertEqual(p.returncode, 0, p.err)
        return json.loads(p.out)

    def test_one_boolean_grammar(self):
        for word, want in (("yes", True), ("1", True), ("true", True), ("no", False),
                           ("0", False), ("false", False)):
            with self.subTest(word=word):
                body = self.dry_run("meetings", "create", "--user-id", "me",
                                    "--default-password", word,
                                    "--settings.mute_upon_entry", word)["body"]
                self.assertIs(body["default_password"], want)
                self.assertIs(body["settings"]["mute_upon_entry"], want)
                body = self.dry_run("meetings", "create", "--user-id", "me",
                                    f"--default-password={word}")["body"]
                self.assertIs(body["default_password"], want)
                # the same words in --input: a file written by hand or by a script
                doc = {"user_id": "me", "default_password": json.loads(word)
                       if word in ("1", "0") else word,
                       "settings": {"mute_upon_entry": word, "host_video": word}}
                p = self.cli.run("meetings", "create", "--input", "-", "--dry-run",
                                 input=json.dumps(doc).encode())
                self.assertEqual(p.returncode, 0, p.err)
                body = json.loads(p.out)["body"]
                self.assertIs(body["default_password"], want)
                self.assertIs(body["settings"]["mute_upon_entry"], want)
                self.assertIs(body["settings"]["host_video"], want)
        # what is not a boolean word stays an error naming the field; strings
        # and numbers of fields that take them are not touched
        p = self.cli.run("meetings", "create", "--input", "-", "--dry-run",
                         input=json.dumps({"user_id": "me", "default_password": 2,
                                           "settings": {"mute_upon_entry": "maybe"},
                                           "topic": "yes", "duration": 1}).encode())
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("(2 problems)", p.err)
        self.assertIn("default_password: must be true or false (or yes/no, 1/0) (got 2)", p.err)
        self.assertIn('settings.mute_upon_entry: must be true or false (or yes/no, 1/0) '
                      '(got "maybe")', p.err)
        body = self.dry_run("meetings", "create", "--input", "-", input=json.dumps(
            {"user_id": "me", "topic": "yes", "duration": 1}).encode())["body"]
        self.assertEqual((body["topic"], body["duration"]), ("yes", 1))
        # any case, as people type them; a dotted boolean alone is true; the
        # words inside a JSON-valued flag too
        body = self.dry_run("meetings", "create", "--user-id", "me", "--default-password", "Yes",
                            "--settings.mute_upon_entry", "--settings.host_video=FALSE",
                            "--settings.approval_type", "0")["body"]
        self.assertIs(body["default_password"], True)
        self.assertEqual(body["settings"], {"mute_upon_entry": True, "host_video": False,
                                            "approval_type": 0})
        body = self.dry_run("meetings", "create", "--user-id", "me", "--settings",
                            '{"mute_upon_entry": "yes", "host_video": 0}')["body"]
        self.assertEqual(body["settings"], {"mute_upon_entry": True, "host_video": False})
        p = self.run_cli("meetings", "create", "--user-id", "me", "--settings.approval_type",
                         "--dry-run")
        self.assertUsageError(p, "--settings.approval_type needs a value")
        self.assertTrue(self.dry_run("users", "list", "--all").get("follows_pages"))
        self.assertNotIn("follows_pages", self.dry_run("users", "list", "--all", "no"))

    def test_object_flags_merge_in_any_order(self):
        """An object flag and dotted flags of its members merge member by
        member, the later flag winning a member both set: the same in either
        order (as --input and flags merge)."""
        a = self.dry_run("meetings", "create", "--user-id", "me", "--settings.mute_upon_entry",
                         "true", "--settings", '{"waiting_room": true}')["body"]
        b = self.dry_run("meetings", "create", "--user-id", "me", "--settings",
                         '{"waiting_room": true}', "--settings.mute_upon_entry", "true")["body"]
        self.assertEqual(a["settings"], {"mute_upon_entry": True, "waiting_room": True})
        self.assertEqual(a["settings"], b["settings"])
        later = self.dry_run("users", "create", "--email", "x@example.com", "--type", "1",
                             "--user-info", '{"email": "y@example.com"}')["body"]
        self.assertEqual(later["user_info"], {"email": "y@example.com", "type": 1})
        later = self.dry_run("users", "create", "--user-info", '{"email": "y@example.com"}',
                             "--email", "x@example.com", "--type", "1")["body"]
        self.assertEqual(later["user_info"], {"email": "x@example.com", "type": 1})

    def test_wrong_types_reported_together(self):
        p = self.run_cli("meetings", "create", "--user-id", "me", "--duration", "45m",
                         "--type", "two", "--settings.jbh_time", "x", "--dry-run")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("(3 problems)", p.err)
        for field in ('duration: must be an integer (got "45m")', "type:",
                      "settings.jbh_time:"):
            self.assertIn(field, p.err)
        # JSON that does not parse is named at once, with its position
        p = self.run_cli("meetings", "create", "--user-id", "me", "--settings",
                         '{"a":1,"a":2}', "--dry-run")
        self.assertUsageError(p, "--settings", "duplicate key")
        # a plain word where JSON is wanted: what the flag takes, with an example
        p = self.run_cli("registrants", "set-status", "--meeting-id", "85746065432", "--action",
                         "approve", "--registrants", "p2@example.com", "--dry-run")
        self.assertUsageError(p, "--registrants takes JSON: an array of objects with id, email",
                              "(got p2@example.com)", "for example --registrants '[{\"id\": ")
        p = self.run_cli("meetings", "create", "--user-id", "me", "--settings", "mute",
                         "--dry-run")
        self.assertUsageError(p, "--settings takes JSON: an object with host_video",
                              "--settings.host_video VALUE")


if __name__ == "__main__":
    unittest.main()
