#!/usr/bin/env bash
# The MPI path measured (issue 7): its overhead against the threaded path for the same work, and
# strong scaling from 1 to 2 ranks, for `geosim run` of the baseline and for a sweep of the shipped
# study. Every configuration runs once per round, REPEAT rounds; each time is the median over the
# rounds (all are kept in the JSON) and each ratio the median of the rounds' ratios. Every output
# is checked byte for byte against the one-process threaded program's.
#
#   bench/mpi_scaling.sh         needs an MPI build in build-mpi (GEOSIM_MPI_BUILD to change it):
#                                cmake -S . -B build-mpi -DGEOSIM_WITH_MPI=ON && cmake --build build-mpi -j2
#
# Environment: RUNS (default 100000 runs of the baseline), REPEAT (default 5 rounds), STUDY
# (default scenarios/dprk_russia_2024/study_beliefs.yaml). Writes
# bench/results/mpi_<date>.json. The threaded path is build-mpi/tools/geosim_serial (the same
# source built without MPI); the MPI path is build-mpi/tools/geosim under mpirun, ranks not bound
# to cores (--bind-to none) and one thread per rank.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${GEOSIM_MPI_BUILD:-build-mpi}
geosim=$build/tools/geosim
serial=$build/tools/geosim_serial
runs=${RUNS:-100000}
repeat=${REPEAT:-5}
scenario=scenarios/dprk_russia_2024/baseline.yaml
study=${STUDY:-scenarios/dprk_russia_2024/study_beliefs.yaml}
for f in "$geosim" "$serial"; do
  [ -x "$f" ] || { echo "mpi_scaling: no $f; build with -DGEOSIM_WITH_MPI=ON first" >&2; exit 1; }
done
mpirun=(mpirun --oversubscribe --bind-to none)
[ "$(id -u)" -eq 0 ] && mpirun+=(--allow-run-as-root)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
times=$work/times.txt
: > "$times"

# CPU seconds spent by every process on the machine so far (user, nice, system, irq, softirq).
busy_seconds() { awk '/^cpu / {printf "%.2f\n", ($2 + $3 + $4 + $7 + $8) / 100}' /proc/stat; }

# Waits (at most two minutes) until the machine has been idle for a second: this machine is
# shared, and a benchmark of someone else's halves the cores under ours.
wait_for_quiet() {
  for _ in $(seq 120); do
    local before after
    before=$(busy_seconds)
    sleep 1
    after=$(busy_seconds)
    if awk -v a="$after" -v b="$before" 'BEGIN {exit !(a - b < 0.1)}'; then return; fi
  done
  echo "mpi_scaling: the machine did not become idle; measuring anyway" >&2
}

