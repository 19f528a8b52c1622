"""The command table is made from the action registry: every registry
action has exactly one CLI command (the one `zoomflow actions` names, built
from the descriptor's words), listed once in `zoomflow --help`, whose
--help exits 0 and names the action; a JSON Schema (`actions schema`, by
name and by command); and a section in docs/actions.md. A registry row
added without any of these fails here, so no action can be half-wired.

No Zoom connection is needed: nothing here sends a request."""
import json
import os
import re
import shutil
import types
import unittest

from cliharness import CliEnv
from zfharness import SOURCE_DIR


def no_sim():
    return types.SimpleNamespace(url="http://127.0.0.1:9")


class CommandTable(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cli = CliEnv(no_sim())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.cli.dir, ignore_errors=True)

    def run_ok(self, *args):
        p = self.cli.run(*args, timeout=30)
        self.assertEqual(p.returncode, 0, (args, p.err))
        return p

    def overview_commands(self):
        out = self.run_ok("--help").out.splitlines()
        start = out.index("Commands:") + 1
        names = []
        for line in out[start:]:
            if not line.strip():
                break
            names.append(re.split(r"\s{2,}", line.strip())[0])
        return names

    def registry(self):
        """[(action, command)] from `zoomflow actions` (registry order)."""
        rows = []
        for line in self.run_ok("actions").out.splitlines():
            action, rest = line.split(None, 1)
            command = re.split(r"\s{2,}", rest.strip())[0]
            rows.append((action, command))
        return rows

    def test_registry_is_seen(self):
        names = [a for a, _ in self.registry()]
        for a in ("create_meeting", "list_users", "call_api"):
            self.assertIn(a, names)

    def test_every_action_has_one_command(self):
        commands = self.overview_commands()
        self.assertEqual(len(commands), len(set(commands)), commands)
        rows = self.registry()
        self.assertEqual(len({c for _, c in rows}), len(rows), rows)
        for action, command in rows:
            with self.subTest(action=action):
                self.assertNotEqual(command, "-", f"{action} has no CLI command")
                self.assertEqual(commands.count(command), 1, (command, commands))
                h = self.run_ok(*command.split(), "--help")
                self.assertTrue(h.out.startswith(f"usage: zoomflow {command} "), h.out)

    def test_action_commands_help_from_descriptor(self):
        for action, command in self.registry():
            if action == "call_api":
                continue  # `api` has its own flags and help
            with self.subTest(action=action):
                h = self.run_ok(*command.split(), "--help")
                self.assertIn(f"Action: {action}\n", h.out)
                self.assertIn("--input FILE|-", h.out)

    def test_every_action_has_a_schema(self):
        for action, command in self.registry():
            with self.subTest(action=action):
                s = json.loads(self.run_ok("actions", "schema", action).out)
                self.assertEqual(s.get("type"), "object", s)
                by_cmd = json.loads(self.run_ok("actions", "schema", command).out)
                self.assertEqual(s, by_cmd)

    def test_every_action_has_a_docs_section(self):
        with open(os.path.join(SOURCE_DIR, "docs", "actions.md")) as f:
            sections = re.findall(r"^## (\S+)$", f.read(), re.M)
        for action, _ in self.registry():
            with self.subTest(action=action):
                self.assertEqual(sections.count(action), 1, sections)

    def test_every_command_help_exits_0(self):
        for name in self.overview_commands():
            with self.subTest(command=name):
                h = self.run_ok(*name.split(), "--help")
                self.assertTrue(h.out.startswith(f"usage: zoomflow {name}"), h.out)

    def test_groups_are_together(self):
        # commands that share a first word are listed one after another
        firsts = [n.split()[0] for n in self.overview_commands()]
        seen = []
        for w in firsts:
            if seen and seen[-1] == w:
                continue
            self.assertNotIn(w, seen, firsts)
            seen.append(w)


if __name__ == "__main__":
    unittest.main()
