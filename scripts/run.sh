#!/usr/bin/env bash
# One command for a laptop: install, migrate a SQLite database, load demo data, serve.
#
#   bash scripts/run.sh                     # http://127.0.0.1:5000/login
#   PORT=8080 HOST=0.0.0.0 bash scripts/run.sh
#
# Environment (all optional):
#   PORT              port to listen on (default 5000)
#   HOST              address to listen on (default 127.0.0.1; 0.0.0.0 for the whole network)
#   ADMIN_EMAIL       the superadmin created on the first run (default admin@example.com)
#   ADMIN_PASSWORD    its password on the first run (default admin-password-123). An account
#                     that already exists is never changed: its password stays what it is
#                     (reset one with .venv/bin/flask --app wsgi create-superadmin).
#   GUNICORN_WORKERS  worker processes (default 2 here; production sizes it from the CPUs)
#   DATABASE_URL      default: SQLite file instance/webadmin.db
#   SECRET_KEY        default: a random key kept in instance/secret_key
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
bash scripts/install.sh

export WEBADMIN_ENV="${WEBADMIN_ENV:-development}"
export FLASK_APP=wsgi:app
export GUNICORN_WORKERS="${GUNICORN_WORKERS:-2}"
PORT="${PORT:-5000}"
HOST="${HOST:-127.0.0.1}"
ADMIN_EMAIL="${ADMIN_EMAIL:-admin@example.com}"
ADMIN_PASSWORD="${ADMIN_PASSWORD:-admin-password-123}"
if [ -z "${SECRET_KEY:-}" ]; then
  # Keep one key per checkout so sessions survive a restart.
  mkdir -p instance
  [ -s instance/secret_key ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))' > instance/secret_key
  SECRET_KEY="$(cat instance/secret_key)"
  export SECRET_KEY
fi

echo "==> migrating the database"
.venv/bin/alembic upgrade head
echo "==> loading reference and demo data"
.venv/bin/flask seed --demo
admin_result="$(.venv/bin/flask create-superadmin --if-missing --email "$ADMIN_EMAIL" \
  --password "$ADMIN_PASSWORD" --name "Demo Admin")"
case "$admin_result" in
  Kept*) admin_line="$ADMIN_EMAIL  (existing account: its password is unchanged)" ;;
  *)     admin_line="$ADMIN_EMAIL  /  $ADMIN_PASSWORD" ;;
esac

.venv/bin/python -c 'import os; from webadmin.config import describe_throttling_store as d; print("==> " + d(os.environ))'
cat <<MSG

  webadmin is running at  http://$HOST:$PORT/login
  superadmin:             $admin_line
  singer (demo):          nina@example.com  /  demo-password-123
  workers:                $GUNICORN_WORKERS (GUNICORN_WORKERS)
  stop with Ctrl-C

MSG
exec .venv/bin/gunicorn -c gunicorn.conf.py --bind "$HOST:$PORT" wsgi:app
