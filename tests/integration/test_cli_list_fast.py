"""The fast path of `--all` lists (items shaped from the page bytes, no JSON
tree) against the tree path (forced with ZOOMFLOW_LIST_TREE=1): for every
list action, over several pages, in ndjson and json, both print the same
items with the same keys in the same order and the same values."""
import fcntl
import json
import os
import subprocess
import time
import unittest

from cliharness import ConnectedTest
from zfharness import SLOW, WRAP, binary

START = "2031-03-04T09:30:00"
TRICKY = ['Caf\u00e9 \u2603 "quoted" \\ back', "tab\tand\nnewline", "\U0001F600 emoji",
          "slash / and </script>", "  spaces  "]


def ordered(text):
    """JSON with objects as lists of (key, value) pairs, so order counts."""
    return json.loads(text, object_pairs_hook=list)


def ws_outside_strings(text):
    in_str = esc = False
    for c in text:
        if in_str:
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c in " \t\r\n":
            return True
    return False


class ListFastPathTest(ConnectedTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.sim.request("POST", "/_sim/seed/users", body={"count": 40, "domain": "fast.example"})
        assert r.status == 201, r
        # straight into zoomsim: zoomflow's validator refuses control
        # characters in names, but Zoom may hold them (made elsewhere), and
        # the output must still escape them
        tok = cls.sim.token()
        for i, t in enumerate(TRICKY):
            r = cls.sim.request("POST", "/v2/users", token=tok, body={
                "action": "custCreate", "user_info": {
                    "email": f"tricky{i}@fast.example", "type": 1, "first_name": t,
                    "last_name": t[::-1]}})
            assert r.status == 201, r
            r = cls.sim.request("POST", "/v2/users/me/meetings", token=tok, body={
                "topic": t, "agenda": t + "\n" + t, "type": 2, "start_time": START,
                "timezone": "Europe/Berlin"})
            assert r.status == 201, r
        r = cls.sim.request("POST", "/_sim/seed/meetings",
                            body={"count": 1, "registration": True, "registrants": 23})
        assert r.status == 201, r
        cls.mid = str(r.json()["meeting_ids"][0])
        for i, t in enumerate(TRICKY):
            r = cls.sim.request("POST", f"/v2/meetings/{cls.mid}/registrants", token=tok,
                                body={"email": f"r{i}@fast.example", "first_name": t})
            assert r.status == 201, r

    def both(self, *args, fmt):
        fast = self.cli.run("-v", *args, "--format", fmt)
        tree = self.cli.run("-v", *args, "--format", fmt, env={"ZOOMFLOW_LIST_TREE": "1"})
        self.assertEqual(fast.returncode, 0, fast.err)
        self.assertEqual(tree.returncode, 0, tree.err)
        # each run says which path it took
        self.assertIn("fast path", fast.err)
        self.assertNotIn("fast path", tree.err)
        return fast.out, tree.out

    def compare(self, args, min_items):
        fast, tree = self.both(*args, fmt="ndjson")
        fl, tl = fast.splitlines(), tree.splitlines()
        self.assertGreaterEqual(len(fl), min_items)
        self.assertEqual(len(fl), len(tl))
        for f, t in zip(fl, tl):
            self.assertEqual(ordered(f), ordered(t))
            self.assertFalse(ws_outside_strings(f), f)
        fast, tree = self.both(*args, fmt="json")
        self.assertEqual(ordered(fast), ordered(tree))
        # json: the page's shape, {"<items>": [...], "total_records": N}
        self.assertEqual(len(next(iter(json.loads(fast).values()))), len(fl))
        return [json.loads(x) for x in fl]

    def test_users_list_all(self):
        items = self.compare(["users", "list", "--all", "--page-size", "7"], 45)
        names = {u.get("first_name") for u in items}
        for t in TRICKY:
            self.assertIn(t, names)

    def test_meetings_list_all(self):
        items = self.compare(["meetings", "list", "--user-id", "me", "--all",
                              "--page-size", "2"], len(TRICKY))
        self.assertTrue(set(TRICKY) <= {m["topic"] for m in items})
        self.assertIn(TRICKY[0] + "\n" + TRICKY[0], {m.get("agenda") for m in items})

    def test_registrants_list_all(self):
        items = self.compare(["registrants", "list", "--meeting-id", self.mid, "--all",
                              "--page-size", "4"], 28)
        self.assertTrue(set(TRICKY) <= {r["first_name"] for r in items})

    def test_table_and_csv_keep_the_tree_path(self):
        p = self.cli.run("-v", "users", "list", "--all", "--page-size", "50", "--format", "csv")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertNotIn("fast path", p.err)



class ListPrefetchTest(ConnectedTest):
    """`--all` on the fast path asks for the next page while it writes the
    current one (two pages held); what it prints and how it fails are the
    tree path's."""
    NO_LIMITS = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.sim.request("POST", "/_sim/seed/users", body={"count": 700})
        assert r.status == 201, r
        cls.total = 701  # and the owner

    def pages_asked(self):
        return self.sim.requests_log("users.list")["counts"].get("users.list", 0)

    def test_next_page_asked_for_while_the_output_is_blocked(self):
        self.sim.request("DELETE", "/_sim/requests")
        r, w = os.pipe()
        fcntl.fcntl(r, 1031, 4096)  # F_SETPIPE_SZ: one page of users fills it
        args = ["users", "list", "--all", "--page-size", "300", "--format", "ndjson"]
        proc = subprocess.Popen(WRAP + [binary("zoomflow")] + args, env=self.cli.env,
                                stdout=w, stderr=subprocess.PIPE)
        os.close(w)
        out = b""
        try:
            # nobody reads: zoomflow is stuck writing page 1, and page 2 is
            # asked for all the same; page 3 cannot be (page 2 is not taken)
            deadline = time.monotonic() + 30 * SLOW
            while self.pages_asked() < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(self.pages_asked(), 2)
            self.assertIsNone(proc.poll())
            time.sleep(0.3)
            self.assertEqual(self.pages_asked(), 2)
        finally:
            with os.fdopen(r, "rb") as f:  # unblocks it, also after a failure
                out = f.read()
            err = proc.communicate(timeout=60 * SLOW)[1]
        self.assertEqual(proc.returncode, 0, err)
        lines = out.decode().splitlines()
        self.assertEqual(len(lines), self.total)
        self.assertEqual(len({json.loads(x)["id"] for x in lines}), self.total)
        self.assertEqual(self.pages_asked(), 3)

    def test_a_page_refused_mid_list_fails_as_the_tree_path_does(self):
        # the third page's request fails (expired token): printed are pages
        # 1 and 2, then the same error, although page 3 was asked for while
        # page 2 was still being written
        rule = {"kind": "status", "route": "users.list", "skip": 2, "count": 1, "status": 400,
                "code": 300, "message": "The next page token is invalid or expired."}
        args = ["users", "list", "--all", "--page-size", "300", "--format", "ndjson"]
        runs = []
        for env in ({}, {"ZOOMFLOW_LIST_TREE": "1"}):
            self.sim.request("DELETE", "/_sim/faults")
            r = self.sim.request("POST", "/_sim/faults", body={"rules": [rule]})
            self.assertEqual(r.status, 201, r)
            runs.append(self.cli.run(*args, env=env))
            fired = self.sim.request("GET", "/_sim/faults").json()["rules"][0]["fired"]
            self.assertEqual(fired, 1)
        fast, tree = runs
        self.assertNotEqual(fast.returncode, 0)
        self.assertEqual(fast.returncode, tree.returncode)
        self.assertEqual(len(fast.out.splitlines()), 600)
        self.assertEqual(fast.out, tree.out)
        self.assertIn("the list is incomplete", fast.err)
        self.assertEqual(fast.err, tree.err)

    def test_a_limit_asks_for_no_page_past_its_last_item(self):
        self.sim.request("DELETE", "/_sim/requests")
        p = self.cli.run("users", "list", "--all", "--limit", "350", "--page-size", "300",
                         "--format", "ndjson")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(len(p.out.splitlines()), 350)
        self.assertEqual(self.pages_asked(), 2)


if __name__ == "__main__":
    unittest.main()
