"""Commands you can discover, through the real binary:

  * a group word alone (`zoomflow meetings`) lists its verbs (exit 0, like
    `gh repo`); `zoomflow help [COMMAND...]` prints what `COMMAND --help`
    prints;
  * the global flags are taken after the command too, and no command has a
    flag of the same name that would shadow one;
  * did-you-mean for commands, flags, enum values and time-zone ids;
  * one shape for the same thing: users create takes --email --first-name
    --last-name --type like registrants add, and --action defaults to
    create.

Nothing here reaches Zoom: every run fails in parsing or validation, reads
the configuration, or prints a --dry-run.
"""
import json
import os
import re
import shutil
import types
import unittest

from cliharness import CliEnv


def no_sim():
    return types.SimpleNamespace(url="http://127.0.0.1:9")


def listed(text, heading):
    """The first column of the rows under `heading:` up to a blank line."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    names = []
    for line in lines[start:]:
        if not line.strip():
            break
        names.append(re.split(r"\s{2,}", line.strip())[0])
    return names


def help_flags(text):
    """Every --flag of an options-like section of a --help text."""
    return set(re.findall(r"^  (?:-\w, )?(--[\w.-]+)", text, re.M))


class Discover(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cli = CliEnv(no_sim())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.cli.dir, ignore_errors=True)

    def run_cli(self, *args, **kw):
        return self.cli.run(*args, timeout=30, **kw)

    def commands(self):
        return listed(self.run_cli("--help").out, "Commands:")

    def assertBadUsage(self, p, *words):
        self.assertEqual(p.returncode, 2, p.err)
        self.assertEqual(p.out, "")
        for w in words:
            self.assertIn(w, p.err)

    # ---- groups and help ---------------------------------------------------

    def test_group_word_lists_its_verbs(self):
        commands = self.commands()
        # a word that is a command of its own (`actions`) runs that command
        groups = {c.split()[0] for c in commands if " " in c} - set(commands)
        self.assertIn("meetings", groups)
        for g in sorted(groups):
            with self.subTest(group=g):
                p = self.run_cli(g)
                self.assertEqual(p.returncode, 0, p.err)
                self.assertTrue(p.out.startswith(f"usage: zoomflow {g} COMMAND"), p.out)
                verbs = listed(p.out, "Commands:")
                self.assertEqual(verbs, [c for c in commands if c.startswith(g + " ")])

    def test_wrong_verb_of_a_group(self):
        p = self.run_cli("meetings", "lst")
        self.assertBadUsage(p, "unknown command 'meetings lst'",
                            "did you mean `zoomflow meetings list`?", "meetings create")

    def test_help_is_command_help(self):
        self.assertEqual(self.run_cli("help").out, self.run_cli("--help").out)
        for name in self.commands():
            with self.subTest(command=name):
                h = self.run_cli("help", *name.split())
                self.assertEqual(h.returncode, 0, h.err)
                self.assertEqual(h.out, self.run_cli(*name.split(), "--help").out)
        self.assertEqual(self.run_cli("help", "meetings").out, self.run_cli("meetings").out)
        p = self.run_cli("help", "meetngs")
        self.assertBadUsage(p, "unknown command 'meetngs'", "did you mean `zoomflow meetings`?")
        p = self.run_cli("help", "status", "extra")
        self.assertBadUsage(p, "no command 'status extra'")

    def test_group_help_lists_its_verbs(self):
        # `GROUP --help` and `-h` are `GROUP`: the verbs, on stdout, exit 0
        for g in ("meetings", "users", "recordings", "registrants"):
            alone = self.run_cli(g)
            for flag in ("--help", "-h"):
                with self.subTest(group=g, flag=flag):
                    p = self.run_cli(g, flag)
                    self.assertEqual(p.returncode, 0, p.err)
                    self.assertEqual(p.out, alone.out)
                    self.assertNotIn("did you mean", p.err)
        # with a verb after it: that command's help
        self.assertEqual(self.run_cli("meetings", "--help", "list").out,
                         self.run_cli("meetings", "list", "--help").out)
        # a group word that is a command too keeps its own --help
        self.assertEqual(self.run_cli("actions", "--help").out,
                         self.run_cli("help", "actions").out)

    def test_global_flags_between_group_and_verb(self):
        p = self.run_cli("meetings", "-v", "list", "--user-id", "me", "--dry-run")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(json.loads(p.out)["action"], "list_meetings")
        p = self.run_cli("users", "--profile", "default", "list", "--dry-run")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(json.loads(p.out)["action"], "list_users")
        # the flag takes effect, and a later one still wins over it
        p = self.run_cli("users", "--api-base", "http://127.0.0.1:9/between", "list",
                         "--dry-run")
        self.assertEqual(json.loads(p.out)["url"], "http://127.0.0.1:9/between/v2/users")
        p = self.run_cli("--api-base", "http://127.0.0.1:9/before", "users", "--api-base",
                         "http://127.0.0.1:9/between", "list", "--dry-run", "--api-base",
                         "http://127.0.0.1:9/after")
        self.assertEqual(json.loads(p.out)["url"], "http://127.0.0.1:9/after/v2/users")
        p = self.run_cli("users", "--api-base=http://127.0.0.1:9/eq", "-v", "list", "--dry-run")
        self.assertEqual(json.loads(p.out)["url"], "http://127.0.0.1:9/eq/v2/users")
        # checked as before the command; a command's flag there is no global
        p = self.run_cli("users", "--profile", "bad!", "list")
        self.assertBadUsage(p, "profile name 'bad!' may use only")
        p = self.run_cli("meetings", "--topic", "x", "create")
        self.assertBadUsage(p, "unknown global flag --topic")
        p = self.run_cli("meetings", "--profle", "x", "list")
        self.assertBadUsage(p, "did you mean --profile?")
        p = self.run_cli("meetings", "-v", "lst")
        self.assertBadUsage(p, "unknown command 'meetings lst'",
                            "did you mean `zoomflow meetings list`?")
        # the same for a group whose word is a command too
        p = self.run_cli("actions", "-v", "schema", "create_user")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("urn:zoomflow:action:create_user", p.out)

    def test_each_action_says_its_output_once(self):
        for name in self.commands():
            h = self.run_cli(*name.split(), "--help").out
            if "\nAction: " not in h:
                continue
            with self.subTest(command=name):
                outputs = [l for l in h.splitlines() if l.startswith("Output:")]
                self.assertEqual(len(outputs), 1, outputs)
                self.assertGreater(len(outputs[0]), len("Output: ") + 5)

    def test_status_format_names_what_status_takes(self):
        p = self.run_cli("status", "--format", "yaml")
        self.assertBadUsage(p, "--format yaml is not a format; the formats here are json\n",
                            "--all")
        self.assertNotIn("auto", p.err)
        p = self.run_cli("status", "--format", "table")
        self.assertBadUsage(p, "the formats here are json\n", "go with --all")
        p = self.run_cli("status", "--all", "--format", "yaml")
        self.assertBadUsage(p, "the formats here are json, ndjson, table or csv\n")
        # an action command takes every format
        p = self.run_cli("users", "list", "--format", "yaml")
        self.assertBadUsage(p, "json, ndjson, table, csv or auto")

    # ---- global flags after the command -------------------------------------

    def test_global_flags_after_the_command(self):
        db = "sqlite:" + os.path.join(self.cli.dir, "after.db")
        p = self.run_cli("config", "--profile", "work", "--db", db, "-v")
        self.assertEqual(p.returncode, 0, p.err)
        c = json.loads(p.out)
        self.assertEqual(c["profile"], "work")
        self.assertEqual(c["db"], {"value": db, "from": "flag"})
        # after the command overrides before it
        p = self.run_cli("--profile", "home", "--db", "sqlite:/nowhere.db", "config",
                         "--db=" + db, "--profile=work")
        c = json.loads(p.out)
        self.assertEqual((c["profile"], c["db"]["value"]), ("work", db))
        # the same checks as before the command
        p = self.run_cli("config", "--profile", "bad!")
        self.assertBadUsage(p, "profile name 'bad!' may use only")
        p = self.run_cli("config", "--version")
        self.assertBadUsage(p, "--version goes before the command")
        # an action command: the global parsed, the next flag is what fails
        p = self.run_cli("meetings", "create", "--profile", "work", "--no-such-flag")
        self.assertBadUsage(p, "unknown flag --no-such-flag for zoomflow meetings create")

    def test_no_command_flag_shadows_a_global(self):
        overview = self.run_cli("--help").out
        globals_ = help_flags(overview.split("Global options")[1])
        self.assertIn("--profile", globals_)
        self.assertIn("--verbose", globals_)
        for name in self.commands():
            with self.subTest(command=name):
                own = help_flags(self.run_cli(*name.split(), "--help").out)
                self.assertEqual(own & (globals_ - {"--help"}), set())

    # ---- did you mean -----------------------------------------------------------

    def test_did_you_mean_command(self):
        p = self.run_cli("meetngs", "list")
        self.assertBadUsage(p, "unknown command 'meetngs'",
                            "did you mean `zoomflow meetings list`?")
        p = self.run_cli("stauts")
        self.assertBadUsage(p, "did you mean `zoomflow status`?")
        p = self.run_cli("xyzzy")
        self.assertBadUsage(p, "unknown command 'xyzzy'", "see `zoomflow --help`")
        self.assertNotIn("did you mean", p.err)

    def test_did_you_mean_flag(self):
        cases = [
            (["meetings", "create", "--topc", "x"], "did you mean --topic?"),
            (["meetings", "create", "--user_idd=me"], "did you mean --user-id?"),
            (["meetings", "create", "--mute-upon-entry"],
             "did you mean --settings.mute-upon-entry?"),
            (["users", "create", "--emial", "a@b.co"], "did you mean --email?"),
            (["recordings", "download", "--meeting", "1"], "did you mean --meeting-id?"),
            (["status", "--profle", "x"], "did you mean --profile?"),
            (["--profle", "x", "status"], "did you mean --profile?"),
            (["meetings", "create", "--setings.approval_type", "0"],
             "did you mean --settings.approval_type?"),
            (["actions", "schema", "create_usr"], "did you mean create_user?"),
            (["actions", "schema", "users creat"], "did you mean users create?"),
        ]
        for args, want in cases:
            with self.subTest(args=args):
                p = self.run_cli(*args)
                self.assertBadUsage(p, "unknown ", want, "--help")
        p = self.run_cli("meetings", "create", "--qqqqqqq")
        self.assertNotIn("did you mean", p.err)

    def test_did_you_mean_value(self):
        p = self.run_cli("meetings", "create", "--user-id", "me", "--type", "9",
                         "--timezone", "Europe/Londn", "--dry-run")
        self.assertBadUsage(p, "type: must be one of 1, 2, 3, 8, 10 (got 9)",
                            'did you mean "Europe/London"?')
        p = self.run_cli("registrants", "add", "--meeting-id", "85746065432", "--email",
                         "a@b.co", "--first-name", "A", "--language", "de-DR", "--dry-run")
        self.assertBadUsage(p, 'language: must be one of', 'did you mean "de-DE"?')
        # keys of objects, from flags or --input: the nearest member, as a path
        p = self.run_cli("meetings", "create", "--user-id", "me", "--settings.aproval_type", "0",
                         "--recurrence.typ", "1", "--type", "8", "--dry-run")
        self.assertBadUsage(p, "did you mean settings.approval_type?",
                            "did you mean recurrence.type?")
        p = self.run_cli("meetings", "create", "--input", "-", "--dry-run",
                         input=b'{"user_id": "me", "topc": "x"}')
        self.assertBadUsage(p, "did you mean topic?")

    # ---- one shape -----------------------------------------------------------------

    def dry_run(self, *args):
        p = self.run_cli(*args, "--dry-run")
        self.assertEqual(p.returncode, 0, p.err)
        return json.loads(p.out)["body"]

    def test_users_create_like_registrants_add(self):
        body = self.dry_run("users", "create", "--email", "new@example.com",
                            "--first-name", "Ada", "--last-name", "Lovelace", "--type", "1")
        self.assertEqual(body, {"action": "create",
                                "user_info": {"email": "new@example.com", "first_name": "Ada",
                                              "last_name": "Lovelace", "type": 1}})
        # an explicit --action wins, --input members merge with the shorthands
        body = self.dry_run("users", "create", "--action", "custCreate", "--email",
                            "c@example.com", "--type", "2")
        self.assertEqual(body["action"], "custCreate")
        src = os.path.join(self.cli.dir, "user.json")
        with open(src, "w") as f:
            json.dump({"action": "ssoCreate", "user_info": {"email": "s@example.com"}}, f)
        body = self.dry_run("users", "create", "--input", src, "--type", "1")
        self.assertEqual(body, {"action": "ssoCreate",
                                "user_info": {"email": "s@example.com", "type": 1}})
        h = self.run_cli("users", "create", "--help").out
        for flag in ("--email", "--first-name", "--last-name", "--type"):
            self.assertIn(f"\n  {flag} ", h)
        # a field the CLI fills in reads as a default, not as required
        action = next(l for l in h.splitlines() if l.startswith("  --action "))
        self.assertIn("(default here: create)", action)
        self.assertNotIn("(required)", action)
        self.assertNotIn("defaults to create here", h)
        user_info = next(l for l in h.splitlines() if l.startswith("  --user-info "))
        self.assertIn("(required)", user_info)
        # still validated like the rest
        p = self.run_cli("users", "create", "--email", "not-an-email", "--type", "3",
                         "--dry-run")
        self.assertBadUsage(p, "user_info.email", "user_info.type")


if __name__ == "__main__":
    unittest.main()
