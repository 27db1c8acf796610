#!/usr/bin/env bash
# End-to-end demo of the resort_snow example on Headwater's embedded default instance.
# Used by `make demo`; run from anywhere. HEADWATER_HOME defaults to examples/resort_snow/.headwater_home.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

export HEADWATER_HOME="${HEADWATER_HOME:-$HERE/.headwater_home}"
mkdir -p "$HEADWATER_HOME"
HEADWATER_HOME="$(cd "$HEADWATER_HOME" && pwd)"  # absolute: we cd below

if [[ -x "$ROOT/.venv/bin/headwater" ]]; then
  HEADWATER="$ROOT/.venv/bin/headwater"
  PYTHON="$ROOT/.venv/bin/python"
else
  HEADWATER="headwater"
  PYTHON="python3"
fi

step() { printf '\n==> %s\n' "$*"; }

# The CLI finds the code location through [tool.headwater] in ./pyproject.toml.
cd "$HERE"

step "headwater definitions validate"
"$HEADWATER" definitions validate

step "headwater asset list"
"$HEADWATER" asset list

step 'headwater asset materialize --select "group:raw or group:conditions"'
"$HEADWATER" asset materialize --select "group:raw or group:conditions"

step 'headwater backfill launch --select "daily_snow_report+" --partitions 2025-01-01...2025-01-14 --wait'
"$HEADWATER" backfill launch --select "daily_snow_report+" --partitions 2025-01-01...2025-01-14 --wait

step "headwater asset materialize --partition 2025-01-07 (one day again)"
"$HEADWATER" asset materialize --select "daily_snow_report or daily_best_resort" --partition 2025-01-07

step "headwater backfill list"
"$HEADWATER" backfill list

step "headwater asset partitions daily_best_resort"
"$HEADWATER" asset partitions daily_best_resort

step "headwater run list"
"$HEADWATER" run list --limit 5

step "snow_summary in $HEADWATER_HOME/resort_snow.duckdb"
"$PYTHON" -c '
import os, duckdb
con = duckdb.connect(os.path.join(os.environ["HEADWATER_HOME"], "resort_snow.duckdb"), read_only=True)
print(con.sql("SELECT * FROM main.snow_summary ORDER BY rank").df().to_string(index=False))
print()
print("Best resort per day (daily_best_resort):")
print(con.sql("SELECT * FROM main.daily_best_resort ORDER BY date").df().to_string(index=False))
print()
print("Season totals so far (season_totals):")
print(con.sql("SELECT * FROM main.season_totals").df().to_string(index=False))
'
