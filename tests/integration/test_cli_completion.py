"""Shell completion and the man page come from the command table and the
option specs, so they agree with --help: through the real binary, the bash
script is sourced and run as bash would at a TAB, the zsh script is run
with stand-ins for zsh's completion builtins (when zsh is installed), and
docs/zoomflow.1 is `zoomflow man`, made from the --help texts: every
command's flag lines and notes are the ones --help prints."""
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


def help_items(text):
    """The list items of a --help text up to its exit table, in order:
    ("LEFT", "TEXT") with TEXT's continuation lines joined, and ("-", TEXT)
    for a bullet."""
    items, in_list = [], False
    lines = text.split("\nExit status:\n")[0].splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            in_list = False
        elif not line.startswith(" "):
            in_list = line.endswith(":") and i + 1 < len(lines) and \
                lines[i + 1].startswith("  ")
        elif in_list and re.match(r"^  \S", line):
            if line.startswith("  - "):
                items.append(["-", line[4:]])
            else:
                left, _, rest = line[2:].partition("  ")
                items.append([left, rest.strip()])
        elif in_list and items:
            items[-1][1] = (items[-1][1] + " " + line.strip()).strip()
    return [tuple(i) for i in items]


def deroff(text):
    text = re.sub(r"\\f[BIR]", "", text)
    return text.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\")


def man_items(section):
    """The .TP and bullet items of a man page section, as help_items."""
    items = []
    for m in re.finditer(r"^\.TP\n(.*)\n(.*)$|^\.IP \\\(bu 2\n(.*)$", section, re.M):
        if m.group(3) is not None:
            items.append(("-", deroff(m.group(3))))
        else:
            items.append((deroff(m.group(1)), deroff(m.group(2))))
    return items


