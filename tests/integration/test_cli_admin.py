"""zoomflow admin create / admin list through the binary, on the store the
CliEnv names (SQLite; integ.test_cli_admin.pg on PostgreSQL): the password
from a file, from stdin and from a prompt on a terminal with echo off; never
from argv (--password refused, saying why, and nothing stored); weak, empty
and two-line passwords refused with the rule; the org made when missing;
an existing account joining a second org without a password; the database
holding an argon2id hash and never the password; the audit rows.
"""
import json
import os
import pty
import select
import subprocess
import time
import unittest

import cliharness
from cliharness import CliEnv

PW = "a long enough passphrase"


class NoSim:
    url = "http://127.0.0.1:9"  # never called: admin talks to the store alone


class AdminCreate(unittest.TestCase):
    def setUp(self):
        self.env = CliEnv(NoSim())
        self.pwfile = os.path.join(self.env.dir, "pw")
        with open(self.pwfile, "w") as f:
            f.write(PW + "\n")

    def accounts(self, org="acme"):
        p = self.env.run("admin", "list", "--org", org, "--format", "json")
        self.assertEqual(p.returncode, 0, p.err)
        return json.loads(p.out)["accounts"]

    def test_from_file_makes_org_and_admin(self):
        p = self.env.run("admin", "create", "--org", "acme", "--email", "Ann@Example.com",
                         "--password-file", self.pwfile)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("Created org 'acme'", p.out)
        self.assertIn("--profile acme", p.out)  # the org's connection is the profile
        self.assertIn("Created account ann@example.com (id 1) as admin", p.out)
        accs = self.accounts()
        self.assertEqual([(a["email"], a["role"], a["disabled"]) for a in accs],
                         [("ann@example.com", "admin", False)])
        # the hash, never the password, in the database
        self.assertTrue(self.env.sql("SELECT password_hash FROM accounts")[0]
                        .startswith("$argon2id$v=19$m=65536,t=2,p=1$"))
        self.assertNotIn(PW.encode(), self.env.db_bytes())
        # audited in the org's log, with the operator as actor
        rows = self.env.sql("SELECT conn_id || '|' || action || '|' || outcome || '|' || actor "
                            "FROM audit_log ORDER BY id")
        self.assertEqual([r.rsplit("|", 1)[0] for r in rows],
                         ["acme|org.create|ok", "acme|account.create|ok"])
        self.assertTrue(all(r.split("|")[3].startswith("cli:") for r in rows))
        # a second time: a conflict, nothing changed
        p = self.env.run("admin", "create", "--org", "acme", "--email", "ann@example.com",
                         "--password-file", self.pwfile)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("already a member", p.err)
        self.assertEqual(len(self.accounts()), 1)

    def test_from_stdin_with_role(self):
        p = self.env.run("admin", "create", "--org", "acme", "--email", "bob@example.com",
                         "--role", "operator", "--password-file", "-",
                         input=(PW + "\r\n").encode())
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual([(a["email"], a["role"]) for a in self.accounts()],
                         [("bob@example.com", "operator")])
        self.assertNotIn(PW.encode(), self.env.db_bytes())

    def test_password_in_argv_refused(self):
        for args in (["--password", PW], ["--password=" + PW]):
            p = self.env.run("admin", "create", "--org", "acme", "--email", "c@example.com",
                             *args)
            self.assertEqual(p.returncode, 2, p.err)
            self.assertIn("--password is refused", p.err)
            self.assertIn("command line", p.err)
            self.assertIn("--password-file", p.err)
        # refused before anything was stored
        self.assertFalse(self.env.store_exists() and self.env.sql(
            "SELECT count(*) FROM accounts") != ["0"])
        self.assertNotIn("--password ", self.env.run("admin", "create", "--help").out
                         .replace("--password-file", ""))

    def test_weak_passwords_refused(self):
        cases = [("", "empty"), ("short1", "shorter than 10"),
                 ("aaaaaaaaaaaaaaaa", "fewer than 5 different"),
                 ("x" * 1025, "longer than 1024")]
        for pw, why in cases:
            p = self.env.run("admin", "create", "--org", "acme", "--email", "d@example.com",
                             "--password-file", "-", input=(pw + "\n").encode())
            self.assertEqual(p.returncode, 2, (pw[:20], p.err))
            self.assertIn("password refused", p.err)
            self.assertIn(why, p.err)
            self.assertIn("hint: choose a password of 10 to 1024", p.err)
        p = self.env.run("admin", "create", "--org", "acme", "--email", "d@example.com",
                         "--password-file", "-", input=b"first line pass\nsecond line\n")
        self.assertEqual(p.returncode, 2)
        self.assertIn("more than one line", p.err)
        self.assertEqual(self.accounts(), [])  # the org exists, no account

    def test_no_password_source(self):
        p = self.env.run("admin", "create", "--org", "acme", "--email", "e@example.com",
                         input=b"")
        self.assertEqual(p.returncode, 2)
        self.assertIn("stdin is not a terminal", p.err)
        self.assertIn("--password-file -", p.err)

    def test_bad_input(self):
        p = self.env.run("admin", "create", "--org", "Acme Corp", "--email", "e@example.com",
                         "--password-file", self.pwfile)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not an org name", p.err)
        p = self.env.run("admin", "create", "--org", "acme", "--email", "not-an-email",
                         "--password-file", self.pwfile)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not an email address", p.err)
        p = self.env.run("admin", "create", "--org", "acme", "--email", "e@example.com",
                         "--role", "root", "--password-file", self.pwfile)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a role", p.err)
        p = self.env.run("admin", "list", "--org", "nope")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn('no org "nope"', p.err)

    def test_existing_account_joins_without_password(self):
        p = self.env.run("admin", "create", "--org", "acme", "--email", "ann@example.com",
                         "--password-file", self.pwfile)
        self.assertEqual(p.returncode, 0, p.err)
        before = self.env.sql("SELECT password_hash FROM accounts")
        p = self.env.run("admin", "create", "--org", "beta", "--email", "ann@example.com",
                         "--role", "viewer", input=b"")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("keeps the password", p.out)
        self.assertEqual(self.env.sql("SELECT password_hash FROM accounts"), before)
        self.assertEqual([a["role"] for a in self.accounts("beta")], ["viewer"])
        self.assertEqual([a["role"] for a in self.accounts("acme")], ["admin"])

    def prompt_session(self, first, second):
        """admin create with stdin and stderr on a terminal: answers the two
        prompts, returns (status, everything the terminal showed)."""
        master, slave = pty.openpty()
        proc = subprocess.Popen(cliharness.WRAP + [cliharness.binary("zoomflow"), "admin",
                                                   "create", "--org", "acme", "--email",
                                                   "tty@example.com"],
                                env=self.env.env, stdin=slave, stdout=subprocess.PIPE,
                                stderr=slave)
        os.close(slave)
        seen = b""

        def read_until(word, limit=60 * cliharness.SLOW):
            nonlocal seen
            end = time.time() + limit
            while word not in seen and time.time() < end:
                r, _, _ = select.select([master], [], [], 0.5)
                if r:
                    try:
                        seen += os.read(master, 4096)
                    except OSError:
                        return
        try:
            read_until(b"Password for tty@example.com: ")
            os.write(master, first.encode() + b"\n")
            read_until(b"Password again: ")
            os.write(master, second.encode() + b"\n")
            out, _ = proc.communicate(timeout=60 * cliharness.SLOW)
            read_until(b"\x00", limit=1)  # whatever is left
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.close(master)
        return proc.returncode, seen, out.decode()

    def test_prompt_twice_without_echo(self):
        rc, shown, out = self.prompt_session(PW, PW + "x")
        self.assertEqual(rc, 2, shown)
        self.assertIn(b"the two passwords differ", shown)
        rc, shown, out = self.prompt_session(PW, PW)
        self.assertEqual(rc, 0, shown)
        self.assertIn("Created account tty@example.com", out)
        self.assertNotIn(PW.encode(), shown)  # echo was off
        self.assertEqual([a["email"] for a in self.accounts()], ["tty@example.com"])


if __name__ == "__main__":
    unittest.main()
