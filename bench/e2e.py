#!/usr/bin/python3
"""End-to-end benchmarks of `geosim run` (issue 8), written as JSON with the context to judge them.

  e2e.py run     the baseline and bench/scenarios/scaled_24x20.yaml, each on 1 and 2 threads,
                 repeated: wall time, runs/s, actor-decisions/s, ns per decision, ticks per run,
                 peak RSS, the 2-thread speed-up; and peak RSS at 10^4 and 10^5 runs.
                 -> bench/results/e2e_<date>.json
  e2e.py curve   the cost over actors x actions (6, 12, 24 x 5, 10, 20, synthetic scenarios from
                 make_scaled_scenario.py), end to end on one thread and, when parts_bench is
                 built, simulate_run alone. -> bench/results/scaling_<date>.json and its
                 figure beside it (--plot docs/img/scaling_curve.png for the docs' figure)
  e2e.py rss     peak RSS of the baseline over run counts (default 10^4 and 10^7, 2 threads),
                 and each count's RSS against the smallest's. -> bench/results/rss_<date>.json
  e2e.py plot FILE   redraw the plot of a scaling JSON.

A default output never overwrites a result: when <kind>_<date>.json exists, the first free name
of <kind>_<date>b.json, c, ... is taken (bench/results is committed, and the docs cite its files).

Times are wall-clock times of the whole program (loading and compiling the scenario included),
from /usr/bin/time, with the peak resident set size. Each measurement is repeated (--reps) and the
median is reported with every repetition kept, so bench/compare.py can state the noise.

ns per decision = wall time / actor_decisions (from `geosim run --json`). ticks per run =
actor_decisions / (runs x actors): exact for these scenarios, where every actor always has an open
status-quo action, so every actor decides at every tick of a run.

Build Release first:
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DGEOSIM_BUILD_BENCHMARKS=ON
  cmake --build build-bench -j2
  /usr/bin/python3 bench/e2e.py run --build build-bench
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINE = "scenarios/dprk_russia_2024/baseline.yaml"
SCALED = "bench/scenarios/scaled_24x20.yaml"


def sh(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)


def first_line(cmd):
    try:
        r = sh(cmd)
        return r.stdout.strip().splitlines()[0] if r.returncode == 0 and r.stdout.strip() else ""
    except OSError:
        return ""


def cmake_cache(build, key):
    try:
        with open(os.path.join(ROOT, build, "CMakeCache.txt"), encoding="utf-8") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return ""


def engine_flags(build):
    """The flags the engine was compiled with, as CMake wrote them."""
    path = os.path.join(ROOT, build, "engine/CMakeFiles/geosim_engine.dir/flags.make")
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("CXX_FLAGS"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return ""


def context(build):
    model = ""
    for line in sh(["lscpu"]).stdout.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    os_name = ""
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    mem_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    compiler = cmake_cache(build, "CMAKE_CXX_COMPILER") or "c++"
    dirty = [l[3:] for l in sh(["git", "status", "--porcelain", "--", "engine", "include"]).stdout.splitlines()]
    revision = first_line(["git", "rev-parse", "--short", "HEAD"])
    if revision and sh(["git", "status", "--porcelain", "--untracked-files=no"]).stdout.strip():
        revision += "-dirty"  # as bench/revision.cmake writes it
    # The revision the build last compiled the benchmarks at (bench/revision.cmake), when it has them.
    built = ""
    try:
        with open(os.path.join(build, "bench", "generated", "geosim_revision.h"), encoding="utf-8") as f:
            m = re.search(r'GEOSIM_GIT_REVISION "([^"]*)"', f.read())
            built = m.group(1) if m else ""
    except OSError:
        pass
    if built and built != revision:
        sys.stderr.write(f"e2e.py: warning: {shown(build)} was last built at {built}, the checkout is at "
                         f"{revision}: rebuild (cmake --build {shown(build)} -j2) before quoting these numbers\n")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {model}",
        "cpu_model": model,
        "cores": os.cpu_count(),
        "memory_kb": mem_kb,
        "os": os_name,
        "compiler": first_line([compiler, "--version"]),
        "build_type": cmake_cache(build, "CMAKE_BUILD_TYPE"),
        "engine_cxx_flags": engine_flags(build),
        "git_revision": revision,  # the checkout's when the script ran
        "build_git_revision": built,  # the build's at its last build ("" when unknown)
        "engine_files_modified": dirty,  # uncommitted changes under engine/ and include/
        "load_average_before": open("/proc/loadavg", encoding="utf-8").read().split()[:3],
        "note": "wall-clock times of the whole program; medians over repetitions",
    }


def geosim_run(geosim, scenario, runs, threads, seed=3):
    """One `geosim run`: wall seconds, peak RSS (KB) and the summary JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        out, log = os.path.join(tmp, "summary.json"), os.path.join(tmp, "time")
        cmd = ["/usr/bin/time", "-f", "%e %M", "-o", log, geosim, "run", scenario, "--runs",
               str(runs), "--seed", str(seed), "--threads", str(threads), "--json", out, "-q"]
        r = sh(cmd)
        if r.returncode != 0:
            sys.exit(f"e2e.py: {' '.join(cmd)} failed:\n{r.stderr}")
        with open(log, encoding="utf-8") as f:
            seconds, kb = f.read().split()[-2:]
        with open(out, encoding="utf-8") as f:
            summary = json.load(f)
    return float(seconds), int(kb), summary


