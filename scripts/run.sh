#!/usr/bin/env bash
# One command, a whole local Psyx: a private PostgreSQL cluster, the psyx
# service and Nginx in front of it with the production site config (same
# basic auth rules), on http://127.0.0.1:8080. Ctrl-C (or SIGTERM) stops
# everything it started; the next run reuses the data under ./var.
#
#   PSYX_HTTP_PORT       Nginx port (8080)
#   PSYX_API_PORT        psyx port on 127.0.0.1 (5000)
#   PSYX_ADMIN_PASSWORD  password of the admin user "admin" (else generated
#                        once, kept in var/admin-password and printed)
#   PSYX_PAIRS_PER_PACK, PSYX_TIME_ZONE, ... pass through to the service.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PSYX_ROOT"

HTTP_PORT=${PSYX_HTTP_PORT:-8080}
API_PORT=${PSYX_API_PORT:-5000}
VAR=$PSYX_ROOT/var
DATA_DIR=$VAR/PsyxStatic
RUN_DIR=$VAR/run
BIN=$VAR/bin/psyx
ADMIN_USER="admin"
PW_FILE=$VAR/admin-password

mkdir -p "$VAR" "$RUN_DIR/tmp" "$VAR/bin" "$DATA_DIR/packs" "$DATA_DIR/logs"
chmod 0755 "$DATA_DIR" "$DATA_DIR/packs" "$DATA_DIR/logs"

