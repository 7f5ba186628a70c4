#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build (Release), run the shipped baseline.
#   tools/quickstart.sh [extra geosim run options]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
scenario=scenarios/dprk_russia_2024/baseline.yaml
[ -f "$scenario" ] || scenario=scenarios/toy/standoff.yaml
mkdir -p out
exec build/tools/geosim run "$scenario" --runs 100000 --seed 7 --json out/baseline.json --csv out/baseline "$@"
