#!/usr/bin/python3
"""Compare two benchmark results: a table of old, new, new/old and the noise of each benchmark.

Reads, in any combination:
  - Google Benchmark JSON (--benchmark_out=FILE --benchmark_out_format=json), with or without
    --benchmark_repetitions, with or without --benchmark_report_aggregates_only;
  - the end-to-end JSON of bench/e2e.py run (geosim-e2e-bench/1) and its scaling JSON
    (geosim-scaling-bench/1).

For each benchmark present in both files it prints the central value of each side (the median of
the repetitions; the single value when there is one; the reported median aggregate when only
aggregates were kept), the ratio new/old (below 1 is faster for times, slower for rates), and the
noise of each side: the relative standard deviation (sd / mean) and the relative min-max spread
((max - min) / median) of its repetitions. With one repetition the noise is unknown and said so.

A change is flagged when it is larger than the noise: '*' when |ratio - 1| exceeds the larger
relative spread of the two sides and the two sides' [min, max] ranges do not overlap; '?' when a
side has a single repetition (no noise known, so no verdict). Noise on a shared machine is large:
use --benchmark_repetitions=5 or more (e2e.py --reps 5) before believing a flag.

Metric: for Google Benchmark, cpu_time, except real_time for benchmarks measured in real time
(name ending in /real_time); --metric real_time, cpu_time or a counter name (e.g. time/decision,
decisions/s) overrides. For e2e files the metric is wall_seconds (for scaling files
e2e_seconds_per_run: wall time less the one-run invocation, per run); --metric runs_per_second,
decisions_per_second or ns_per_decision are recomputed per repetition from it, and peak_rss_kb (or
any other per-repetition list or scalar field of a row) can be named too.

Exit code 0 whatever the result; 2 on input that is not a readable benchmark result. A benchmark
whose label (parts_bench: the scenario with its actors and actions) differs between the files is
noted: the two sides did not run the same workload.

  /usr/bin/python3 bench/compare.py bench/results/parts_OLD.json bench/results/parts_NEW.json
  /usr/bin/python3 bench/compare.py --filter SimulateRun old.json new.json
"""

import argparse
import json
import math
import os
import re
import statistics
import sys

UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


class Series:
    """The values of one benchmark on one side, in one unit."""

    def __init__(self, values, unit, median=None, sd=None):
        self.runs = None  # e2e rows: the run count behind each value
        self.values = values  # repetitions (may be empty when only aggregates were kept)
        self.unit = unit
        self._median, self._sd = median, sd

    @property
    def n(self):
        return len(self.values)

    def center(self):
        if self.values:
            return statistics.median(self.values)
        return self._median

    def rel_sd(self):
        if len(self.values) >= 2:
            m = statistics.mean(self.values)
            return statistics.stdev(self.values) / m if m else None
        if self._sd is not None and self._median:
            return self._sd / self._median
        return None

    def rel_spread(self):
        if len(self.values) >= 2 and self.center():
            return (max(self.values) - min(self.values)) / self.center()
        return None

    def range(self):
        return (min(self.values), max(self.values)) if len(self.values) >= 2 else None


def die(message):
    sys.stderr.write(f"compare.py: {message}\n")
    sys.exit(2)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:  # ValueError: not JSON, or not UTF-8 text
        die(f"cannot read {path}: {e}")
    if not isinstance(doc, dict):
        die(f"{path} is not a benchmark result (a JSON object with 'benchmarks', or bench/e2e.py's output)")
    return doc


def gbench_series(doc, metric):
    """name -> Series, from a Google Benchmark JSON document."""
    reps, aggs, units = {}, {}, {}
    for b in doc.get("benchmarks", []):
        name = b.get("run_name", b.get("name"))
        m = metric or ("real_time" if name.endswith("/real_time") else "cpu_time")
        if m in ("real_time", "cpu_time"):
            value = b.get(m)
            unit = b.get("time_unit", "ns")
        else:
            value = b.get(m)
            unit = m
        if value is None:
            continue
        # Counters made with kInvert (time/decision, ...) are in seconds.
        units[name] = unit if m in ("real_time", "cpu_time") else ("s" if m.startswith("time/") else "")
        if b.get("run_type") == "aggregate":
            aggs.setdefault(name, {})[b.get("aggregate_name")] = value
        else:
            # Times are compared in one unit per benchmark (a file's unit may differ).
            if m in ("real_time", "cpu_time"):
                value = value * UNIT_SECONDS.get(unit, 1.0)
            elif units[name] == "s":
                unit = "s"
            reps.setdefault(name, []).append(value)
    out = {}
    for name in dict.fromkeys(list(reps) + list(aggs)):  # in the file's order
        scale = UNIT_SECONDS.get(units[name], 1.0)
        if name in reps:
            out[name] = Series(reps[name], "s" if units[name] else "")
        else:
            a = aggs[name]
            med = a.get("median", a.get("mean"))
            sd = a.get("stddev")
            out[name] = Series([], "s" if units[name] else "",
                               median=med * scale if med is not None else None,
                               sd=sd * scale if sd is not None else None)
    return out


