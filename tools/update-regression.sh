#!/usr/bin/env bash
# Regenerates the reference output of regression cases: the only way references change.
#   tools/update-regression.sh            every case
#   tools/update-regression.sh CASE...    the named cases
# Review the diff (git diff tests/regression) before committing: it is a change of results.
set -euo pipefail
cd "$(dirname "$0")/.."
geosim=${GEOSIM:-build/tools/geosim}
[ -x "$geosim" ] || { echo "update-regression: build first (no $geosim)" >&2; exit 1; }
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  for d in tests/regression/*/; do [ -f "$d/case.json" ] && cases+=("$(basename "$d")"); done
fi
for c in "${cases[@]}"; do
  dir=tests/regression/$c
  read -r scenario runs seed < <(/usr/bin/python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["scenario"], c["runs"], c["seed"])' "$dir/case.json")
  "$geosim" run "$scenario" --runs "$runs" --seed "$seed" --threads 1 --json "$dir/results_true.json" --quiet
  echo "update-regression: $c <- $scenario ($runs runs, seed $seed)"
done
