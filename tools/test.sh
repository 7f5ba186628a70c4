#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, and pass the whole test suite:
#   1. Release build, every test (ctest), including the headless-Chromium test of the report;
#   2. the MPI build (build-mpi, Open MPI): its tests run geosim under mpirun with 1, 2 and 4 ranks
#      against the one-process program, and kill and resume a sweep;
#   3. short libFuzzer runs (clang, ASan + UBSan): scenario loading, compiling and simulating,
#      seeded with the shipped and bad scenarios (GEOSIM_FUZZ_SECONDS, default 60); then study
#      files, seeded with tests/fuzz/study_corpus (GEOSIM_STUDY_FUZZ_SECONDS, default 30);
#   4. AddressSanitizer + UndefinedBehaviorSanitizer build, every test again.
# Set GEOSIM_SKIP_SANITIZERS=1 to skip steps 3 and 4 during development.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --fuzz --browser --mpi
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGEOSIM_BUILD_TESTS=ON
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

# build/ stays the serial program (the default, and what the benchmarks time); the MPI build gets
# a folder of its own and builds only what its tests need (label mpi).
cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=Release -DGEOSIM_WITH_MPI=ON -DGEOSIM_BUILD_TESTS=ON \
      -DGEOSIM_BUILD_BENCHMARKS=OFF
cmake --build build-mpi -j"$jobs" --target geosim_mpi_tests
(cd build-mpi && ctest --output-on-failure -j"$jobs" -L '^mpi$')

if [ "${GEOSIM_SKIP_SANITIZERS:-0}" != "1" ]; then
  cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DGEOSIM_FUZZ=ON -DGEOSIM_SANITIZERS="address;undefined" \
        -DGEOSIM_BUILD_TESTS=OFF -DGEOSIM_BUILD_BENCHMARKS=OFF
  cmake --build build-fuzz -j"$jobs" --target load_compile_fuzz study_fuzz
  corpus=$(mktemp -d)
  find scenarios tests/bad_scenarios -name '*.yaml' -exec cp {} "$corpus"/ \; 2>/dev/null || true
  build-fuzz/tests/fuzz/load_compile_fuzz -max_total_time="${GEOSIM_FUZZ_SECONDS:-60}" \
      -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "$corpus" 2>&1 | tail -n 12
  rm -rf "$corpus"
  corpus=$(mktemp -d)
  cp tests/fuzz/study_corpus/*.yaml "$corpus"/
  build-fuzz/tests/fuzz/study_fuzz -max_total_time="${GEOSIM_STUDY_FUZZ_SECONDS:-30}" \
      -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "$corpus" 2>&1 | tail -n 6
  rm -rf "$corpus"
  echo "fuzz: no crash"
fi

if [ "${GEOSIM_SKIP_SANITIZERS:-0}" != "1" ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGEOSIM_BUILD_TESTS=ON \
        -DGEOSIM_BUILD_BENCHMARKS=OFF -DGEOSIM_SANITIZERS="address;undefined"
  cmake --build build-asan -j"$jobs"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure -j"$jobs")
fi