# Figures of an e2e row that are functions of its wall time: recomputed per repetition, so that
# their noise is known.
E2E_DERIVED = {
    "runs_per_second": lambda r, w: r["runs"] / w,
    "decisions_per_second": lambda r, w: r["decisions"] / w,
    "ns_per_decision": lambda r, w: w * 1e9 / r["decisions"],
    # Scaling points: wall time less the one-run invocation, per run (see e2e.py curve).
    "e2e_seconds_per_run": lambda r, w: max(0.0, w - r.get("one_run_wall_seconds", 0.0)) / max(1, r["runs"] - 1),
}


def e2e_series(doc, metric):
    rows = doc.get("benchmarks") or doc.get("points") or []
    out = {}
    scaling = str(doc.get("format", "")).startswith("geosim-scaling-bench")
    m = metric or ("e2e_seconds_per_run" if scaling else "wall_seconds")
    for r in rows:
        if m in E2E_DERIVED and isinstance(r.get("wall_seconds"), list):
            v = [E2E_DERIVED[m](r, w) for w in r["wall_seconds"] if w > 0]
        else:
            v = r.get(m)
        if v is None:
            continue
        unit = "s" if m in ("wall_seconds", "e2e_seconds_per_run") else ""
        out[r["name"]] = Series(v if isinstance(v, list) else [v], unit)
        out[r["name"]].runs = r.get("runs")
    return out


def series_of(doc, metric, path):
    kind = str(doc.get("format", ""))
    rows = doc.get("points") if kind.startswith("geosim-scaling-bench") else doc.get("benchmarks")
    if (kind and not kind.startswith(("geosim-e2e-bench", "geosim-scaling-bench"))) or not isinstance(rows, list):
        die(f"{path} is not a Google Benchmark or bench/e2e.py run/curve result"
            + (f" (its format is {kind})" if kind else ""))
    if not all(isinstance(r, dict) and isinstance(r.get("run_name", r.get("name")), str) for r in rows):
        die(f"{path}: every benchmark must be a JSON object with a name")
    try:
        return e2e_series(doc, metric) if kind else gbench_series(doc, metric)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:
        die(f"{path}: a benchmark lacks a field or has one of the wrong type ({type(e).__name__}: {e})")


def labels_of(doc):
    """name -> the label Google Benchmark printed beside it (parts_bench: scenario, actors, actions)."""
    out = {}
    for b in doc.get("benchmarks") or []:
        if isinstance(b, dict) and isinstance(b.get("label"), str):
            out.setdefault(b.get("run_name", b.get("name")), b["label"])
    return out


def fmt_value(x, unit):
    if x is None:
        return "-"
    if unit == "s":
        for u, f in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
            if abs(x) >= f or u == "ns":
                return f"{x / f:.4g} {u}"
    return f"{x:.4g}"


def fmt_noise(s):
    sd, spread = s.rel_sd(), s.rel_spread()
    if sd is None and spread is None:
        return "unknown (1 rep)" if s.n <= 1 else "-"
    parts = []
    if sd is not None:
        parts.append(f"sd {100 * sd:.1f}%")
    if spread is not None:
        parts.append(f"range {100 * spread:.1f}%")
    return ", ".join(parts) + f" (n={s.n})" if s.n else ", ".join(parts) + " (aggregate)"


def verdict(old, new, ratio):
    if ratio is None:
        return ""
    if old.n <= 1 or new.n <= 1:
        if old.rel_sd() is not None and new.rel_sd() is not None:  # aggregates only
            noise = 2 * max(old.rel_sd(), new.rel_sd())
            return "*" if abs(ratio - 1) > noise else ""
        return "?"
    noise = max(old.rel_spread() or 0, new.rel_spread() or 0)
    ro, rn = old.range(), new.range()
    overlap = ro and rn and not (rn[1] < ro[0] or rn[0] > ro[1])
    return "*" if abs(ratio - 1) > noise and not overlap else ""


def context_line(doc):
    c = doc.get("context")
    c = c if isinstance(c, dict) else {}
    rev = c.get("geosim_git_revision") or c.get("git_revision") or "?"
    date = c.get("date", "?")
    load = c.get("load_avg") or c.get("load_average_before") or "?"
    return f"git {rev}, {date}, load average {load}"


def direction(metric):
    """How to read new/old for this metric."""
    if metric.endswith("/s") or metric in ("runs_per_second", "decisions_per_second"):
        return "ratio new/old above 1: the new one does more per second (faster)."
    if metric.startswith(("cpu_time", "real_time", "time/")) or metric in (
            "wall_seconds", "e2e_seconds_per_run", "ns_per_decision"):
        return "ratio new/old below 1: the new one takes less time (faster)."
    return f"ratio new/old: the new {metric} over the old."


