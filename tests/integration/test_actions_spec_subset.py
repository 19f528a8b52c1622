"""tests/spec/zoom-actions-subset.json is what tests/spec/trim.py makes from
Zoom's OpenAPI files (when they are at hand: shared/ beside the checkout)."""
import os
import subprocess
import sys
import unittest

import zfharness

TRIM = os.path.join(zfharness.SOURCE_DIR, "tests", "spec", "trim.py")
SOURCES = [os.path.join(zfharness.SOURCE_DIR, "..", "shared", "zoom-openapi"),
           "/work/shared/zoom-openapi"]


def source_dir():
    for d in SOURCES:
        if os.path.exists(os.path.join(d, "zoom-meetings-api-2026-03.json")):
            return d
    raise unittest.SkipTest("Zoom's OpenAPI files are not beside this checkout")


class SpecSubset(unittest.TestCase):
    def test_committed_subset_is_current(self):
        r = subprocess.run([sys.executable, TRIM, "--check", source_dir()],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("is current", r.stdout)

    def test_check_notices_a_stale_subset(self):
        # the same check against a copy of the script whose subset differs
        import json
        import shutil
        import tempfile
        tmp = tempfile.mkdtemp()
        try:
            shutil.copy(TRIM, tmp)
            with open(os.path.join(tmp, "zoom-actions-subset.json"), "w") as f:
                json.dump({"operations": {}}, f)
            r = subprocess.run([sys.executable, os.path.join(tmp, "trim.py"), "--check",
                                source_dir()], capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 1)
            self.assertIn("stale", r.stdout)
        finally:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    unittest.main()