def man_words(section):
    """A man page section's text without requests, whitespace collapsed."""
    lines = [l for l in section.splitlines() if not l.startswith(".")]
    return " ".join(deroff(" ".join(lines)).split())


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
        def arms(text):
            body = text.split("_zoomflow_flags() {", 1)[1].split("\n}\n", 1)[0]
            return re.findall(r'^    "([^"]+)"\) echo "([^"]*)" ;;$', body, re.M)
        self.assertEqual(arms(p.out), arms(bash))
        self.assertEqual([a for a, _ in arms(p.out)], self.commands)
        if shutil.which("zsh"):
            path = os.path.join(self.cli.dir, "_zoomflow")
            with open(path, "w") as f:
                f.write(p.out)
            z = subprocess.run(["zsh", "-n", path], capture_output=True, text=True)
            self.assertEqual(z.returncode, 0, z.stderr)

    def test_values_of_flags_and_arguments(self):
        formats = {"json", "ndjson", "table", "csv"}
        self.assertEqual(self.complete("users", "list", "--format", ""), formats)
        self.assertEqual(self.complete("users", "list", "--format", "n"), {"ndjson"})
        self.assertEqual(self.complete("users", "list", "--format", "=", ""), formats)
        # an action field's enum, from the descriptor
        status = self.cli.run("users", "list", "--help").out
        enum = re.search(r"^  --status TEXT .*\[one of ([^\]]*)\]", status, re.M).group(1)
        self.assertEqual(self.complete("users", "list", "--status", ""),
                         set(re.findall(r'"([^"]+)"', enum)))
        self.assertEqual(self.complete("users", "list", "--status", ""),
                         {"active", "inactive", "pending"})
        # an integer enum of a shorthand flag, and status's own --format
        self.assertEqual(self.complete("users", "create", "--type", ""), {"1", "2", "4"})
        self.assertEqual(self.complete("status", "--format", ""), formats)
        # after a value, the words go on as before
        verbs = {c.split()[1] for c in self.commands if c.startswith("meetings ")}
        self.assertEqual(self.complete("--profile", "x", "meetings", "-v", ""), verbs)
        self.assertEqual(self.complete("meetings", "-v", ""), verbs)
        # positionals: the shells, command words
        self.assertEqual(self.complete("completion", ""), {"bash", "zsh"})
        self.assertEqual(self.complete("help", ""), {c.split()[0] for c in self.commands})
        self.assertEqual(self.complete("help", "meetings", ""), verbs)
        # a group whose first word is a command too
        self.assertEqual(self.complete("actions", ""), {"schema"})
        # a free value is a file name
        open(os.path.join(self.cli.dir, "input-file.json"), "w").close()
        self.assertEqual(self.complete("users", "create", "--input", "input-f"),
                         {"input-file.json"})
        self.assertEqual(self.complete("--profile", "input-f"), {"input-file.json"})

    def test_zsh_completes_the_same(self):
        if not shutil.which("zsh"):
            self.skipTest("no zsh")
        p = self.cli.run("completion", "zsh")
        path = os.path.join(self.cli.dir, "_zoomflow")
        with open(path, "w") as f:
            f.write(p.out)
        stubs = ('compadd() { while [[ $# -gt 0 && "$1" != "--" ]]; do shift; done; shift; '
                 'print -l -- "$@"; }; _files() { print -- "<files>"; }; '
                 'compset() { return 0; }; ')

        def zcomplete(*words):
            prog = (stubs + 'words=(zoomflow "$@"); CURRENT=${#words}; source ' + path)
            z = subprocess.run(["zsh", "-fc", prog, "zsh"] + list(words), capture_output=True,
                               text=True, timeout=30, cwd=self.cli.dir)
            self.assertEqual(z.returncode, 0, z.stderr)
            got = {w for w in z.stdout.splitlines() if w}
            # zsh itself keeps the candidates that begin with the word typed
            # (after the "=" compset -P took off)
            typed = words[-1].split("=", 1)[-1]
            return {w for w in got if w.startswith(typed) or w == "<files>"}

        formats = {"json", "ndjson", "table", "csv"}
        self.assertEqual(zcomplete("users", "list", "--format", ""), formats)
        self.assertEqual(zcomplete("users", "list", "--format=j"), {"json"})
        self.assertEqual(zcomplete("users", "list", "--status", ""),
                         {"active", "inactive", "pending"})
        self.assertEqual(zcomplete("completion", ""), {"bash", "zsh"})
        self.assertEqual(zcomplete("actions", ""), {"schema"})
        self.assertEqual(zcomplete("help", ""), {c.split()[0] for c in self.commands})
        verbs = {c.split()[1] for c in self.commands if c.startswith("meetings ")}
        self.assertEqual(zcomplete("help", "meetings", ""), verbs)
        self.assertEqual(zcomplete("meetings", "-v", ""), verbs)
        self.assertEqual(zcomplete("users", "create", "--input", ""), {"<files>"})
        for name in self.commands:
            with self.subTest(command=name):
                shown = help_flags(self.cli.run(*name.split(), "--help").out)
                self.assertEqual(zcomplete(*name.split(), "-"),
                                 shown | self.globals | {"--help"})

    def test_completion_names_the_shells(self):
        p = self.cli.run("completion")
        self.assertEqual(p.returncode, 2)
        self.assertIn("completion needs the shell: zoomflow completion bash|zsh", p.err)
        self.assertNotIn("SHELL", p.err)
        self.assertIn("usage: zoomflow completion bash|zsh", self.cli.run("completion",
                                                                          "--help").out)

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
        shared = None
        for name in self.commands:
            with self.subTest(command=name):
                listed = set(re.findall(r"\\fB(--?[\w.-]+)\\fR", sections[name]))
                text = self.cli.run(*name.split(), "--help").out
                shown = help_flags(text)
                self.assertEqual(listed, shown)
                # every flag line as --help has it: value name, (required),
                # type, ranges, enums, keys
                section = sections[name].split("\n.SH ")[0]
                self.assertEqual(man_items(section), help_items(text))
                # and every line of text: Output, Also checked, Notes, ...
                words = man_words(section)
                body = text.split("\nExit status:\n")[0].splitlines()[1:]
                if "\nAction: " in text:
                    shared = text.split("\nCommon options:\n")[1].split("\n\n", 1)[1]
                    shared = shared.split("\nExit status:\n")[0]
                    body = body[:len(body) - len(shared.splitlines())]
                for line in body:
                    if line and not line.startswith(" "):
                        self.assertIn(" ".join(line.split()), words)
        # the notes every action command shares: once, before the commands
        self.assertIsNotNone(shared)
        for line in shared.splitlines():
            if line:
                self.assertIn(" ".join(line.split()), man_words(head))
        users_create = man_items(sections["users create"])
        self.assertIn(("--user-info JSON", next(t for l, t in help_items(
            self.cli.run("users", "create", "--help").out) if l == "--user-info JSON")),
            users_create)
        self.assertIn("(required) the user keys:", dict(users_create)["--user-info JSON"])
        self.assertIn("Checks the connection live", man_words(sections["status"]))
        # ENVIRONMENT: the variables (each one docs/cli.md names), not notes
        env = page.split("\n.SH ENVIRONMENT\n")[1].split("\n.SH ")[0]
        env_names = {l for l, _ in man_items(env)}
        with open(os.path.join(SOURCE_DIR, "docs", "cli.md")) as f:
            docs = f.read()
        for var in set(re.findall(r"\bZOOMFLOW_[A-Z_]+[A-Z]\b", docs)):
            self.assertIn(var, env_names)
        self.assertNotIn("Global options may also follow", env)
        overview = self.cli.run("--help").out
        env_help = overview.split("\nEnvironment")[1].split("\n\n")[0]
        self.assertEqual(env_names, set(re.findall(r"^  (\S+)", env_help, re.M)))
        # EXIT STATUS: the table of --help
        exit_ = page.split("\n.SH EXIT STATUS\n")[1].split("\n.SH ")[0]
        table = "Exit status (0 = success):\n" + overview.split("\nExit status:\n")[1]
        self.assertEqual(man_items(exit_), help_items(table))
        self.assertIn(("2", "bad usage or invalid input (nothing was sent to Zoom), a refused "
                            "path, or Zoom's validation error 300"), man_items(exit_))


if __name__ == "__main__":
    unittest.main()
