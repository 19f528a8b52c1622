"""`zoomflow batch add_meeting_registrant`: many adds to one meeting tell
an existing registrant from a new one by one listing of the meeting's
registrants, not a GET per add (issue: rate-limited bulk at 1x the plan's
floor), against a real zoomsim.

The promises tried here: zoomsim's request log holds the listing (three
requests, one per status) and one POST per row and no GET of a
registrant; existing: true for exactly the emails registered before (in
another case) and the rows repeating an email of the CSV; created: true for
the rest; one registrant per email at zoomsim. The same with a 429 burst
and a create processed and dropped on a reused connection. A connection
without the listing's scope says so once and checks per row (the GET,
flags still right). Three rows of one meeting keep the per-row GET (the
listing would cost as much)."""
import json
import os
import unittest

import zfharness
from cliharness import ConnectedTest

SEEDED = 50
ROWS = 300
REPEATS = 10
LIST_SCOPE = "meeting:read:list_registrants:admin"


def results(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


class KnownTest(ConnectedTest):
    NO_LIMITS = True

    def meeting(self, registrants=0):
        r = self.sim.request("POST", "/_sim/seed/meetings",
                             body={"count": 1, "registration": True,
                                   "registrants": registrants})
        self.assertEqual(r.status, 201, r)
        return r.json()["meeting_ids"][0]

    def mark(self):
        return max((r["seq"] for r in self.sim.requests_log()["requests"]), default=0)

    def routes_since(self, mark):
        counts = {}
        for r in self.sim.requests_log()["requests"]:
            if r["seq"] > mark:
                counts[r["route"]] = counts.get(r["route"], 0) + 1
        return counts

    def registrants(self, mid):
        for m in self.sim.state()["data"]["meetings"]:
            if m["id"] == mid:
                return m["registrants"]
        self.fail(f"meeting {mid} not in zoomsim's state")

    def rows_csv(self, tag):
        """ROWS rows: the SEEDED emails zoomsim seeded (spread through the
        file, every third in upper case: Zoom matches emails
        case-insensitively), new ones, and at the end REPEATS rows repeating
        an earlier new email of the CSV (every other in upper case).
        Returns the CSV path, the rows' expected existing flags and, per
        repeating row (from 0), the row (from 1) holding its email first."""
        new = [f"{tag}-{i}@example.com" for i in range(ROWS - SEEDED - REPEATS)]
        seeded = [f"registrant{i}@example.net" for i in range(SEEDED)]
        out, ex, first = [], [], {}
        for i, e in enumerate(new):
            first[e] = len(out) + 1
            out.append(e)
            ex.append(False)
            if i % 5 == 4 and seeded:
                s = seeded.pop(0)
                out.append(s.upper() if len(seeded) % 3 == 0 else s)
                ex.append(True)
        out += seeded
        ex += [True] * len(seeded)
        repeats = {}
        for k in range(REPEATS):
            e = new[k * 7]
            repeats[len(out)] = first[e]
            out.append(e.upper() if k % 2 else e)
            ex.append(True)
        self.assertEqual(len(out), ROWS)
        self.assertEqual(sum(ex), SEEDED + REPEATS)
        path = os.path.join(self.cli.dir, f"{tag}.csv")
        with open(path, "w") as f:
            f.write("email,first_name\n")
            for i, e in enumerate(out):
                f.write(f"{e},F{i}\n")
        return path, ex, repeats

    def check_flags(self, rs, ex, allow_found=()):
        """Every row done or found with the flags `ex` says; a row listed in
        allow_found may be found (its add's answer was lost, reconciled)."""
        self.assertEqual(len(rs), ROWS)
        for i, (r, want) in enumerate(zip(rs, ex)):
            o = r.get("output", {})
            self.assertIn(r["status"], ("done", "found"), r)
            if want:
                self.assertEqual((r["status"], o.get("created"), o.get("existing")),
                                 ("found", False, True), (i, r))
            elif o.get("found"):
                self.assertIn(i, allow_found, (i, r))
                self.assertEqual(o.get("created"), False, r)
            else:
                self.assertEqual((r["status"], o.get("created")), ("done", True), (i, r))
                self.assertNotIn("existing", o, r)

    def check_zoomsim(self, mid):
        regs = self.registrants(mid)
        emails = [r["email"].lower() for r in regs]
        self.assertEqual(len(emails), ROWS - REPEATS)
        self.assertEqual(len(set(emails)), ROWS - REPEATS)  # no email twice

    def test_300_rows_one_listing_no_get(self):
        mid = self.meeting(SEEDED)
        path, ex, repeats = self.rows_csv("k300")
        m = self.mark()
        p = self.cli.run("batch", "add_meeting_registrant", "--meeting-id", str(mid), "--csv",
                         path, timeout=300)
        self.assertEqual(p.returncode, 0, p.err[-2000:])
        rs = results(p.out)
        self.check_flags(rs, ex)
        routes = self.routes_since(m)
        self.assertEqual(routes.get("registrants.get", 0), 0, routes)
        self.assertEqual(routes.get("registrants.list"), 3, routes)  # approved, pending, denied
        self.assertEqual(routes.get("registrants.create"), ROWS, routes)
        self.assertEqual(sum(routes.values()), 3 + ROWS, routes)
        self.check_zoomsim(mid)
        # an existing row's registrant is zoomsim's, a repeat names its first row
        ids = {r["email"].lower(): r["id"] for r in self.registrants(mid)}
        self.assertEqual(rs[5]["output"]["registrant_id"], ids["registrant0@example.net"])
        for i, held in repeats.items():
            self.assertEqual(rs[i]["same_as_row"], held, rs[i])
            self.assertEqual(rs[i]["output"]["registrant_id"],
                             rs[held - 1]["output"]["registrant_id"])
        self.assertIn(f"{ROWS - SEEDED - REPEATS} done, {SEEDED + REPEATS} already there",
                      p.err)

    def test_faults_during_the_adds(self):
        """A 429 burst, and two creates processed and dropped on a reused
        connection (after a 429 on it): each answer lost is reconciled (the
        listing by email: still no GET of a registrant), and the flags stay
        right: a row the set knew is existing even when its answer was
        lost."""
        mid = self.meeting(SEEDED)
        path, ex, _ = self.rows_csv("kf")
        existing_row = ex.index(True, 20)  # the first row the set knows, past row 20
        new_row = ex.index(False, 150)
        r = self.sim.request("POST", "/_sim/faults", body={"seed": 7, "rules": [
            # a 429, then its retry processed and dropped: the answer is lost
            {"kind": "rate_limit", "route": "registrants.create", "skip": existing_row,
             "count": 1},
            {"kind": "drop", "route": "registrants.create", "skip": existing_row, "count": 1},
            # never fires: no create travels on a reused connection
            {"kind": "drop", "route": "registrants.create", "connection": "reused",
             "count": 1},
            {"kind": "rate_limit", "route": "registrants.create", "skip": 100, "count": 4},
            # a new row's create processed and dropped (the rows before it were
            # processed once each)
            {"kind": "drop", "route": "registrants.create", "skip": new_row, "count": 1},
        ]})
        self.assertEqual(r.status, 201, r)
        m = self.mark()
        p = self.cli.run("batch", "add_meeting_registrant", "--meeting-id", str(mid), "--csv",
                         path, timeout=300)
        self.assertEqual(p.returncode, 0, p.err[-2000:])
        rules = self.sim.request("GET", "/_sim/faults").json()["rules"]
        self.assertEqual([x["fired"] for x in rules], [1, 1, 0, 4, 1], rules)
        self.assertEqual(rules[2]["matched"], 0, rules)
        rs = results(p.out)
        self.check_flags(rs, ex, allow_found=(new_row,))
        self.assertTrue(rs[existing_row]["output"]["existing"], rs[existing_row])
        self.assertEqual((rs[new_row]["status"], rs[new_row]["output"]["found"]),
                         ("found", True), rs[new_row])
        routes = self.routes_since(m)
        self.assertEqual(routes.get("registrants.get", 0), 0, routes)
        self.check_zoomsim(mid)

    def test_listing_refused_falls_back_per_row(self):
        """An app without the listing's scope (but with the GET's): said
        once on stderr, then each add does its GET and the flags are still
        right for registrants older than Zoom's two-second window."""
        scopes = ["meeting:write:registrant:admin", "meeting:read:registrant:admin",
                  "meeting:read:meeting:admin"]
        cli, p = self.app_cli("nolist", scopes)
        self.assertEqual(p.returncode, 0, p.err)
        mid = self.meeting(10)
        # the seeded registrants are older than the adds by more than Zoom's clock's window
        self.sim.request("POST", "/_sim/clock/advance", body={"seconds": 30})
        rows = [{"email": f"registrant{i}@example.net", "first_name": "S"} for i in range(10)]
        rows += [{"email": f"nolist-{i}@example.com", "first_name": "N"} for i in range(10)]
        text = "".join(json.dumps(r) + "\n" for r in rows)
        m = self.mark()
        p = cli.run("batch", "add_meeting_registrant", "--meeting-id", str(mid), "--input", "-",
                    input=text.encode(), timeout=300)
        self.assertEqual(p.returncode, 0, p.err[-2000:])
        self.assertEqual(p.err.count("cannot list the registrants already there"), 1, p.err)
        rs = results(p.out)
        self.assertEqual([r["status"] for r in rs], ["found"] * 10 + ["done"] * 10, p.out)
        self.assertTrue(all(r["output"]["existing"] for r in rs[:10]), rs[:10])
        self.assertTrue(all(r["output"]["created"] for r in rs[10:]), rs[10:])
        routes = self.routes_since(m)
        self.assertEqual(routes.get("registrants.list"), 1, routes)  # refused: 4711
        self.assertEqual(routes.get("registrants.get"), 20, routes)
        self.assertEqual(routes.get("registrants.create"), 20, routes)
        self.assertEqual(len(self.registrants(mid)), 20)

    def test_three_rows_keep_the_get(self):
        """Three adds to one meeting: the listing (three requests) would cost
        what the three GETs do, so each add checks its own."""
        mid = self.meeting(1)
        self.sim.request("POST", "/_sim/clock/advance", body={"seconds": 30})
        rows = [{"email": "registrant0@example.net", "first_name": "S"},
                {"email": "three-1@example.com", "first_name": "N"},
                {"email": "three-2@example.com", "first_name": "N"}]
        m = self.mark()
        p = self.cli.run("batch", "add_meeting_registrant", "--meeting-id", str(mid),
                         "--input", "-", input="".join(json.dumps(r) + "\n"
                                                       for r in rows).encode())
        self.assertEqual(p.returncode, 0, p.err)
        rs = results(p.out)
        self.assertEqual([r["status"] for r in rs], ["found", "done", "done"], p.out)
        routes = self.routes_since(m)
        self.assertEqual(routes.get("registrants.list", 0), 0, routes)
        self.assertEqual(routes.get("registrants.get"), 3, routes)


if __name__ == "__main__":
    unittest.main()
