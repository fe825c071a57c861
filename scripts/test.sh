#!/usr/bin/env bash
# One command for the whole suite: install, then run every test on SQLite and on PostgreSQL.
#   bash scripts/test.sh                 # both backends
#   bash scripts/test.sh -k songs        # extra pytest arguments go to both runs
# PostgreSQL: TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/webadmin_test).
# The database is created if missing and the server started if it is down; when it cannot be
# reached the run fails — PostgreSQL tests are never skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
bash scripts/install.sh --test || exit 1

PG_URL="${TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/webadmin_test}"
export PYTHONDONTWRITEBYTECODE=1

ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    echo "==> PostgreSQL is down; starting it"
    version="$(ls /etc/postgresql 2>/dev/null | head -n1)"
    [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  .venv/bin/python - "$PG_URL" <<'PY' || return 1
import sys
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
url = make_url(sys.argv[1])
engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
with engine.connect() as conn:
    if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}).scalar():
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
print(f"==> PostgreSQL ready: {url.render_as_string(hide_password=True)}")
PY
}

if ! ensure_postgres; then
  echo "FAILED: PostgreSQL is unreachable at $PG_URL; the suite needs it." >&2
  exit 1
fi

status=0
echo "==> tests on SQLite"
TEST_DATABASE_URL="" .venv/bin/python -m pytest "$@" || status=1
echo "==> tests on PostgreSQL"
TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest "$@" || status=1
exit $status