# once NAME REFERENCE_FILE OUTPUT_FILE COMMAND...: runs COMMAND (OUTPUT_FILE, and a sweep store
# next to it, removed first) and records its wall and CPU times and whether its output equals the
# reference. A measurement during which other processes used more than 3% of the cores' time (and
# over 0.1 s) is taken again, up to 4 times; the CPU time of others is recorded with it.
once() {
  local name=$1 reference=$2 output=$3
  shift 3
  local same wall user sys before after foreign
  for _ in 1 2 3 4; do
    wait_for_quiet
    rm -rf "$output" "$(dirname "$output")"/study.sqlite*
    before=$(busy_seconds)
    /usr/bin/time -f '%e %U %S' -o "$work/t" "$@" > /dev/null 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
    after=$(busy_seconds)
    read -r wall user sys < "$work/t"
    foreign=$(awk -v a="$after" -v b="$before" -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", a - b - u - s}')
    if awk -v f="$foreign" -v w="$wall" -v n="$(nproc)" 'BEGIN {exit !(f <= 0.03 * w * n || f <= 0.1)}'; then break; fi
    echo "mpi_scaling: $name: $foreign s of CPU taken by other processes; again" >&2
  done
  same=true
  if [ -n "$reference" ] && ! cmp -s "$reference" "$output"; then same=false; fi
  echo "$name $same $wall $user $sys $foreign" >> "$times"
  echo "mpi_scaling: $name: $wall s wall, $user s user (others: $foreign s; same bytes: $same)" >&2
}

run_args=(run "$scenario" --runs "$runs" --seed 7 --quiet)
"$serial" "${run_args[@]}" --threads 1 --json "$work/reference.json"
"$serial" sweep "$study" --out "$work/sweep_reference" --threads 2 > /dev/null

# Rounds of every configuration, so that a burst of load from elsewhere on the machine falls on
# all of them alike rather than on one.
for round in $(seq "$repeat"); do
  echo "mpi_scaling: round $round of $repeat" >&2
  once run_threaded_1 "$work/reference.json" "$work/out.json" \
    "$serial" "${run_args[@]}" --threads 1 --json "$work/out.json"
  once run_mpi_1x1 "$work/reference.json" "$work/out.json" \
    "${mpirun[@]}" -n 1 "$geosim" "${run_args[@]}" --threads 1 --json "$work/out.json"
  once run_threaded_2 "$work/reference.json" "$work/out.json" \
    "$serial" "${run_args[@]}" --threads 2 --json "$work/out.json"
  once run_mpi_2x1 "$work/reference.json" "$work/out.json" \
    "${mpirun[@]}" -n 2 "$geosim" "${run_args[@]}" --threads 1 --json "$work/out.json"
  # What starting the job costs (the launcher and MPI_Init), with next to no work.
  once launch_threaded "" "$work/none.json" \
    "$serial" run "$scenario" --runs 1 --threads 1 --quiet --json "$work/none.json"
  once launch_mpi_1 "" "$work/none.json" \
    "${mpirun[@]}" -n 1 "$geosim" run "$scenario" --runs 1 --threads 1 --quiet --json "$work/none.json"
  once sweep_threaded_1 "$work/sweep_reference/results.csv" "$work/sweep/results.csv" \
    "$serial" sweep "$study" --out "$work/sweep" --threads 1
  once sweep_mpi_1x1 "$work/sweep_reference/results.csv" "$work/sweep/results.csv" \
    "${mpirun[@]}" -n 1 "$geosim" sweep "$study" --out "$work/sweep" --threads 1
  once sweep_mpi_2x1 "$work/sweep_reference/results.csv" "$work/sweep/results.csv" \
    "${mpirun[@]}" -n 2 "$geosim" sweep "$study" --out "$work/sweep" --threads 1
done

mkdir -p bench/results
result=bench/results/mpi_$(date +%Y%m%d).json
sweep_runs=$(/usr/bin/python3 -c "import csv,sys; print(sum(int(r['runs']) for r in csv.DictReader(open(sys.argv[1]))))" "$work/sweep_reference/design.csv")
/usr/bin/python3 - "$times" "$result" "$runs" "$sweep_runs" <<PY
import json, statistics, sys
times_file, result, runs, sweep_runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = {}
walls, cpus, others, same = {}, {}, {}, {}
for line in open(times_file):
    name, ok, wall, user, sys_, foreign = line.split()
    walls.setdefault(name, []).append(float(wall))
    others.setdefault(name, []).append(float(foreign))
    cpus.setdefault(name, []).append(round(float(user) + float(sys_), 2))
    same[name] = same.get(name, True) and ok == "true"
for name, w in walls.items():
    rows[name] = {"wall_seconds": statistics.median(w), "all_wall_seconds": w,
                  "cpu_seconds": statistics.median(cpus[name]), "all_cpu_seconds": cpus[name],
                  "cpu_seconds_of_other_processes": others[name],
                  "same_bytes_as_threaded": same[name] if not name.startswith("launch") else None}
for name, r in rows.items():
    work = runs if name.startswith("run_") else sweep_runs if name.startswith("sweep_") else None
    if work: r["runs_per_second"] = round(work / r["wall_seconds"])
# Rounds are interleaved, so the i-th measurements of two configurations were taken minutes
# apart: their ratio, median over rounds, cancels most of the drift of this shared machine.
def paired(a, b, what="wall_seconds", minus_a=0.0):
    return round(statistics.median(
        (x - minus_a) / y for x, y in zip(rows[a]["all_" + what], rows[b]["all_" + what])), 4)
launch = rows["launch_mpi_1"]["wall_seconds"] - rows["launch_threaded"]["wall_seconds"]
out = {
  "benchmark": "mpi_scaling",
  "scenario": "$scenario", "runs": runs, "seed": 7,
  "study": "$study", "study_runs": sweep_runs,
  "repeat": len(rows["run_threaded_1"]["all_wall_seconds"]),
  "configurations": rows,
  "run_mpi_overhead_at_1_rank": round(paired("run_mpi_1x1", "run_threaded_1") - 1, 4),
  "run_mpi_overhead_at_1_rank_without_launch": round(
      paired("run_mpi_1x1", "run_threaded_1", minus_a=launch) - 1, 4),
  "mpi_launch_seconds": round(launch, 3),
  # CPU time (user + system, every process of the job) moves less than wall time when something
  # else runs on the machine; with one thread per rank it is the work done plus the overhead.
  "run_mpi_cpu_overhead_at_1_rank": round(paired("run_mpi_1x1", "run_threaded_1", "cpu_seconds") - 1, 4),
  "run_speedup_2_ranks": round(1 / paired("run_mpi_2x1", "run_mpi_1x1"), 3),
  "run_speedup_2_threads": round(1 / paired("run_threaded_2", "run_threaded_1"), 3),
  "sweep_mpi_overhead_at_1_rank": round(paired("sweep_mpi_1x1", "sweep_threaded_1") - 1, 4),
  "sweep_mpi_cpu_overhead_at_1_rank": round(paired("sweep_mpi_1x1", "sweep_threaded_1", "cpu_seconds") - 1, 4),
  "sweep_speedup_2_ranks": round(1 / paired("sweep_mpi_2x1", "sweep_mpi_1x1"), 3),
  "mpi": "$(mpirun --version | head -1)",
  "machine": "$(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')",
  "compiler": "$(c++ --version | head -1)",
  "build_type": "$(grep CMAKE_BUILD_TYPE:STRING "$build/CMakeCache.txt" | cut -d= -f2)",
  "git_revision": "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- engine include tools || echo '+changes')",
  "load_average_at_end": "$(cut -d' ' -f1-3 /proc/loadavg)",
}
json.dump(out, open(result, "w"), indent=1)
open(result, "a").write("\n")
PY
cat "$result"