# Context fields that, when they differ, make the two sides different builds or machines.
CONTEXT_KEYS = (("machine", "machine"), ("host_name", "host"), ("num_cpus", "CPUs"),
                ("compiler", "compiler"), ("geosim_cxx_flags", "flags"), ("engine_cxx_flags", "flags"),
                ("geosim_build_type", "build type"), ("build_type", "build type"),
                ("library_build_type", "Google Benchmark build"))


def same_setting(key, a, b):
    if key.endswith("cxx_flags") and isinstance(a, str) and isinstance(b, str):
        # Warnings do not change the code, and -fno-fast-math is the default: results written
        # before the benchmarks recorded every flag listed fewer.
        def code(flags):
            return {f for f in flags.split() if not f.startswith("-W") and f != "-fno-fast-math"}
        return code(a) == code(b)
    return a == b


def context_differences(old_doc, new_doc):
    co, cn = old_doc.get("context") or {}, new_doc.get("context") or {}
    if not (isinstance(co, dict) and isinstance(cn, dict)):
        return []
    return [f"{what}: old {co[key]!r}, new {cn[key]!r}" for key, what in CONTEXT_KEYS
            if key in co and key in cn and not same_setting(key, co[key], cn[key])]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", help="the reference result (JSON)")
    ap.add_argument("new", help="the result to judge (JSON)")
    ap.add_argument("--metric", help="real_time, cpu_time, or a counter / field name")
    ap.add_argument("--filter", help="only benchmarks whose name matches this regular expression")
    args = ap.parse_args(argv)
    try:
        pattern = re.compile(args.filter) if args.filter else None
    except re.error as e:
        ap.error(f"--filter {args.filter!r} is not a regular expression: {e}")

    old_doc, new_doc = load(args.old), load(args.new)
    old, new = series_of(old_doc, args.metric, args.old), series_of(new_doc, args.metric, args.new)
    names = [n for n in old if n in new and (not pattern or pattern.search(n))]
    # Keep the new file's order.
    order = {n: i for i, n in enumerate(new)}
    names.sort(key=lambda n: order[n])
    print(f"old: {args.old} ({context_line(old_doc)})")
    print(f"new: {args.new} ({context_line(new_doc)})")
    is_gbench = not str(new_doc.get("format", "")).startswith("geosim")
    scaling = str(new_doc.get("format", "")).startswith("geosim-scaling-bench")
    default_metric = ("cpu_time (real_time for /real_time benchmarks)" if is_gbench
                      else "e2e_seconds_per_run" if scaling else "wall_seconds")
    for d in context_differences(old_doc, new_doc):
        print(f"note: the two ran on different set-ups, {d}")
    print(f"metric: {args.metric or default_metric}")
    print()
    rows = [("benchmark", "old", "new", "new/old", "", "noise old", "noise new")]
    flagged = unknown = 0
    for n in names:
        o, w = old[n], new[n]
        co, cn = o.center(), w.center()
        ratio = cn / co if co and cn is not None and not math.isnan(co) else None
        v = verdict(o, w, ratio)
        flagged += v == "*"
        unknown += v == "?"
        rows.append((n, fmt_value(co, o.unit), fmt_value(cn, w.unit),
                     f"{ratio:.3f}" if ratio is not None else "-", v, fmt_noise(o), fmt_noise(w)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(widths[j]) if j in (0, 4, 5, 6) else c.rjust(widths[j]) for j, c in enumerate(r)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    differ = [n for n in names if getattr(old[n], "runs", None) != getattr(new[n], "runs", None)]
    if differ and (args.metric or default_metric) == "wall_seconds":
        print(f"note: the run counts differ for {', '.join(differ)}: compare a rate instead "
              "(--metric runs_per_second or ns_per_decision)")
    old_labels, new_labels = labels_of(old_doc), labels_of(new_doc)
    for n in names:
        lo, ln = old_labels.get(n), new_labels.get(n)
        if lo is not None and ln is not None and lo != ln:
            print(f"note: {n} ran on something else: old '{lo}', new '{ln}' (the scenario changed?)")
    only_old = sorted(set(old) - set(new))
    only_new = sorted(set(new) - set(old))
    print()
    print(f"{len(names)} benchmarks compared; {flagged} changed by more than the noise (*)"
          + (f"; {unknown} with a single repetition on a side, noise unknown (?)" if unknown else ""))
    if only_old:
        print(f"only in old: {', '.join(only_old)}")
    if only_new:
        print(f"only in new: {', '.join(only_new)}")
    print(direction(args.metric or default_metric))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # `compare.py a b | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
