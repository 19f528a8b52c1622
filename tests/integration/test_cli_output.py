"""Output that loses nothing (issue 9), through the real binary against
zoomsim: table and csv take a fixed column set from the action's
descriptor (later rows' keys never vanish, nested values as JSON in a
cell), --columns chooses and refuses, empty lists keep their headers,
`comments` reaches every `registrants list` format, a re-added registrant
says it was already there, a list has one json shape with and without
--all, and a mistyped --format lists the formats."""
import csv
import io
import json
import time
import unittest

from cliharness import CliEnv, ConnectedTest
from zfharness import Sim

START = "2031-03-04T09:30:00"
REG_COLUMNS = ["id", "email", "first_name", "last_name", "status", "create_time", "org",
               "job_title", "country", "comments", "custom_questions", "join_url"]


class OutputTest(ConnectedTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mid = str(cls.make_meeting("Town hall")["id"])
        # the first row has none of the optional keys, the second has them all
        cls.add(cls.mid, "plain@example.com", "Plain")
        cls.add(cls.mid, "full@example.com", "Full", "--org", "Acme, Inc.", "--job-title",
                "CTO", "--country", "DE", "--comments", "Line one\nline \"two\"",
                "--custom-questions", '[{"title":"Diet","value":"vegan"}]')

    @classmethod
    def make_meeting(cls, topic):
        p = cls.cli.run("meetings", "create", "--user-id", "me", "--topic", topic, "--type", "2",
                        "--start-time", START, "--timezone", "Europe/Berlin",
                        "--settings.approval_type", "0", "--format", "json")
        assert p.returncode == 0, p.err
        return json.loads(p.out)

    @classmethod
    def add(cls, mid, email, first, *extra):
        p = cls.cli.run("registrants", "add", "--meeting-id", mid, "--email", email,
                        "--first-name", first, *extra, "--format", "json")
        assert p.returncode == 0, p.err
        return p

    def run_ok(self, *args, **kw):
        p = self.cli.run(*args, **kw)
        self.assertEqual(p.returncode, 0, (args, p.err))
        return p

    def regs(self, *extra):
        return self.run_ok("registrants", "list", "--meeting-id", self.mid, *extra)

    # --- fixed columns

    def test_csv_keeps_later_rows_keys(self):
        for extra in ((), ("--all",)):
            rows = list(csv.DictReader(io.StringIO(self.regs("--format", "csv", *extra).out)))
            self.assertEqual([r["email"] for r in rows],
                             ["plain@example.com", "full@example.com"])
            full = rows[1]
            self.assertEqual(full["org"], "Acme, Inc.")
            self.assertEqual(full["job_title"], "CTO")
            self.assertEqual(full["country"], "DE")
            self.assertEqual(full["comments"], "Line one\nline \"two\"")
            self.assertEqual(json.loads(full["custom_questions"]),
                             [{"title": "Diet", "value": "vegan"}])
            self.assertEqual(rows[0]["org"], "")
            # csv: every output key, the descriptor's order
            header = next(csv.reader(io.StringIO(self.regs("--format", "csv", *extra).out)))
            for col in REG_COLUMNS + ["address", "city", "phone", "language"]:
                self.assertIn(col, header)

    def test_table_keeps_later_rows_keys(self):
        lines = self.regs("--format", "table").out.splitlines()
        self.assertEqual(lines[0].split(), REG_COLUMNS)
        self.assertEqual(len(lines), 3)
        self.assertIn("Acme, Inc.", lines[2])
        self.assertIn("CTO", lines[2])
        self.assertIn("Line one line \"two\"", lines[2])  # newline shown as a space
        self.assertIn('[{"title":"Diet","value":"vegan"}]', lines[2])

    def test_users_table_has_the_descriptors_columns(self):
        header = self.run_ok("users", "list", "--format", "table").out.splitlines()[0].split()
        self.assertEqual(header[:6], ["id", "email", "first_name", "last_name", "type", "status"])

    def test_columns_choose(self):
        out = self.regs("--format", "csv", "--columns", "email,comments,org").out
        rows = list(csv.reader(io.StringIO(out)))
        self.assertEqual(rows[0], ["email", "comments", "org"])
        self.assertEqual(rows[2], ["full@example.com", "Line one\nline \"two\"", "Acme, Inc."])
        lines = self.regs("--format", "table", "--columns", "org,email").out.splitlines()
        self.assertEqual(lines[0].split(), ["org", "email"])
        self.assertTrue(lines[2].startswith("Acme, Inc."), lines[2])
        # a column not in the table's default set: every output key may be named
        lines = self.regs("--format", "table", "--columns", "email,city").out.splitlines()
        self.assertEqual(lines[0].split(), ["email", "city"])

    def test_columns_refused(self):
        before = self.sim.requests_log()["total"]
        p = self.cli.run("registrants", "list", "--meeting-id", self.mid, "--format", "csv",
                         "--columns", "email,nope")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("no column 'nope'", p.err)
        self.assertIn("id,email,first_name", p.err)  # the valid ones
        self.assertIn("comments", p.err)
        p = self.cli.run("users", "list", "--columns", "email,,id")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("empty column name", p.err)
        p = self.cli.run("registrants", "add", "--meeting-id", self.mid, "--email",
                         "c@example.com", "--first-name", "C", "--columns", "email")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("--columns applies to lists", p.err)
        self.assertEqual(self.sim.requests_log()["total"], before)

    def test_empty_output_has_headers(self):
        mid = str(self.make_meeting("Nobody yet")["id"])
        for extra in ((), ("--all",)):
            p = self.run_ok("registrants", "list", "--meeting-id", mid, "--format", "csv", *extra)
            self.assertEqual(p.out.splitlines()[0].split(",")[:4],
                             ["id", "email", "first_name", "last_name"])
            self.assertEqual(len(p.out.splitlines()), 1)
            p = self.run_ok("registrants", "list", "--meeting-id", mid, "--format", "table",
                            *extra)
            self.assertEqual(p.out.splitlines(), [p.out.splitlines()[0]])
            self.assertEqual(p.out.split(), REG_COLUMNS)

    # --- comments in every format

    def test_comments_in_every_format(self):
        for fmt in ("json", "ndjson", "table", "csv"):
            for extra in ((), ("--all",)):
                out = self.regs("--format", fmt, *extra).out
                self.assertIn("comments", out, (fmt, extra))
                if fmt in ("json", "ndjson"):
                    self.assertIn("Line one\\nline \\\"two\\\"", out, (fmt, extra))
                else:
                    self.assertIn("Line one", out, (fmt, extra))

    # --- re-adding says it existed

    def test_readd_says_it_existed(self):
        mid = str(self.make_meeting("Re-add")["id"])
        first = json.loads(self.add(mid, "again@example.com", "Again").out)
        self.assertIs(first["created"], True)
        self.assertNotIn("existing", first)
        time.sleep(2.2)  # create_time and Zoom's Date have a second's resolution
        p = self.add(mid, "Again@Example.com", "Again")
        second = json.loads(p.out)
        self.assertIs(second["created"], False)
        self.assertIs(second["existing"], True)
        self.assertNotIn("found", second)
        self.assertEqual(second["registrant_id"], first["registrant_id"])
        self.assertIn("already there", p.err)
        other = json.loads(self.add(mid, "new@example.com", "New").out)
        self.assertIs(other["created"], True)
        self.assertNotIn("existing", other)

    def test_sim_get_registrant(self):
        tok = self.sim.token()
        first = json.loads(self.add(self.mid, "plain@example.com", "Plain").out)
        r = self.sim.request("GET", f"/v2/meetings/{self.mid}/registrants/"
                             f"{first['registrant_id']}", token=tok)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["email"], "plain@example.com")
        self.assertTrue(r.json()["create_time"].endswith("Z"))
        r = self.sim.request("GET", f"/v2/meetings/{self.mid}/registrants/nope", token=tok)
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json()["code"], 3001)

    # --- one json shape

    def test_same_json_shape_with_and_without_all(self):
        page = json.loads(self.regs("--format", "json").out)
        every = json.loads(self.regs("--format", "json", "--all").out)
        self.assertEqual(set(page), set(every))
        self.assertEqual(list(every), ["registrants", "total_records"])
        self.assertEqual(page["registrants"], every["registrants"])
        self.assertEqual(every["total_records"], 2)
        # the fast path (pipe, raw bytes) and the tree path agree
        tree = json.loads(self.cli.run("registrants", "list", "--meeting-id", self.mid,
                                       "--format", "json", "--all",
                                       env={"ZOOMFLOW_LIST_TREE": "1"}).out)
        self.assertEqual(tree, every)
        mid = str(self.make_meeting("Empty shape")["id"])
        empty = json.loads(self.run_ok("registrants", "list", "--meeting-id", mid,
                                       "--format", "json", "--all").out)
        self.assertEqual(empty, {"registrants": [], "total_records": 0})

    def test_failed_listing_prints_no_list(self):
        """A listing that fails prints no empty list, header or closing
        bracket: a pipeline without pipefail must not read "no items"."""
        for fmt in ("json", "ndjson", "csv", "table"):
            for extra in (("--all",), ("--limit", "5"), ()):
                with self.subTest(fmt=fmt, extra=extra):
                    p = self.cli.run("registrants", "list", "--meeting-id", "123456789",
                                     "--format", fmt, *extra)
                    self.assertNotEqual(p.returncode, 0, p.out)
                    self.assertEqual(p.out, "", p.err)
                    self.assertIn("zoomflow:", p.err)
        # a failure on the second page: the first page's items stay, the
        # JSON document is left open (not a complete list), csv has its rows
        self.sim.request("POST", "/_sim/faults", body={
            "kind": "status", "status": 400, "code": 300, "route": "registrants.list",
            "skip": 1, "count": 1})
        try:
            p = self.cli.run("registrants", "list", "--meeting-id", self.mid, "--all",
                             "--page-size", "1", "--format", "json")
        finally:
            self.sim.request("DELETE", "/_sim/faults")
        self.assertNotEqual(p.returncode, 0, p.out)
        self.assertIn("plain@example.com", p.out)
        with self.assertRaises(ValueError):
            json.loads(p.out)

    # --- --format

    def test_bad_format_lists_formats(self):
        p = self.cli.run("users", "list", "--format", "yaml")
        self.assertEqual(p.returncode, 2, p.err)
        for f in ("json", "ndjson", "table", "csv"):
            self.assertIn(f, p.err)
        p = self.cli.run("users", "list", "--format", "jsn")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("did you mean --format json", p.err)
        p = self.cli.run("users", "list", "--format", "tabel")
        self.assertIn("did you mean --format table", p.err)


if __name__ == "__main__":
    unittest.main()
