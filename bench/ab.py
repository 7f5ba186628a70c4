#!/usr/bin/python3
"""A/B: is build B faster than build A? Both run at the same time, on the same core.

This project's machine is a shared 2-core guest whose speed moves by up to 1.5x within minutes, and
whose two cores are not always equally fast. Measuring A, then B, compares the moments more than
the builds. Here each round starts one Google Benchmark of A and the same benchmark of B together,
both pinned to one core (cpu 0 in odd rounds, cpu 1 in even ones), and compares their CPU times:
the two processes share the core's time slices, its caches and whatever the host does meanwhile.

For each round it prints both CPU times and B/A; at the end the geometric mean of B/A, its min and
max, and a verdict. Run --aa first to see the noise of the method itself (A against A).

Caveat: when one side is faster it finishes first and the other runs alone for a moment, which
nudges the slower side's time down: a measured difference is, if anything, an underestimate.

  /usr/bin/python3 bench/ab.py --before HEAD                       # my uncommitted change: is it faster?
  /usr/bin/python3 bench/ab.py --before HEAD~3 build              # the last three commits
  /usr/bin/python3 bench/ab.py build-before build                 # two builds already made
  /usr/bin/python3 bench/ab.py --aa build                         # the method's own noise
  /usr/bin/python3 bench/ab.py --program parts_bench --filter '^BM_Tick/dprk_russia_2024$' a b

A and B are CMake build folders (their bench/<program>) or the benchmark programs themselves.
With --before REV, A is revision REV, checked out with `git worktree` into build-ab-<commit>/src
and built (Release, no tests) into build-ab-<commit>/build, kept for the next time; B is the
build folder given (default build), brought up to date with the working tree first. Each side
runs its own checkout's scenarios. Remove an old A with `rm -r build-ab-<commit> && git worktree
prune`.
Exit code 0 whatever the result; 2 when a program cannot be built or run.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PROGRAM = "loop_bench"
DEFAULT_FILTER = "^BM_MonteCarloOneThread/1/0$"  # the baseline, 4,096 runs, reduction included


def die(message):
    sys.stderr.write(f"ab.py: {message}\n")
    sys.exit(2)


def program_path(where, program):
    if os.path.isfile(where) and os.access(where, os.X_OK):
        return where
    path = os.path.join(where, "bench", program)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        die(f"no benchmark program at {path} (build with -DGEOSIM_BUILD_BENCHMARKS=ON)")
    return path


def run_or_exit(cmd, what):
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        die(f"{what} failed: {' '.join(cmd)}\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
    return r.stdout


def build_program(build, program):
    print(f"ab.py: building {program} in {build}", flush=True)
    run_or_exit(["cmake", "--build", build, "-j2", "--target", program], f"building {program}")


def build_revision(rev, program):
    """Revision rev checked out in a worktree and built Release; returns its build folder."""
    sha = run_or_exit(["git", "rev-parse", "--verify", "--short=10", f"{rev}^{{commit}}"],
                      f"finding revision {rev}").strip()
    home = os.path.join(ROOT, f"build-ab-{sha}")
    src, build = os.path.join(home, "src"), os.path.join(home, "build")
    if not os.path.isdir(src):
        run_or_exit(["git", "worktree", "prune"], "git worktree prune")
        run_or_exit(["git", "worktree", "add", "--detach", src, sha], f"checking out {rev}")
    if not os.path.isfile(os.path.join(build, "CMakeCache.txt")):
        print(f"ab.py: configuring {rev} ({sha}) in {build}", flush=True)
        run_or_exit(["cmake", "-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                     "-DGEOSIM_BUILD_TESTS=OFF", "-DGEOSIM_BUILD_BENCHMARKS=ON"], f"configuring {rev}")
    build_program(build, program)
    return build


def the_benchmark(path, flt):
    """The one benchmark of program `path` that `flt` selects; exits when there is none, several,
    or one measured in real time (ab.py compares CPU times on one core)."""
    r = subprocess.run([path, f"--benchmark_filter={flt}", "--benchmark_list_tests=true"],
                       capture_output=True, text=True)
    names = [line.strip() for line in r.stdout.splitlines() if line.strip()]
    if r.returncode != 0 or not names:
        die(f"no benchmark of {path} matches --filter {flt!r} ({path} --benchmark_list_tests lists them)"
            + (f"\n{r.stderr.strip()}" if r.stderr.strip() else ""))
    if len(names) > 1:
        die(f"--filter {flt!r} matches {len(names)} benchmarks of {path}; give a filter that matches "
            f"one, e.g. '^{names[0]}$':\n  " + "\n  ".join(names))
    threads = re.search(r"/threads:(\d+)", names[0])
    if threads and int(threads.group(1)) > 1:
        die(f"{names[0]} runs {threads.group(1)} threads; ab.py pins both builds to one core and "
            "compares CPU times, of which only the main thread's would count. Pick a one-thread "
            "benchmark")
    return names[0]


def start(path, cpu, flt, min_time, out):
    cmd = ["taskset", "-c", str(cpu), path, f"--benchmark_filter={flt}",
           f"--benchmark_min_time={min_time}", f"--benchmark_out={out}",
           "--benchmark_out_format=json"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def cpu_time_ns(proc, err, out, path):
    """The finished benchmark's CPU time (ns), name and ns per decision (text; empty when the
    benchmark counts no decisions)."""
    if proc.returncode != 0:
        die(f"{path} failed (exit code {proc.returncode}):\n{err}")
    try:
        with open(out, encoding="utf-8") as f:
            rows = [b for b in json.load(f)["benchmarks"] if b.get("run_type", "iteration") == "iteration"]
    except (OSError, ValueError, KeyError) as e:
        die(f"{path} wrote no readable Google Benchmark JSON to {out}: {e}")
    if not rows:
        die(f"{path} ran no benchmark matching the filter")
    unit = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[rows[0].get("time_unit", "ns")]
    row = rows[0]
    # decisions/s is a rate over CPU time, or over real time for a benchmark timed in real time
    # (whose real time here includes the other side's share of the core): CPU ns per decision.
    rate = row.get("decisions/s")
    basis = row["real_time"] if row["name"].endswith("/real_time") else row["cpu_time"]
    per_decision = (f", {1e9 * row['cpu_time'] / (rate * basis):.1f} ns/decision"
                    if rate and basis else "")
    return row["cpu_time"] * unit, row["name"], per_decision


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", nargs="?", help="build folder (or benchmark program) A: before; with "
                    "--before, the build folder B (default build)")
    ap.add_argument("b", nargs="?", help="build folder (or benchmark program) B: after")
    ap.add_argument("--before", metavar="REV", help="A is this git revision, built in a worktree")
    ap.add_argument("--aa", action="store_true", help="A against itself: the method's noise")
    ap.add_argument("--program", default=DEFAULT_PROGRAM, help=f"benchmark program (default {DEFAULT_PROGRAM})")
    ap.add_argument("--filter", default=DEFAULT_FILTER, help=f"one benchmark (default {DEFAULT_FILTER})")
    ap.add_argument("--rounds", type=int, default=6, help="rounds (default 6)")
    ap.add_argument("--min-time", type=float, default=2.0, help="seconds per side per round (default 2)")
    ap.add_argument("--noise", type=float, default=0.01,
                    help="differences below this are called noise (default 0.01: A/A rounds here "
                         "stay within 1%%)")
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    if not args.min_time > 0:
        ap.error("--min-time must be above 0 seconds")
    if not args.noise >= 0:
        ap.error("--noise must be 0 or more")
    if args.before:
        if args.aa or args.b is not None:
            ap.error("--before REV takes at most one build folder (B)")
        after = os.path.abspath(args.a) if args.a else os.path.join(ROOT, "build")
        if not os.path.isfile(os.path.join(after, "CMakeCache.txt")) and not os.path.isfile(after):
            ap.error(f"no CMake build folder {after} (configure one with -DCMAKE_BUILD_TYPE=Release)")
        build_a = build_revision(args.before, args.program)
        # Each side runs its own checkout's scenarios: when they differ, so does the work timed.
        changed = subprocess.run(["git", "diff", "--name-only", f"{args.before}^{{commit}}", "--",
                                  "scenarios", "bench/scenarios"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.split()
        if changed:
            print(f"ab.py: note: {len(changed)} scenario file(s) differ between {args.before} and the "
                  f"working tree ({', '.join(changed[:3])}{', ...' if len(changed) > 3 else ''}): A and B "
                  "simulate different runs, so B/A mixes the scenario's change with the code's; "
                  "ns/decision is the fairer figure", flush=True)
        if os.path.isdir(after):
            build_program(after, args.program)
        path_a = program_path(build_a, args.program)
        path_b = program_path(after, args.program)
    else:
        if args.a is None or args.aa == (args.b is not None):
            ap.error("give A and B, --aa and A, or --before REV")
        path_a = program_path(args.a, args.program)
        path_b = path_a if args.aa else program_path(args.b, args.program)
    name_a = the_benchmark(path_a, args.filter)
    if not args.aa and the_benchmark(path_b, args.filter) != name_a:
        die(f"--filter {args.filter!r} picks {name_a} in A but {the_benchmark(path_b, args.filter)} in B")
    cpus = sorted(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    if load > len(cpus) - 0.5:
        # A/A rounds stay within 1% on a quiet machine here; at load 4-5 on 2 cores one was 3.6% off.
        print(f"ab.py: note: load average {load:.1f} on {len(cpus)} cores: other work shares the cores, "
              "so single rounds can differ by more than --noise; more rounds (--rounds 12) help", flush=True)
    ratios = []
    running = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out_a, out_b = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.json")
            for r in range(args.rounds):
                cpu = cpus[r % len(cpus)]
                pa = start(path_a, cpu, args.filter, args.min_time, out_a)
                pb = start(path_b, cpu, args.filter, args.min_time, out_b)
                running = [pa, pb]
                _, err_a = pa.communicate()  # both finish before either is judged
                _, err_b = pb.communicate()
                running = []
                ta, name, da = cpu_time_ns(pa, err_a, out_a, path_a)
                tb, _, db = cpu_time_ns(pb, err_b, out_b, path_b)
                ratios.append(tb / ta)
                print(f"round {r + 1} cpu {cpu}: A {ta:,.0f} ns{da}  B {tb:,.0f} ns{db}  B/A {tb / ta:.3f}"
                      f"  ({name})", flush=True)
    except KeyboardInterrupt:
        for p in running:  # a signal sent to ab.py alone leaves its benchmarks running otherwise
            p.kill()
            p.wait()
        sys.stderr.write(f"ab.py: interrupted after {len(ratios)} of {args.rounds} rounds\n")
        return 130
    g = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
    lo, hi = min(ratios), max(ratios)
    if args.aa:
        spread = 100 * max(abs(lo - 1.0), abs(hi - 1.0))
        print(f"A against itself: B/A geometric mean {g:.3f}, min {lo:.3f}, max {hi:.3f} over "
              f"{len(ratios)} rounds: the method's noise here is about {spread:.1f}% (--noise is "
              f"{100 * args.noise:.0f}%)")
        return 0
    if lo > 1.0 and g - 1.0 >= args.noise:
        verdict = f"B slower in every round, by {100 * (g - 1):.1f}% (geometric mean)"
    elif hi < 1.0 and 1.0 - g >= args.noise:
        verdict = f"B faster in every round, by {100 * (1 - g):.1f}% (geometric mean)"
    else:
        verdict = (f"no difference beyond the method's noise ({100 * args.noise:.0f}%) that every "
                   "round agrees on")
    print(f"B/A geometric mean {g:.3f}, min {lo:.3f}, max {hi:.3f} over {len(ratios)} rounds: {verdict}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # `ab.py ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:  # while building: what was built stays for the next time
        sys.stderr.write("ab.py: interrupted (a build-ab-<commit> folder it was making is kept and "
                         "completed next time)\n")
        sys.exit(130)
