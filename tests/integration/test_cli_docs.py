"""docs/cli.md says what the real binary says: its command table lists the
commands of `zoomflow --help` in that order, names each action command's
action as `zoomflow actions` does, and shows only flags the command takes
(all of a written command's options when it shows any); its exit-status
table is the one --help and the man page print."""
import os
import re
import shutil
import types
import unittest

from cliharness import CliEnv
from zfharness import SOURCE_DIR


def no_sim():
    return types.SimpleNamespace(url="http://127.0.0.1:9")


def listed(text, heading):
    """The first column of the rows under `heading:` up to a blank line."""
    lines = text.splitlines()
    names = []
    for line in lines[lines.index(heading) + 1:]:
        if not line.strip():
            break
        names.append(re.split(r"\s{2,}", line.strip())[0])
    return names


def section_flags(text, heading):
    """The --flags of one section of a --help text."""
    body = text.split("\n" + heading + ":\n", 1)
    if len(body) < 2:
        return set()
    return set(re.findall(r"^  (?:-\w, )?(--[\w.-]+)", body[1].split("\n\n")[0], re.M))


def table_rows(markdown, after):
    """The rows of the first table after the line `after`: lists of cells."""
    text = markdown.split("\n" + after + "\n", 1)[1]
    rows = []
    for line in text.splitlines():
        if rows and not line.startswith("|"):
            break
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if set("".join(cells)) <= set("-"):
            continue
        rows.append([c.replace("\\|", "|") for c in cells])
    return rows[1:]  # without the header


class Docs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cli = CliEnv(no_sim())
        with open(os.path.join(SOURCE_DIR, "docs", "cli.md")) as f:
            cls.md = f.read()
        cls.overview = cls.cli.run("--help").out
        cls.commands = listed(cls.overview, "Commands:")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.cli.dir, ignore_errors=True)

    def rows(self):
        """(command, usage shown, what it does) of the Commands table."""
        out = []
        for cells in table_rows(self.md, "## Commands"):
            shown = cells[0].strip("`")
            words = shown.split()
            name = next((" ".join(words[:n]) for n in (2, 1)
                         if " ".join(words[:n]) in self.commands), None)
            self.assertIsNotNone(name, f"docs/cli.md lists no command of --help: {shown}")
            out.append((name, shown, cells[1]))
        return out

    def test_command_table_is_in_help_order(self):
        self.assertIn("The order is the order of `zoomflow --help`", self.md)
        self.assertEqual([name for name, _, _ in self.rows()], self.commands)

    def test_command_table_names_the_actions(self):
        p = self.cli.run("actions")
        self.assertEqual(p.returncode, 0, p.err)
        action_of = {}
        for line in p.out.splitlines():
            m = re.match(r"^(\S+)\s+(.+?)\s{2,}", line)
            if m and m.group(2) != "-":
                action_of[m.group(2).strip()] = m.group(1)
        for name, _, what in self.rows():
            m = re.match(r"^action `(\w+)`", what)
            if m:
                with self.subTest(command=name):
                    self.assertEqual(action_of.get(name), m.group(1))

    def test_command_table_flags(self):
        for name, shown, _ in self.rows():
            with self.subTest(command=name):
                text = self.cli.run(*name.split(), "--help").out
                options = section_flags(text, "Options")
                takes = options | section_flags(text, "Common options") | section_flags(
                    text, "Flags (JSON values for objects and arrays)")
                flags = set(re.findall(r"--[\w-]+", shown))
                self.assertLessEqual(flags, takes, f"{shown}: flags {name} does not take")
                if flags and options:
                    self.assertEqual(flags, options, f"{shown}: not every option of {name}")

    def test_exit_table_is_the_help_one(self):
        docs = {int(s): " ".join(m.split()) for s, m in table_rows(self.md, "## Exit status")}
        table = self.overview.split("\nExit status:\n")[1]
        helped, status = {}, None
        for line in table.splitlines():
            m = re.match(r"^  (\d)  (.*)$", line)
            if m:
                status = int(m.group(1))
                helped[status] = m.group(2)
            elif line.startswith("     ") and status is not None:
                helped[status] += " " + line.strip()
        self.assertEqual(sorted(docs), list(range(8)))
        self.assertEqual(docs, helped)
        self.assertIn("Zoom's validation error 300", helped[2])
        for name in ("status", "users create"):
            self.assertIn(table, self.cli.run(*name.split(), "--help").out)


if __name__ == "__main__":
    unittest.main()
