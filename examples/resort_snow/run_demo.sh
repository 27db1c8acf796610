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

step 'headwater asset materialize --select "*"'
"$HEADWATER" asset materialize --select "*"

step "headwater run list"
"$HEADWATER" run list

step "snow_summary in $HEADWATER_HOME/resort_snow.duckdb"
"$PYTHON" -c '
import os, duckdb
con = duckdb.connect(os.path.join(os.environ["HEADWATER_HOME"], "resort_snow.duckdb"), read_only=True)
print(con.sql("SELECT * FROM main.snow_summary ORDER BY rank").df().to_string(index=False))
'