def n_actors(summary):
    return sum(1 for i in summary["indicators"] if i["name"].startswith("escalation_score."))


def measure(geosim, scenario, runs, threads, reps, name):
    walls, rss = [], []
    for _ in range(reps):
        seconds, kb, summary = geosim_run(geosim, scenario, runs, threads)
        walls.append(seconds)
        rss.append(kb)
    wall = statistics.median(walls)
    decisions = summary["actor_decisions"]
    actors = n_actors(summary)
    row = {
        "name": name,
        "scenario": summary["scenario"],
        "file": scenario,
        "actors": actors,
        "runs": runs,
        "threads": threads,
        "repetitions": reps,
        "wall_seconds": walls,
        "wall_seconds_median": wall,
        "runs_per_second": runs / wall,
        "decisions": decisions,
        "decisions_per_second": decisions / wall,
        "ns_per_decision": wall * 1e9 / decisions,
        "ticks_per_run": decisions / runs / actors,
        "peak_rss_kb": rss,
        "peak_rss_kb_median": statistics.median(rss),
    }
    print(f"  {name}: {wall:.2f} s median of {walls}, {row['runs_per_second']:.0f} runs/s, "
          f"{row['ns_per_decision']:.0f} ns/decision, {row['ticks_per_run']:.1f} ticks/run, "
          f"{row['peak_rss_kb_median']} KB", flush=True)
    return row


def today():
    return datetime.date.today().strftime("%Y%m%d")


def shown(path):
    """A path as printed: relative to the checkout when inside it."""
    rel = os.path.relpath(path, ROOT)
    return path if rel.startswith("..") else rel


def output_path(args, kind):
    """--out, else <results>/<kind>_<date>.json, or when that exists <kind>_<date>X.json with X
    the letter after the last one taken that day (b, c, ...): the results in bench/results are
    committed, and a quick run must not overwrite the figures the docs quote."""
    if args.out:
        return args.out
    suffixes = [""] + [chr(c) for c in range(ord("b"), ord("z") + 1)]
    taken = [i for i, x in enumerate(suffixes)
             if os.path.exists(os.path.join(args.results, f"{kind}_{today()}{x}.json"))]
    nxt = taken[-1] + 1 if taken else 0
    if nxt >= len(suffixes):
        die(f"{kind}_{today()}z.json exists in {shown(args.results)}: give --out")
    return os.path.join(args.results, f"{kind}_{today()}{suffixes[nxt]}.json")


def write_json(path, doc):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    print(f"wrote {shown(path)}")


def die(message):
    sys.stderr.write(f"e2e.py: {message}\n")
    sys.exit(2)


def geosim_of(args):
    """<build>/tools/geosim, checked before anything runs."""
    geosim = os.path.join(args.build, "tools", "geosim")
    if not (os.path.isfile(geosim) and os.access(geosim, os.X_OK)):
        die(f"no geosim program at {shown(geosim)}: build first (cmake -S . -B build-bench "
            "-DCMAKE_BUILD_TYPE=Release -DGEOSIM_BUILD_BENCHMARKS=ON && cmake --build build-bench -j2) "
            "and give that folder as --build")
    build_type = cmake_cache(args.build, "CMAKE_BUILD_TYPE")
    if build_type and build_type != "Release":
        sys.stderr.write(f"e2e.py: warning: {shown(args.build)} is a {build_type} build; quote only "
                         "Release numbers\n")
    return geosim


