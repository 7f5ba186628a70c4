#!/usr/bin/env bash
# End-to-end study benchmark: geosim sweep of bench/sweep_1000x1000.yaml (10^6 baseline runs),
# timed with its peak resident memory, written as JSON to bench/results/sweep_<date>.json (or,
# when that exists, sweep_<date>X.json with X the letter after the last one taken that day: the
# results are committed and never overwritten). Build Release first (tools/quickstart.sh or
# cmake --build build); GEOSIM=<build>/tools/geosim picks another build.
set -euo pipefail
cd "$(dirname "$0")/.."
geosim=${GEOSIM:-build/tools/geosim}
if [ ! -x "$geosim" ]; then
  echo "sweep_bench.sh: no geosim program at $geosim (build first, or set GEOSIM=<build>/tools/geosim)" >&2
  exit 2
fi
build=$(dirname "$(dirname "$geosim")")
cache() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt" 2>/dev/null | head -1; }
out=$(mktemp -d)
log=$(mktemp)
# The sweep's store (tens of MB) and the time log go whatever happens, Ctrl-C included.
trap 'rm -rf "$out" "$log"' EXIT
trap 'echo "sweep_bench.sh: interrupted; no result written" >&2; exit 130' INT TERM
/usr/bin/time -f '%e %M' -o "$log" "$geosim" sweep bench/sweep_1000x1000.yaml --out "$out" > /dev/null
read -r seconds kb < "$log"
mkdir -p bench/results
result=bench/results/sweep_$(date +%Y%m%d).json
for x in b c d e f g h i j k l m n o p q r s t u v w x y z; do
  [ -e "$result" ] || break
  result=bench/results/sweep_$(date +%Y%m%d)$x.json
done
if [ -e "$result" ]; then
  echo "sweep_bench.sh: $result exists; not overwritten" >&2
  exit 2
fi
cat > "$result" <<JSON
{
  "benchmark": "sweep_1000x1000",
  "points": 1000, "runs_per_point": 1000, "runs": 1000000,
  "wall_seconds": $seconds,
  "runs_per_second": $(/usr/bin/python3 -c "print(round(1e6/$seconds))"),
  "peak_rss_kb": $kb,
  "threads": $(nproc),
  "machine": "$(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')",
  "compiler": "$("$(cache CMAKE_CXX_COMPILER || true)" --version 2>/dev/null | head -1 || true)",
  "build_type": "$(cache CMAKE_BUILD_TYPE || true)",
  "engine_cxx_flags": "$(sed -n 's/^CXX_FLAGS = //p' "$build/engine/CMakeFiles/geosim_engine.dir/flags.make" 2>/dev/null || true)",
  "git_revision": "$(git rev-parse --short HEAD)"
}
JSON
cat "$result"
