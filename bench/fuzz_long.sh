#!/usr/bin/env bash
# The long fuzz profile: ten times the CI examples (≥ 20,000 per database) over every form and
# every query string, on SQLite and on PostgreSQL. Not part of CI; prints the example counts.
#   bash bench/fuzz_long.sh                      # both backends
#   TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/webadmin_test_<you> bash bench/fuzz_long.sh
set -uo pipefail
cd "$(dirname "$0")/.."
PG_URL="${TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/webadmin_test}"
export HYPOTHESIS_PROFILE=long PYTHONDONTWRITEBYTECODE=1
status=0
echo "==> long fuzz on SQLite"
TEST_DATABASE_URL="" .venv/bin/python -m pytest tests/fuzz/test_fuzz_forms_and_lists.py -q \
  -p no:cacheprovider "$@" || status=1
echo "==> long fuzz on PostgreSQL"
TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest tests/fuzz/test_fuzz_forms_and_lists.py -q \
  -p no:cacheprovider "$@" || status=1
exit $status