def cmd_run(args):
    geosim = geosim_of(args)
    out = output_path(args, "e2e")
    doc = {"format": "geosim-e2e-bench/1", "context": context(args.build), "benchmarks": [],
           "thread_scaling": {}, "rss_by_runs": []}
    for scenario, runs in ((BASELINE, args.runs_baseline), (SCALED, args.runs_scaled)):
        stem = os.path.splitext(os.path.basename(scenario))[0]
        by_threads = {}
        for threads in (1, 2):
            row = measure(geosim, scenario, runs, threads, args.reps, f"e2e/{stem}/threads:{threads}")
            doc["benchmarks"].append(row)
            by_threads[threads] = row
        doc["thread_scaling"][stem] = (by_threads[1]["wall_seconds_median"]
                                       / by_threads[2]["wall_seconds_median"])
        print(f"  {stem}: 2 threads / 1 thread speed-up {doc['thread_scaling'][stem]:.2f}")
    for scenario in (BASELINE, SCALED):
        for runs in args.rss_runs:
            seconds, kb, summary = geosim_run(geosim, scenario, runs, 2)
            doc["rss_by_runs"].append({"scenario": summary["scenario"], "runs": runs, "threads": 2,
                                       "peak_rss_kb": kb, "wall_seconds": seconds})
            print(f"  RSS {summary['scenario']} {runs} runs, 2 threads: {kb} KB ({seconds} s)", flush=True)
    doc["context"]["load_average_after"] = open("/proc/loadavg", encoding="utf-8").read().split()[:3]
    write_json(out, doc)


def cmd_rss(args):
    geosim = geosim_of(args)
    if not os.path.isfile(args.scenario):
        die(f"no scenario file {shown(args.scenario)}")
    out = output_path(args, "rss")
    doc = {"format": "geosim-rss-bench/1", "context": context(args.build), "rss_by_runs": []}
    doc["context"]["note"] = "one `geosim run` per run count; wall-clock time of the whole program"
    for runs in sorted(args.runs):
        seconds, kb, summary = geosim_run(geosim, args.scenario, runs, args.threads)
        row = {"scenario": summary["scenario"], "file": shown(args.scenario), "runs": runs,
               "threads": args.threads, "peak_rss_kb": kb, "wall_seconds": seconds,
               "runs_per_second": runs / seconds if seconds > 0 else None}
        row["rss_over_smallest"] = kb / doc["rss_by_runs"][0]["peak_rss_kb"] if doc["rss_by_runs"] else 1.0
        doc["rss_by_runs"].append(row)
        print(f"  {summary['scenario']} {runs} runs, {args.threads} threads: {kb} KB, "
              f"{row['rss_over_smallest']:.3f}x the smallest count's ({seconds} s)", flush=True)
    doc["context"]["load_average_after"] = open("/proc/loadavg", encoding="utf-8").read().split()[:3]
    write_json(out, doc)


