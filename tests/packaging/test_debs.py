#!/usr/bin/env python3
"""The Debian packages (cmake/packaging.cmake), built with cpack from the
build directory into a temporary directory and checked with dpkg-deb: each
package's name, version, fields and files; Depends (dpkg-shlibdeps' and the
written ones); the shared library's SONAME and the -dev package's link to
it; the unit, its user and state directory (systemd-analyze verify,
systemd-sysusers and systemd-tmpfiles on the extracted tree); the shipped
config file read by the packaged zoomflow itself; no path of the build in
any file; lintian when it is installed. ctest -L packaging (ZF_BUILD_DIR,
ZF_SOURCE_DIR, ZF_VERSION from CMake); exits 77 (skipped) without dpkg-deb.
"""
import glob
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

BUILD = os.path.abspath(os.environ.get("ZF_BUILD_DIR", "build"))
SOURCE = os.path.abspath(os.environ.get("ZF_SOURCE_DIR", "."))
VERSION = os.environ.get("ZF_VERSION", "")
DEB_VERSION = VERSION + "-1"
ARCH_LIB = "usr/lib/" + subprocess.run(
    ["gcc", "-print-multiarch"], capture_output=True, text=True).stdout.strip()

PACKAGES = {
    "libzoomflow0": {
        "section": "libs",
        "files": [ARCH_LIB + "/libzoomflow.so.0", ARCH_LIB + f"/libzoomflow.so.{VERSION}"],
        "depends": ["libc6", "libcurl4", "libfyaml0", "libjansson4", "libpq5", "libsodium23",
                    "libsqlite3-0", "libssl3"],
    },
    "libzoomflow-dev": {
        "section": "libdevel",
        "files": [ARCH_LIB + "/libzoomflow.so", ARCH_LIB + "/libzoomflow.a",
                  ARCH_LIB + "/pkgconfig/zoomflow.pc", "usr/include/zoomflow/zoomflow.h",
                  "usr/include/zoomflow/sys/store_driver.h"],
        "depends": [f"libzoomflow0 (= {DEB_VERSION})", "libcurl4-openssl-dev | libcurl-dev",
                    "libjansson-dev", "libsqlite3-dev", "libpq-dev", "libsodium-dev",
                    "libssl-dev", "libfyaml-dev"],
    },
    "zoomflow": {
        "section": "net",
        "files": ["usr/bin/zoomflow", "usr/share/man/man1/zoomflow.1.gz",
                  "usr/share/bash-completion/completions/zoomflow",
                  "usr/share/zsh/vendor-completions/_zoomflow",
                  "lib/systemd/system/zoomflow.service", "usr/lib/sysusers.d/zoomflow.conf",
                  "usr/lib/tmpfiles.d/zoomflow.conf", "etc/zoomflow/config",
                  "etc/zoomflow/zoomflow.env", "usr/share/doc/zoomflow/deploy.md"],
        "depends": ["adduser", "libc6", "libcurl4", "libfyaml0", "libjansson4", "libjq1",
                    "libmicrohttpd12",
                    "libpq5", "libsodium23", "libsqlite3-0", "libssl3"],
    },
    "zoomsim": {
        "section": "devel",
        "files": ["usr/bin/zoomsim"],
        "depends": ["libc6", "libcurl4", "libjansson4", "libmicrohttpd12", "libssl3"],
    },
}


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def depends_names(field):
    """'a (>= 1), b | c' -> ['a', 'b | c'] (versions dropped, alternatives kept)."""
    out = []
    for part in field.split(","):
        alts = [a.strip().split(" ")[0] for a in part.split("|")]
        out.append(" | ".join(alts))
    return out


