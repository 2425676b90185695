#!/usr/bin/env bash
# Starts the local PostgreSQL and MariaDB test servers when they are installed but stopped. Servers elsewhere are
# chosen with FERRY_TEST_POSTGRES_URL / FERRY_TEST_MYSQL_URL and left alone.
set -u

if [ -z "${FERRY_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null 2>&1; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi

if [ -z "${FERRY_TEST_MYSQL_URL:-}" ] && command -v mariadbd >/dev/null 2>&1; then
  if ! mysqladmin -h 127.0.0.1 -u root ping >/dev/null 2>&1; then
    echo "starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
    for _ in $(seq 1 30); do mysqladmin -h 127.0.0.1 -u root ping >/dev/null 2>&1 && break; sleep 1; done
  fi
fi
exit 0