def parts_bench_times(parts, files, reps):
    """simulate_run alone per scenario: median CPU time per run (s) and ticks per run, from
    parts_bench --scenario=FILE ... (Google Benchmark JSON)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "parts.json")
        names = "|".join(re.escape(os.path.splitext(os.path.basename(f))[0]) for f in files)
        cmd = [parts, f"--benchmark_filter=^BM_SimulateRun/({names})$",
               f"--benchmark_repetitions={reps}", "--benchmark_min_time=0.2",
               f"--benchmark_out={out}", "--benchmark_out_format=json"] + [f"--scenario={f}" for f in files]
        r = sh(cmd)
        if r.returncode != 0:
            sys.exit(f"e2e.py: {' '.join(cmd)} failed:\n{r.stderr}")
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
    result = {}
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    for b in doc["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        stem = b["run_name"].split("/", 1)[1]
        e = result.setdefault(stem, {"cpu_seconds_per_run": [], "ticks_per_run": b.get("ticks/run")})
        e["cpu_seconds_per_run"].append(b["cpu_time"] * scale[b["time_unit"]])
    return result


def cmd_curve(args):
    geosim = geosim_of(args)
    parts = os.path.join(args.build, "bench", "parts_bench")
    out = output_path(args, "scaling")
    png = args.plot or os.path.splitext(out)[0] + ".png"
    doc = {"format": "geosim-scaling-bench/1", "context": context(args.build), "points": [],
           "method": ("end to end: `geosim run --threads 1` with runs = 600000 / (actors x actions), "
                      "median wall time over repetitions, less the median wall time of a one-run "
                      "invocation (start, loading, compiling, output), divided by runs - 1; simulate_run: "
                      "parts_bench BM_SimulateRun, median CPU time per run over repetitions. "
                      "'per actor-action-tick' divides the time per run by ticks x actors x actions: "
                      "flat means linear in actors x actions.")}
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for a in args.actors:
            for k in args.actions:
                path = os.path.join(tmp, f"scaled_{a}x{k}.yaml")
                r = sh(["/usr/bin/python3", "bench/make_scaled_scenario.py", "--actors", str(a),
                        "--actions", str(k), "-o", path])
                if r.returncode != 0:
                    sys.exit(r.stderr)
                files[(a, k)] = path
        sim = parts_bench_times(parts, list(files.values()), args.reps) if os.path.exists(parts) else {}
        for (a, k), path in files.items():
            runs = max(500, int(600000 / (a * k)))
            row = measure(geosim, path, runs, 1, args.reps, f"curve/{a}x{k}")
            # The program's fixed cost (start, load, compile, output), from one-run invocations,
            # is taken off so that the per-run figure is the Monte Carlo's alone.
            fixed = statistics.median(geosim_run(geosim, path, 1, 1)[0] for _ in range(args.reps))
            ticks = row["ticks_per_run"]
            point = {"actors": a, "actions_per_actor": k, "actions": a * k, **row}
            point["one_run_wall_seconds"] = fixed
            point["e2e_seconds_per_run"] = max(0.0, row["wall_seconds_median"] - fixed) / (runs - 1)
            point["e2e_ns_per_actor_action_tick"] = point["e2e_seconds_per_run"] * 1e9 / (ticks * a * k)
            s = sim.get(f"scaled_{a}x{k}")
            if s:
                t = statistics.median(s["cpu_seconds_per_run"])
                point["simulate_run_cpu_seconds"] = s["cpu_seconds_per_run"]
                point["simulate_run_seconds_per_run"] = t
                point["simulate_run_ticks_per_run"] = s["ticks_per_run"]
                point["simulate_run_ns_per_decision"] = t * 1e9 / (s["ticks_per_run"] * a)
                point["simulate_run_ns_per_actor_action_tick"] = t * 1e9 / (s["ticks_per_run"] * a * k)
            doc["points"].append(point)
    doc["context"]["load_average_after"] = open("/proc/loadavg", encoding="utf-8").read().split()[:3]
    write_json(out, doc)
    plot(doc, png)


def plot(doc, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    pts = sorted(doc["points"], key=lambda p: (p["actions"], p["actors"]))
    colours = {a: c for a, c in zip(sorted({p["actors"] for p in pts}), ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"])}
    has_sim = all("simulate_run_seconds_per_run" in p for p in pts)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.4))
    for p in pts:
        c = colours[p["actors"]]
        ax1.loglog(p["actions"], p["e2e_seconds_per_run"] * 1e6, "o", color=c)
        ax2.semilogx(p["actions"], p["e2e_ns_per_actor_action_tick"], "o", color=c)
        if has_sim:
            ax1.loglog(p["actions"], p["simulate_run_seconds_per_run"] * 1e6, "s", color=c, mfc="none")
            ax2.semilogx(p["actions"], p["simulate_run_ns_per_actor_action_tick"], "s", color=c, mfc="none")
        ax1.annotate(f"{p['actors']}x{p['actions_per_actor']}", (p["actions"], p["e2e_seconds_per_run"] * 1e6),
                     textcoords="offset points", fontsize=7,
                     xytext={6: (5, -10), 12: (5, 2)}.get(p["actors"], (-34, 4)))
    # Slope 1 through the smallest point: cost linear in actors x actions at equal ticks per run.
    xs = [p["actions"] for p in pts]
    x0, y0 = pts[0]["actions"], pts[0]["e2e_seconds_per_run"] * 1e6
    ax1.loglog([min(xs), max(xs)], [y0 * min(xs) / x0, y0 * max(xs) / x0], "k--", lw=0.8)
    handles = [plt.Line2D([], [], ls="", marker="o", color="grey", label="geosim run, all in, 1 thread")]
    if has_sim:
        handles.append(plt.Line2D([], [], ls="", marker="s", mfc="none", color="grey", label="simulate_run alone"))
    handles.append(plt.Line2D([], [], ls="--", color="k", lw=0.8, label="linear in actors x actions"))
    handles += [plt.Line2D([], [], ls="", marker="o", color=c, label=f"{a} actors") for a, c in colours.items()]
    ax1.legend(handles=handles, fontsize=7)
    for ax in (ax1, ax2):
        ax.set_xticks(sorted(set(xs)))
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("actors x actions per actor")
    ax1.set_ylabel("time per run (us)")
    ax1.set_title("Cost per run")
    ax2.set_ylim(bottom=0)
    ax2.set_ylabel("ns per (actor x action x tick)")
    ax2.set_title("Per actor x action x tick: flat = linear")
    ctx = doc["context"]
    fig.suptitle(f"geosim scaling over synthetic scenarios (git {ctx['git_revision']}, {ctx['machine']}, "
                 f"{ctx['date'][:10]}; shared machine, noisy)", fontsize=9)
    fig.tight_layout()
    os.makedirs(os.path.dirname(png) or ".", exist_ok=True)
    fig.savefig(png, dpi=110)
    print(f"wrote {shown(png)}")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="baseline and scaled_24x20, 1 and 2 threads, RSS")
    c = sub.add_parser("curve", help="the scaling curve over actors x actions")
    for p in (r, c):
        p.add_argument("--build", default="build", help="CMake build folder (default: build)")
        p.add_argument("--reps", type=int, default=3, help="repetitions of each measurement (default 3)")
    r.add_argument("--runs-baseline", type=int, default=20000, help="runs of the baseline (default 20000)")
    r.add_argument("--runs-scaled", type=int, default=2000, help="runs of scaled_24x20 (default 2000)")
    r.add_argument("--rss-runs", type=int, nargs="*", default=[10000, 100000],
                   help="run counts for the peak-RSS comparison (default 10000 100000)")
    c.add_argument("--actors", type=int, nargs="+", default=[6, 12, 24])
    c.add_argument("--actions", type=int, nargs="+", default=[5, 10, 20])
    c.add_argument("--plot", help="the figure to write (default: beside the JSON, .png; "
                   "docs/img/scaling_curve.png is the one docs show)")
    m = sub.add_parser("rss", help="peak RSS over run counts (issue 8: 10^7 runs within 10%% of 10^4)")
    m.add_argument("--build", default="build", help="CMake build folder (default: build)")
    m.add_argument("--scenario", default=os.path.join(ROOT, BASELINE), help=f"scenario file (default {BASELINE})")
    m.add_argument("--runs", type=int, nargs="+", default=[10000, 10000000],
                   help="run counts (default 10000 10000000; 10^7 takes about 3 minutes on 2 threads)")
    m.add_argument("--threads", type=int, default=2, help="threads (default 2)")
    for q in (r, c, m):
        q.add_argument("--out", help="output JSON (default: <results>/<kind>_<date>.json, with a "
                       "letter b, c, ... added when that file exists: it is never overwritten)")
        q.add_argument("--results", default=os.path.join(ROOT, "bench", "results"),
                       help="folder of the default output (default: bench/results)")
    p = sub.add_parser("plot", help="redraw the figure of a scaling JSON")
    p.add_argument("file")
    p.add_argument("--plot", default=os.path.join(ROOT, "docs", "img", "scaling_curve.png"),
                   help="the figure to write (default: docs/img/scaling_curve.png)")
    args = ap.parse_args(argv)
    # Paths given on the command line are the user's, relative to the current folder; the
    # scenarios the script picks itself are relative to the checkout (the programs run there).
    for key in ("build", "scenario", "out", "plot", "file", "results"):
        if getattr(args, key, None):
            setattr(args, key, os.path.abspath(getattr(args, key)))
    for key in ("reps", "runs_baseline", "runs_scaled", "threads"):
        if getattr(args, key, 1) < 1:
            ap.error(f"--{key.replace('_', '-')} must be at least 1")
    for key in ("rss_runs", "runs", "actors", "actions"):
        if any(n < 1 for n in getattr(args, key, None) or []):
            ap.error(f"--{key.replace('_', '-')} must be at least 1")
    if args.cmd == "run":
        cmd_run(args)
    elif args.cmd == "curve":
        cmd_curve(args)
    elif args.cmd == "rss":
        cmd_rss(args)
    else:
        try:
            with open(args.file, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            die(f"cannot read {shown(args.file)}: {e}")
        if not (isinstance(doc, dict) and str(doc.get("format", "")).startswith("geosim-scaling-bench")
                and doc.get("points")):
            die(f"{shown(args.file)} is not a scaling result of `e2e.py curve`")
        plot(doc, args.plot)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:  # the temporary folders are removed on the way out; nothing written
        sys.stderr.write("e2e.py: interrupted; no result written\n")
        sys.exit(130)