class Debs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="zf-debs-")
        t0 = time.monotonic()
        r = run(["cpack", "-G", "DEB", "-B", cls.tmp, "--config",
                 os.path.join(BUILD, "CPackConfig.cmake")], cwd=BUILD)
        cls.cpack_seconds = time.monotonic() - t0
        if r.returncode != 0:
            raise AssertionError("cpack failed:\n" + r.stdout + r.stderr)
        cls.debs = {}
        for path in glob.glob(os.path.join(cls.tmp, "*.deb")):
            name = run(["dpkg-deb", "-f", path, "Package"]).stdout.strip()
            cls.debs[name] = path
        cls.root = os.path.join(cls.tmp, "root")
        os.mkdir(cls.root)
        for path in cls.debs.values():
            subprocess.run(["dpkg-deb", "-x", path, cls.root], check=True)
        print(f"cpack: {len(cls.debs)} packages in {cls.cpack_seconds:.1f} s", file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def fields(self, pkg):
        out = run(["dpkg-deb", "-f", self.debs[pkg]]).stdout
        fields, key = {}, None
        for line in out.splitlines():
            if line.startswith(" ") and key:
                fields[key] += "\n" + line
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        return fields

    def contents(self, pkg):
        out = run(["dpkg-deb", "-c", self.debs[pkg]]).stdout
        return {line.split()[5].lstrip("./").rstrip("/") for line in out.splitlines()}

    def test_the_four_packages(self):
        self.assertEqual(sorted(self.debs), sorted(PACKAGES))
        for pkg, path in self.debs.items():
            self.assertEqual(os.path.basename(path),
                             f"{pkg}_{DEB_VERSION}_{self.fields(pkg)['Architecture']}.deb")

    def test_fields(self):
        for pkg, want in PACKAGES.items():
            with self.subTest(pkg=pkg):
                f = self.fields(pkg)
                self.assertEqual(f["Version"], DEB_VERSION)
                self.assertEqual(f["Section"], want["section"])
                self.assertEqual(f["Source"], "zoomflow")
                self.assertEqual(f["Priority"], "optional")
                for key in ("Maintainer", "Homepage"):
                    self.assertTrue(f.get(key), f"{pkg}: no {key}")
                self.assertRegex(f["Maintainer"], r"^[^<>]+ <[^@<>]+@[^@<>]+>$")
                # a synopsis under 80 characters and a long description
                synopsis, _, long = f["Description"].partition("\n")
                self.assertLess(len(synopsis), 80)
                self.assertGreater(len(long.split("\n")), 2, f"{pkg}: no long description")

    def test_depends(self):
        for pkg, want in PACKAGES.items():
            with self.subTest(pkg=pkg):
                names = depends_names(self.fields(pkg)["Depends"])
                want_names = depends_names(", ".join(want["depends"]))
                self.assertEqual(sorted(names), sorted(want_names))
        # every module the pkg-config file requires has its -dev package
        pc = read(os.path.join(SOURCE, "cmake/zoomflow.pc.in"))
        mods = [l.split(":", 1)[1].split() for l in pc.splitlines() if l.startswith("Requires")]
        dev_of = {"libcurl": "libcurl4-openssl-dev | libcurl-dev", "jansson": "libjansson-dev",
                  "sqlite3": "libsqlite3-dev", "libpq": "libpq-dev", "libsodium": "libsodium-dev",
                  "libcrypto": "libssl-dev", "libfyaml": "libfyaml-dev"}
        dev_names = depends_names(self.fields("libzoomflow-dev")["Depends"])
        for m in sum(mods, []):
            self.assertIn(m, dev_of, f"the .pc requires {m}: name its -dev package here")
            self.assertIn(dev_of[m], dev_names, f"libzoomflow-dev lacks {dev_of[m]} for {m}")
        dev = self.fields("libzoomflow-dev")["Depends"]
        self.assertIn(f"libzoomflow0 (= {DEB_VERSION})", dev)
        # dpkg-shlibdeps gave versions, not bare names
        self.assertRegex(self.fields("zoomflow")["Depends"], r"libcurl4 \(>= [0-9.]+\)")

    def test_files(self):
        for pkg, want in PACKAGES.items():
            with self.subTest(pkg=pkg):
                have = self.contents(pkg)
                for f in want["files"] + [f"usr/share/doc/{pkg}/copyright",
                                          f"usr/share/doc/{pkg}/changelog.gz",
                                          f"usr/share/doc/{pkg}/changelog.Debian.gz"]:
                    self.assertIn(f, have, f"{pkg} lacks {f}")
        # nothing of one package in another (dpkg would refuse the overwrite)
        seen = {}
        for pkg in PACKAGES:
            for f in self.contents(pkg):
                if os.path.isdir(os.path.join(self.root, f)) and not os.path.islink(
                        os.path.join(self.root, f)):
                    continue
                self.assertNotIn(f, seen, f"{f} is in {pkg} and {seen.get(f)}")
                seen[f] = pkg

    def test_library(self):
        lib = os.path.join(self.root, ARCH_LIB)
        self.assertEqual(os.readlink(os.path.join(lib, "libzoomflow.so")), "libzoomflow.so.0")
        self.assertEqual(os.readlink(os.path.join(lib, "libzoomflow.so.0")),
                         f"libzoomflow.so.{VERSION}")
        dyn = run(["readelf", "-d", os.path.join(lib, f"libzoomflow.so.{VERSION}")]).stdout
        self.assertIn("Library soname: [libzoomflow.so.0]", dyn)
        shlibs = run(["dpkg-deb", "-I", self.debs["libzoomflow0"], "shlibs"]).stdout
        self.assertEqual(shlibs.strip(), f"libzoomflow 0 libzoomflow0 (>= {DEB_VERSION})")
        triggers = run(["dpkg-deb", "-I", self.debs["libzoomflow0"], "triggers"]).stdout
        self.assertIn("activate-noawait ldconfig", triggers)
        # the static library keeps its symbols (it links) but not its debug sections
        syms = run(["nm", "--defined-only", os.path.join(lib, "libzoomflow.a")]).stdout
        self.assertIn(" T zf_version", syms)
        sections = run(["readelf", "-S", "-W", os.path.join(lib, "libzoomflow.a")]).stdout
        self.assertNotIn(".debug_info", sections)
        pc = read(os.path.join(lib, "pkgconfig/zoomflow.pc"))
        self.assertIn("prefix=/usr\n", pc)
        self.assertIn("libdir=${prefix}/" + ARCH_LIB[len("usr/"):] + "\n", pc)
        self.assertIn(f"Version: {VERSION}\n", pc)
        for f in (os.path.join(self.root, "usr/bin/zoomflow"), os.path.join(lib, f"libzoomflow.so.{VERSION}")):
            self.assertIn("stripped", run(["file", f]).stdout)
            self.assertNotIn("not stripped", run(["file", f]).stdout)

    def test_no_build_paths(self):
        needles = {SOURCE.encode(), BUILD.encode()}
        for dirpath, _, names in os.walk(self.root):
            for n in names:
                p = os.path.join(dirpath, n)
                if os.path.islink(p):
                    continue
                data = read(p, "rb")
                if p.endswith(".gz"):
                    data = gzip.decompress(data)
                for needle in needles:
                    self.assertNotIn(needle, data, f"{p} holds {needle.decode()}")

    def test_programs_and_docs(self):
        zf = os.path.join(self.root, "usr/bin/zoomflow")
        r = run([zf, "--version"])
        self.assertEqual((r.returncode, r.stdout.strip()), (0, f"zoomflow {VERSION}"))
        # the shipped config file is one the packaged program accepts, with
        # the store and key where the unit and docs/deploy.md say
        r = run([zf, "--config", os.path.join(self.root, "etc/zoomflow/config"), "config"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"value": "sqlite:/var/lib/zoomflow/zoomflow.db"', r.stdout)
        self.assertIn('"value": "/etc/zoomflow/master.key"', r.stdout)
        self.assertIn('"value": "127.0.0.1:8080"', r.stdout)
        r = run([os.path.join(self.root, "usr/bin/zoomsim"), "--help"])
        self.assertIn("zoomsim", r.stdout + r.stderr)
        man = gzip.decompress(read(os.path.join(self.root, "usr/share/man/man1/zoomflow.1.gz"), "rb"))
        self.assertEqual(man, read(os.path.join(SOURCE, "docs/zoomflow.1"), "rb"))
        bash = read(os.path.join(self.root, "usr/share/bash-completion/completions/zoomflow"))
        self.assertEqual(bash, run([zf, "completion", "bash"]).stdout)
        self.assertIn("-F _zoomflow zoomflow", bash)
        copyright = read(os.path.join(self.root, "usr/share/doc/zoomflow/copyright"))
        self.assertIn("License: Expat", copyright)
        self.assertIn("Permission is hereby granted", copyright)
        clog = gzip.decompress(read(os.path.join(self.root, "usr/share/doc/zoomflow/changelog.Debian.gz"), "rb")).decode()
        self.assertRegex(clog.splitlines()[0], rf"^zoomflow \({DEB_VERSION}\) unstable; urgency=medium$")
        self.assertRegex(clog, r"\n -- .+ <.+>  \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\n")

    def test_maintainer_scripts_and_conffiles(self):
        ctl = os.path.join(self.tmp, "ctl")
        subprocess.run(["dpkg-deb", "-e", self.debs["zoomflow"], ctl], check=True)
        for s in ("postinst", "prerm", "postrm"):
            p = os.path.join(ctl, s)
            self.assertTrue(os.access(p, os.X_OK), s)
            self.assertEqual(run(["sh", "-n", p]).returncode, 0, s)
        conffiles = read(os.path.join(ctl, "conffiles")).split()
        self.assertEqual(sorted(conffiles), ["/etc/zoomflow/config", "/etc/zoomflow/zoomflow.env"])

    def test_unit_user_and_state_dir(self):
        unit = os.path.join(self.root, "lib/systemd/system/zoomflow.service")
        text = read(unit)
        for line in ("User=zoomflow", "StateDirectory=zoomflow", "ProtectSystem=strict",
                     "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes",
                     "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                     "SystemCallFilter=@system-service", "CapabilityBoundingSet=\n",
                     "MemoryDenyWriteExecute=yes", "LockPersonality=yes",
                     "Environment=ZOOMFLOW_CONFIG=/etc/zoomflow/config",
                     "ExecStart=/usr/bin/zoomflow serve"):
            self.assertIn(line, text)
        if shutil.which("systemd-analyze"):
            # verify needs the program where ExecStart says: the extracted one
            copy = os.path.join(self.tmp, "zoomflow.service")
            with open(copy, "w") as f:
                f.write(text.replace("/usr/bin/zoomflow", os.path.join(self.root, "usr/bin/zoomflow")))
            r = run(["systemd-analyze", "verify", "--man=no", copy])
            self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))
            r = run(["systemd-analyze", "security", "--offline=yes", copy])
            exposure = [l for l in r.stdout.splitlines() if "Overall exposure level" in l]
            self.assertTrue(exposure, r.stdout + r.stderr)
            level = float(exposure[0].split(":")[1].split()[0])
            print(f"systemd-analyze security: {level}", file=sys.stderr)
            self.assertLessEqual(level, 2.0, exposure[0])
        if shutil.which("systemd-sysusers") and shutil.which("systemd-tmpfiles"):
            os.makedirs(os.path.join(self.root, "etc"), exist_ok=True)
            r = run(["systemd-sysusers", "--root", self.root, "zoomflow.conf"])
            self.assertEqual(r.returncode, 0, r.stderr)
            pw = [l.split(":") for l in read(os.path.join(self.root, "etc/passwd")).splitlines(True)]
            user = [p for p in pw if p[0] == "zoomflow"]
            self.assertEqual(len(user), 1)
            self.assertEqual(user[0][5:], ["/var/lib/zoomflow", "/usr/sbin/nologin\n"])
            self.assertLess(int(user[0][2]), 1000, "a system user")
            r = run(["systemd-tmpfiles", "--root", self.root, "--create", "zoomflow.conf"])
            self.assertEqual(r.returncode, 0, r.stderr)
            st = os.stat(os.path.join(self.root, "var/lib/zoomflow"))
            self.assertEqual((st.st_uid, st.st_mode & 0o7777), (int(user[0][2]), 0o750))

    def test_lintian(self):
        if not shutil.which("lintian"):
            self.skipTest("lintian is not installed")
        r = run(["lintian", "--tag-display-limit", "0", *self.debs.values()])
        # known and accepted: packages built outside Debian's archive close
        # no bug; cpack's own ldconfig calls beside the trigger; zoomsim
        # documents itself with --help only
        accepted = ("initial-upload-closes-no-bugs", "maintscript-calls-ldconfig",
                    "no-manual-page [usr/bin/zoomsim]")
        tags = [l for l in r.stdout.splitlines() if l[:2] in ("E:", "W:")]
        self.assertEqual([t for t in tags if not any(a in t for a in accepted)], [], r.stdout)


if __name__ == "__main__":
    if not shutil.which("dpkg-deb") or not shutil.which("cpack"):
        print("packaging test skipped: dpkg-deb or cpack is missing (Debian's dpkg, cmake)")
        sys.exit(77)
    unittest.main(verbosity=2)
