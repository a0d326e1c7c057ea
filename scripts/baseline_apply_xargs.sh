#!/usr/bin/env bash
# The shell one-liner a user would reach for: one curl process per PATCH, N at a time via xargs -P.
# A baseline of scripts/bench. Its input is already grouped (one 'id<TAB>PATCH body' line per
# assessment, as scripts/bench_data.py writes it), so reading and grouping the spreadsheet is NOT
# part of what this baseline is timed for, which flatters it.
#
#   ENNEO_TOKEN=... scripts/baseline_apply_xargs.sh REQUESTS_FILE BASE_URL [CONCURRENCY]
#
# Exit 0 when every PATCH was answered 200, 1 otherwise.
set -euo pipefail

if [ $# -lt 2 ] || [ -z "${ENNEO_TOKEN:-}" ]; then
  echo "usage: ENNEO_TOKEN=... $0 REQUESTS_FILE BASE_URL [CONCURRENCY]" >&2
  exit 2
fi
requests=$1
base_url=${2%/}
concurrency=${3:-8}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The token goes into a header file (curl -H @file), not onto curl's command line.
(umask 077 && printf 'Authorization: Bearer %s\nContent-Type: application/json\n' "$ENNEO_TOKEN" >"$work/headers")

export BASELINE_BASE_URL=$base_url BASELINE_HEADERS=$work/headers
status=0
xargs -P "$concurrency" -d '\n' -n 1 sh -c '
  id=${1%%	*}
  body=${1#*	}
  code=$(curl -sS -o /dev/null -w "%{http_code}" -X PATCH -H @"$BASELINE_HEADERS" \
    --data-binary "$body" "$BASELINE_BASE_URL/quality/assessment/$id") || code=000
  echo "$id $code"
  [ "$code" = 200 ]
' _ <"$requests" >"$work/status" || status=$?

total=$(wc -l <"$work/status")
applied=$(grep -c ' 200$' "$work/status" || true)
echo "baseline_apply_xargs: $total requests: $applied answered 200, $((total - applied)) failed" >&2
[ "$status" -eq 0 ] && [ "$applied" -eq "$total" ] || exit 1