# ---- tools ---------------------------------------------------------------
missing=()
psyx_pg_bin >/dev/null || missing+=(postgresql)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
command -v curl >/dev/null 2>&1 || missing+=(curl ca-certificates)
if [ ${#missing[@]} -gt 0 ]; then
	psyx_apt_install "${missing[@]}"
fi
PATH=$PATH:/usr/sbin:/sbin
PG_BIN=$(psyx_pg_bin) || psyx_die "PostgreSQL server programs not found after installing postgresql"
psyx_ensure_go "$VAR/go"

for port in "$HTTP_PORT" "$API_PORT"; do
	psyx_port_free "$port" || psyx_die "port $port on 127.0.0.1 is taken (another run.sh?); set PSYX_HTTP_PORT / PSYX_API_PORT"
done

# ---- PostgreSQL ----------------------------------------------------------
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# postgres user, who must be able to reach it: a checkout under /root
# (mode 0700) is out of its reach, so the cluster then lives under
# /var/lib/psyx-dev/ and var/pg links to it.
PG_DIR=$VAR/pg
PG_AS=()
if [ "$(id -u)" -eq 0 ]; then
	id postgres >/dev/null 2>&1 || psyx_die "no postgres user: is the postgresql package installed?"
	PG_AS=(runuser -u postgres --)
	if [ -L "$PG_DIR" ]; then
		PG_DIR=$(readlink -f "$PG_DIR")
	elif [ ! -d "$PG_DIR" ] && ! runuser -u postgres -- test -x "$VAR"; then
		alt=/var/lib/psyx-dev/$(printf '%s' "$PSYX_ROOT" | md5sum | cut -c1-12)/pg
		mkdir -p "$alt"
		ln -sfn "$alt" "$VAR/pg"
		PG_DIR=$alt
		psyx_say "the postgres user cannot enter $VAR; the cluster lives in $PG_DIR (linked from var/pg)"
	fi
	mkdir -p "$PG_DIR"
	chown postgres: "$PG_DIR"
fi
mkdir -p "$PG_DIR"
# From inside PG_DIR: the postgres user may not be allowed into our cwd.
pg_run() { (cd "$PG_DIR" && "${PG_AS[@]}" "$@"); }
PG_DATA=$PG_DIR/data
PG_SOCK=$PG_DIR/sock
if [ ! -f "$PG_DATA/PG_VERSION" ]; then
	psyx_say "creating a PostgreSQL cluster in $PG_DATA"
	pg_run "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
	pg_run mkdir -p "$PG_SOCK"
	# Unix socket only, reachable by its owner (and root): trust is safe.
	pg_run sh -c "cat >>'$PG_DATA/postgresql.conf'" <<EOF
listen_addresses = ''
unix_socket_directories = '$PG_SOCK'
unix_socket_permissions = 0700
EOF
fi
STARTED_PG=0
if pg_run "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
	psyx_warn "PostgreSQL in $PG_DATA was already running (left by an earlier run?); using it and leaving it running"
else
	pg_run "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/server.log" -w -t 60 start >/dev/null ||
		psyx_die "PostgreSQL did not start; see $PG_DIR/server.log"
	STARTED_PG=1
fi

PSYX_PID=""
NGINX_PID=""
# stop_all undoes what this run started, newest first; the service drains
# its requests before PostgreSQL goes away.
# shellcheck disable=SC2317 # called from the traps
stop_all() {
	trap - INT TERM EXIT
	if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
		kill -QUIT "$NGINX_PID" 2>/dev/null || true
		wait "$NGINX_PID" 2>/dev/null || true
	fi
	if [ -n "$PSYX_PID" ] && kill -0 "$PSYX_PID" 2>/dev/null; then
		kill -TERM "$PSYX_PID" 2>/dev/null || true
		wait "$PSYX_PID" 2>/dev/null || true
	fi
	if [ "$STARTED_PG" = 1 ]; then
		pg_run "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
	fi
	psyx_say "stopped"
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

PGCMD=("$PG_BIN/psql" -h "$PG_SOCK" -U postgres -X -q -v ON_ERROR_STOP=1)
if [ "$("${PGCMD[@]}" -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'psyx'")" != 1 ]; then
	"${PGCMD[@]}" -d postgres -c "CREATE DATABASE psyx"
fi
export PSYX_DATABASE_URL="host=$PG_SOCK port=5432 user=postgres dbname=psyx sslmode=disable"
export PSYX_DATA_DIR=$DATA_DIR
export PSYX_ADDR=127.0.0.1:$API_PORT

# ---- build, migrate ------------------------------------------------------
psyx_say "building psyx"
go build -o "$BIN.new" . && mv -f "$BIN.new" "$BIN"
"$BIN" migrate

# ---- admin account -------------------------------------------------------
HTPASSWD=$DATA_DIR/psyx.htpasswd
if [ -n "${PSYX_ADMIN_PASSWORD:-}" ]; then
	ADMIN_PASSWORD=$PSYX_ADMIN_PASSWORD
	psyx_htpasswd_set "$HTPASSWD" "$ADMIN_USER" "$ADMIN_PASSWORD"
	rm -f "$PW_FILE"
	PW_NOTE="(from PSYX_ADMIN_PASSWORD)"
elif [ -s "$PW_FILE" ] && printf '%s\n' "$(cat "$PW_FILE")" | htpasswd -v -i "$HTPASSWD" "$ADMIN_USER" >/dev/null 2>&1; then
	ADMIN_PASSWORD=$(cat "$PW_FILE")
	PW_NOTE="(generated on the first run, kept in var/admin-password)"
else
	ADMIN_PASSWORD=$(psyx_gen_password)
	psyx_htpasswd_set "$HTPASSWD" "$ADMIN_USER" "$ADMIN_PASSWORD"
	(umask 077 && printf '%s\n' "$ADMIN_PASSWORD" >"$PW_FILE")
	PW_NOTE="(generated, kept in var/admin-password)"
fi

# ---- Nginx config from the production template ---------------------------
NGINX_USER=()
# As root the workers would run as nobody, who cannot enter a checkout
# under /root; a local run keeps them as root.
[ "$(id -u)" -eq 0 ] && NGINX_USER=(--user "root root")
"$BIN" render-config nginx-site --listen "127.0.0.1:$HTTP_PORT" --server-name localhost \
	--html-dir "$PSYX_ROOT/nginx/html" --data-dir "$DATA_DIR" --upstream "$PSYX_ADDR" --out "$RUN_DIR/psyx.conf"
"$BIN" render-config nginx-standalone "${NGINX_USER[@]}" --run-dir "$RUN_DIR" \
	--site "$RUN_DIR/psyx.conf" --out "$RUN_DIR/nginx.conf"
NGINX=(nginx -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/nginx-error.log")
"${NGINX[@]}" -t -q || psyx_die "nginx rejected $RUN_DIR/nginx.conf"

# ---- run -----------------------------------------------------------------
# setsid: a Ctrl-C reaches only this script, which then stops the others in
# order (Nginx, then psyx draining its requests, then PostgreSQL).
setsid "$BIN" serve >>"$RUN_DIR/psyx.out" 2>&1 &
PSYX_PID=$!
setsid "${NGINX[@]}" >>"$RUN_DIR/nginx.out" 2>&1 &
NGINX_PID=$!

deadline=$((SECONDS + 60))
until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$HTTP_PORT/api/health" 2>/dev/null; do
	kill -0 "$PSYX_PID" 2>/dev/null || psyx_die "psyx exited; see $RUN_DIR/psyx.out"
	kill -0 "$NGINX_PID" 2>/dev/null || psyx_die "nginx exited; see $RUN_DIR/nginx-error.log"
	[ $SECONDS -lt $deadline ] || psyx_die "no answer from http://127.0.0.1:$HTTP_PORT/api/health after 60s"
	sleep 0.2
done

cat <<EOF

Psyx is running.
  Participant page  http://127.0.0.1:$HTTP_PORT/
  Admin page        http://127.0.0.1:$HTTP_PORT/admin/
  API (via Nginx)   http://127.0.0.1:$HTTP_PORT/api/health
  Admin login       $ADMIN_USER / $ADMIN_PASSWORD $PW_NOTE
  Data              $DATA_DIR (packs/, logs/api.log)
  PostgreSQL        $PG_DATA (socket in $PG_SOCK)
  Service output    $RUN_DIR/psyx.out
  Nginx logs        $RUN_DIR/nginx-error.log, $RUN_DIR/nginx-access.log
Ctrl-C stops everything.
EOF

# Until Ctrl-C/TERM (the traps) or one of the two dies.
status=0
wait -n || status=$?
psyx_warn "psyx or nginx exited (status $status); stopping the rest"
exit 1
