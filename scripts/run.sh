#!/usr/bin/env bash
# One command for a laptop: install, migrate a SQLite database, load demo data, serve.
#   bash scripts/run.sh            # http://127.0.0.1:5000
#   PORT=8080 bash scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh

export WEBADMIN_ENV="${WEBADMIN_ENV:-development}"
export FLASK_APP=wsgi:app
PORT="${PORT:-5000}"
HOST="${HOST:-127.0.0.1}"
ADMIN_EMAIL="${ADMIN_EMAIL:-admin@example.com}"
ADMIN_PASSWORD="${ADMIN_PASSWORD:-admin-password-123}"
if [ -z "${SECRET_KEY:-}" ]; then
  # Keep one key per checkout so sessions survive a restart.
  [ -s instance/secret_key ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))' > instance/secret_key
  SECRET_KEY="$(cat instance/secret_key)"
  export SECRET_KEY
fi

echo "==> migrating the database"
.venv/bin/alembic upgrade head
echo "==> loading reference and demo data"
.venv/bin/flask seed --demo
.venv/bin/flask create-superadmin --email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD" --name "Demo Admin" >/dev/null

.venv/bin/python -c 'import os; from webadmin.config import describe_throttling_store as d; print("==> " + d(os.environ))'
cat <<MSG

  webadmin is running at  http://$HOST:$PORT/login
  superadmin:             $ADMIN_EMAIL  /  $ADMIN_PASSWORD
  singer (demo):          nina@example.com  /  demo-password-123
  stop with Ctrl-C

MSG
exec .venv/bin/gunicorn -c gunicorn.conf.py --bind "$HOST:$PORT" wsgi:app
