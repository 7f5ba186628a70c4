#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, and pass the whole test suite:
#   1. Release build, every test (ctest);
#   2. AddressSanitizer + UndefinedBehaviorSanitizer build, every test again.
# Set GEOSIM_SKIP_SANITIZERS=1 to skip step 2 during development.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGEOSIM_BUILD_TESTS=ON
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

if [ "${GEOSIM_SKIP_SANITIZERS:-0}" != "1" ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGEOSIM_BUILD_TESTS=ON \
        -DGEOSIM_BUILD_BENCHMARKS=OFF -DGEOSIM_SANITIZERS="address;undefined"
  cmake --build build-asan -j"$jobs"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure -j"$jobs")
fi
