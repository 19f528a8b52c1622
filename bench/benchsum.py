"""Headline figures of the bench scripts, machine-readable (issue 13).

Each bench/*-bench script calls emit() for its headline figures. When the
environment names a file in ZF_BENCH_SUMMARY (bench/run sets it), every call
appends one JSON line to it; bench/run then builds the summary table of
bench/README.md from those lines, so the table holds what actually ran.
Without ZF_BENCH_SUMMARY emit() does nothing: the scripts run alone as before.

One line: {"script", "date", "nproc", "cpu", "load", "figure", "value",
"peer", "ratio", "aim", "quick"}; value/peer/ratio are display strings,
aim is "met", "missed" or "n/a".
"""
import datetime
import json
import os

_CPU = None


def cpu_model():
    global _CPU
    if _CPU is None:
        _CPU = "unknown CPU"
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        _CPU = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
    return _CPU


def load():
    """The 1-minute load average now (take it when a figure starts)."""
    return os.getloadavg()[0]


def aim(ok):
    """met / missed from a bool, n/a from None."""
    return "n/a" if ok is None else ("met" if ok else "missed")


def emit(script, figure, value, peer="", ratio="", aim="n/a", load_at=None, quick=False):
    path = os.environ.get("ZF_BENCH_SUMMARY")
    if not path:
        return
    rec = {"script": script,
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "nproc": os.cpu_count(), "cpu": cpu_model(),
           "load": round(load() if load_at is None else load_at, 2),
           "figure": figure, "value": value, "peer": peer, "ratio": ratio, "aim": aim,
           "quick": bool(quick)}
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")
