#!/usr/bin/env bash
# Installs the Debian 12 packages geosim needs, and only those that are missing (idempotent).
# Needs root for apt-get; run as root or with sudo available.
#
#   tools/setup.sh            build + test dependencies
#   tools/setup.sh --mpi      also Open MPI (for the MPI build: -DGEOSIM_WITH_MPI=ON, docs/cluster.md)
#   tools/setup.sh --browser  also Chromium (for the browser test of the HTML report)
#   tools/setup.sh --fuzz     also clang and its runtime (sanitizer-instrumented fuzz targets)
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libeigen3-dev libyaml-cpp-dev libboost-random-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libsqlite3-dev
  python3 python3-matplotlib
  time  # /usr/bin/time: peak RSS in bench/e2e.py (and its test)
)
for arg in "$@"; do
  case "$arg" in
    --mpi) packages+=(libopenmpi-dev openmpi-bin) ;;
    --browser) packages+=(chromium) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --all) packages+=(libopenmpi-dev openmpi-bin chromium clang libclang-rt-14-dev) ;;
    *) echo "setup.sh: unknown option '$arg' (expected --mpi, --browser, --fuzz or --all)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: all ${#packages[@]} packages are installed"
  exit 0
fi

echo "setup.sh: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "setup.sh: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
