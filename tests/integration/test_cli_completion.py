"""Shell completion and the man page come from the command table and the
option specs, so they agree with --help: through the real binary, the bash
script is sourced and run as bash would at a TAB, the zsh script is
checked (and parsed by zsh when it is installed), and docs/zoomflow.1 is
`zoomflow man` and lists every command and flag --help shows."""
import os
import re
import shutil
import subprocess
import types
import unittest

from cliharness import CliEnv
from zfharness import SOURCE_DIR

SECTIONS = ("Options", "Common options", "Flags (JSON values for objects and arrays)",
            "Shorthand flags (members of a required object)")


def no_sim():
    return types.SimpleNamespace(url="http://127.0.0.1:9")


def help_flags(text, sections=SECTIONS):
    """{--flag, -x} of the listed sections of a --help text."""
    found, current = set(), None
    for line in text.splitlines():
        if line and not line.startswith(" "):
            current = line[:-1] if line.endswith(":") else None
            continue
        if current in sections:
            m = re.match(r"^  (?:(-\w), )?(--[\w.-]+)", line)
            if m:
                found.add(m.group(2))
                if m.group(1):
                    found.add(m.group(1))
    return found


class Completion(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cli = CliEnv(no_sim())
        cls.script = os.path.join(cls.cli.dir, "zoomflow.bash")
        p = cls.cli.run("completion", "bash")
        assert p.returncode == 0, p.err
        with open(cls.script, "w") as f:
            f.write(p.out)
        overview = cls.cli.run("--help").out
        lines = overview.splitlines()
        start = lines.index("Commands:") + 1
        cls.commands = []
        for line in lines[start:]:
            if not line.strip():
                break
            cls.commands.append(re.split(r"\s{2,}", line.strip())[0])
        cls.globals = help_flags(overview, ("Global options (before or after the command)",))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.cli.dir, ignore_errors=True)

    def complete(self, *words):
        """COMPREPLY for `zoomflow WORDS...` with the cursor on the last word."""
        quoted = " ".join("'%s'" % w for w in ("zoomflow",) + words)
        prog = (f"source '{self.script}'; COMP_WORDS=({quoted}); "
                f"COMP_CWORD={len(words)}; _zoomflow; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
        p = subprocess.run(["bash", "-c", prog], capture_output=True, text=True, timeout=30,
                           cwd=self.cli.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        return {w for w in p.stdout.splitlines() if w}

    def test_top_words_and_verbs(self):
        firsts = {c.split()[0] for c in self.commands}
        self.assertEqual(self.complete(""), firsts)
        self.assertEqual(self.complete("mee"), {"meetings"})
        verbs = {c.split()[1] for c in self.commands if c.startswith("meetings ")}
        self.assertEqual(self.complete("meetings", ""), verbs)
        # global flags (and their values) before the command are skipped
        self.assertEqual(self.complete("--profile", "work", "-v", "meetings", ""), verbs)

    def test_every_flag_of_every_command(self):
        self.assertIn("--profile", self.globals)
        for name in self.commands:
            with self.subTest(command=name):
                shown = help_flags(self.cli.run(*name.split(), "--help").out)
                got = self.complete(*name.split(), "-")
                self.assertEqual(got, shown | self.globals | {"--help"})
        self.assertEqual(self.complete("users", "create", "--fi"), {"--first-name"})

    def test_zsh_script_lists_the_same(self):
        p = self.cli.run("completion", "zsh")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertTrue(p.out.startswith("#compdef zoomflow\n"))
        bash = open(self.script).read()
        arms = lambda text: re.findall(r'^    "([^"]+)"\) echo "([^"]*)" ;;$', text, re.M)
        self.assertEqual(arms(p.out), arms(bash))
        self.assertEqual([a for a, _ in arms(p.out)], self.commands)
        if shutil.which("zsh"):
            path = os.path.join(self.cli.dir, "_zoomflow")
            with open(path, "w") as f:
                f.write(p.out)
            z = subprocess.run(["zsh", "-n", path], capture_output=True, text=True)
            self.assertEqual(z.returncode, 0, z.stderr)

    def test_unknown_shell(self):
        p = self.cli.run("completion", "fish")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no completion for shell 'fish' (bash or zsh)", p.err)

    def test_man_page_is_current_and_agrees(self):
        p = self.cli.run("man")
        self.assertEqual(p.returncode, 0, p.err)
        with open(os.path.join(SOURCE_DIR, "docs", "zoomflow.1")) as f:
            self.assertEqual(f.read(), p.out,
                             "docs/zoomflow.1 is stale: run `zoomflow man > docs/zoomflow.1`")
        page = p.out.replace("\\-", "-")
        parts = re.split(r"^\.SS (.+)$", page, flags=re.M)
        sections = dict(zip(parts[1::2], parts[2::2]))
        self.assertEqual(list(sections), self.commands)
        head = parts[0]
        for flag in self.globals:
            self.assertIn(f"\\fB{flag}\\fR", head.replace("\\fR, \\fB", "\\fR\n\\fB"))
        for name in self.commands:
            with self.subTest(command=name):
                listed = set(re.findall(r"\\fB(--?[\w.-]+)\\fR", sections[name]))
                shown = help_flags(self.cli.run(*name.split(), "--help").out)
                self.assertEqual(listed, shown)


if __name__ == "__main__":
    unittest.main()
