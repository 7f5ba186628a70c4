#!/usr/bin/env bash
# End-to-end study benchmark: geosim sweep of bench/sweep_1000x1000.yaml (10^6 baseline runs),
# timed with its peak resident memory, written as JSON to bench/results/sweep_<date>.json.
# Build Release first (tools/quickstart.sh or cmake --build build).
set -euo pipefail
cd "$(dirname "$0")/.."
geosim=${GEOSIM:-build/tools/geosim}
out=$(mktemp -d)
log=$(mktemp)
/usr/bin/time -f '%e %M' -o "$log" "$geosim" sweep bench/sweep_1000x1000.yaml --out "$out" > /dev/null
read -r seconds kb < "$log"
mkdir -p bench/results
result=bench/results/sweep_$(date +%Y%m%d).json
cat > "$result" <<JSON
{
  "benchmark": "sweep_1000x1000",
  "points": 1000, "runs_per_point": 1000, "runs": 1000000,
  "wall_seconds": $seconds,
  "runs_per_second": $(/usr/bin/python3 -c "print(round(1e6/$seconds))"),
  "peak_rss_kb": $kb,
  "threads": $(nproc),
  "machine": "$(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')",
  "compiler": "$(c++ --version | head -1)",
  "build_type": "$(grep CMAKE_BUILD_TYPE:STRING build/CMakeCache.txt | cut -d= -f2)",
  "git_revision": "$(git rev-parse --short HEAD)"
}
JSON
rm -rf "$out" "$log"
cat "$result"
