#!/usr/bin/env bash
# Install or upgrade Psyx on a Debian/Ubuntu server, the way the maintainer
# runs it: PostgreSQL, the psyx binary under Supervisor, Nginx in front.
# Idempotent: running it again is the upgrade, and a run with nothing new
# changes nothing (no restart, no reload, never touches data or htpasswd).
#
#   git pull && sudo scripts/install.sh
#
# Parameters (environment), with the SPEC's defaults:
#   PSYX_USER=ubuntu                 runs psyx, owns the data folder
#   PSYX_DATA_DIR=~PSYX_USER/PsyxStatic
#   PSYX_BIN=/usr/local/bin/psyx
#   PSYX_DB_NAME=psyx  PSYX_DB_USER=$PSYX_USER (peer auth over the socket)
#   PSYX_LISTEN=80                   Nginx listen (port or addr:port)
#   PSYX_SERVER_NAME=_               Nginx server_name (your domain)
#   PSYX_TLS_CERT, PSYX_TLS_KEY      enable HTTPS on 443 with these files
#   PSYX_SITE_FLAGS=                 more `psyx render-config nginx-site` flags,
#                                    e.g. "--reply-rate 20 --reply-burst 600"
#   PSYX_INSTANCES=1                 psyx processes (ports from PSYX_API_PORT)
#   PSYX_API_PORT=5000
#   PSYX_ADMIN_USER=admin            first admin account, only if no htpasswd
#   PSYX_ADMIN_PASSWORD=             its password (else generated, printed once)
#   PSYX_NGINX_SITE=/etc/nginx/conf.d/psyx.conf
#   PSYX_SUPERVISOR_CONF=/etc/supervisor/conf.d/psyx.conf
# The parameters of a run are kept in /etc/psyx/install.env (PSYX_SETTINGS)
# and are the defaults of the next run, so a plain upgrade keeps them; edit
# that file to drop one (e.g. TLS).
# A TOML file at $PSYX_DATA_DIR/psyx.toml, if present, is passed as
# PSYX_CONFIG (time zone, name/phone patterns, pairs per pack, ...).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case ${1:-} in
-h | --help)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
esac
if [ "$(id -u)" -ne 0 ]; then
	exec sudo --preserve-env "$0" "$@"
fi
export PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

SETTINGS=${PSYX_SETTINGS:-/etc/psyx/install.env}
KEPT=(PSYX_USER PSYX_DATA_DIR PSYX_BIN PSYX_DB_NAME PSYX_DB_USER PSYX_LISTEN
	PSYX_SERVER_NAME PSYX_TLS_CERT PSYX_TLS_KEY PSYX_INSTANCES PSYX_API_PORT
	PSYX_NGINX_SITE PSYX_SUPERVISOR_CONF PSYX_SITE_FLAGS)
if [ -r "$SETTINGS" ]; then
	while IFS='=' read -r key value; do
		case " ${KEPT[*]} " in *" $key "*) [ -n "${!key:-}" ] || printf -v "$key" '%s' "$value" ;; esac
	done <"$SETTINGS"
fi

RUN_USER=${PSYX_USER:-ubuntu}
id "$RUN_USER" >/dev/null 2>&1 || psyx_die "user $RUN_USER does not exist (set PSYX_USER)"
RUN_GROUP=$(id -gn "$RUN_USER")
RUN_HOME=$(getent passwd "$RUN_USER" | cut -d: -f6)
DATA_DIR=${PSYX_DATA_DIR:-$RUN_HOME/PsyxStatic}
BIN=${PSYX_BIN:-/usr/local/bin/psyx}
DB_NAME=${PSYX_DB_NAME:-psyx}
DB_USER=${PSYX_DB_USER:-$RUN_USER}
LISTEN=${PSYX_LISTEN:-80}
SERVER_NAME=${PSYX_SERVER_NAME:-_}
INSTANCES=${PSYX_INSTANCES:-1}
API_PORT=${PSYX_API_PORT:-5000}
ADMIN_USER=${PSYX_ADMIN_USER:-admin}
NGINX_SITE=${PSYX_NGINX_SITE:-/etc/nginx/conf.d/psyx.conf}
SUPERVISOR_CONF=${PSYX_SUPERVISOR_CONF:-/etc/supervisor/conf.d/psyx.conf}
TLS_CERT=${PSYX_TLS_CERT:-}
TLS_KEY=${PSYX_TLS_KEY:-}
read -r -a SITE_FLAGS <<<"${PSYX_SITE_FLAGS:-}"

for v in "$DB_NAME" "$DB_USER"; do
	[[ $v =~ ^[a-z_][a-z0-9_]*$ ]] || psyx_die "database/role name $v: use [a-z_][a-z0-9_]*"
done
[[ $INSTANCES =~ ^[1-9][0-9]?$ ]] || psyx_die "PSYX_INSTANCES=$INSTANCES: 1..99"
case $DATA_DIR in /*) ;; *) psyx_die "PSYX_DATA_DIR must be absolute" ;; esac

WORK=$(mktemp -d)
chmod 0755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
changed() { psyx_say "$*"; CHANGES=$((CHANGES + 1)); }
CHANGES=0

# ---- packages ------------------------------------------------------------
psyx_apt_install nginx supervisor postgresql apache2-utils curl ca-certificates
psyx_ensure_go /usr/local/go
SYSTEMD=0
[ -d /run/systemd/system ] && SYSTEMD=1

# service_up NAME: start a system service now and at boot, without
# restarting one that runs (systemd, or the init scripts in containers).
# STARTED_NOW says whether it had to be started.
service_up() {
	STARTED_NOW=0
	if [ $SYSTEMD = 1 ]; then
		systemctl is-enabled --quiet "$1" || { systemctl enable --quiet "$1" && changed "enabled $1 at boot"; }
		systemctl is-active --quiet "$1" || { systemctl start "$1" && STARTED_NOW=1 && changed "started $1"; }
	elif ! service "$1" status >/dev/null 2>&1; then
		service "$1" start >/dev/null && STARTED_NOW=1 && changed "started $1"
	fi
	return 0
}

# ---- PostgreSQL: cluster, role, database ---------------------------------
# Debian's postgresql package creates the cluster (e.g. 15/main) itself.
cluster=$(pg_lsclusters --no-header 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$cluster" ] || psyx_die "no PostgreSQL cluster: create one (pg_createcluster VERSION main --start) and run this again"
read -r PG_VER PG_CLUSTER PG_PORT _ <<<"$cluster"
service_up postgresql
if [ "$(pg_lsclusters --no-header "$PG_VER" "$PG_CLUSTER" | awk '{print $4}')" != online ]; then
	pg_ctlcluster "$PG_VER" "$PG_CLUSTER" start
	changed "started PostgreSQL $PG_VER/$PG_CLUSTER"
fi
psql_admin() { (cd / && runuser -u postgres -- psql -X -q -p "$PG_PORT" -v ON_ERROR_STOP=1 "$@"); }
if [ "$(psql_admin -d postgres -Atc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != 1 ]; then
	psql_admin -d postgres -c "CREATE ROLE \"$DB_USER\" LOGIN"
	changed "created PostgreSQL role $DB_USER"
fi
if [ "$(psql_admin -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]; then
	psql_admin -d postgres -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\""
	changed "created database $DB_NAME"
fi
# The schema's exclusion constraint needs it; created here as superuser in
# case the extension is not trusted on this PostgreSQL.
psql_admin -d "$DB_NAME" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS btree_gist"
DATABASE_URL="host=/var/run/postgresql port=$PG_PORT user=$DB_USER dbname=$DB_NAME sslmode=disable"

# ---- data folder ---------------------------------------------------------
for d in "$DATA_DIR" "$DATA_DIR/packs" "$DATA_DIR/logs"; do
	if [ ! -d "$d" ]; then
		install -d -o "$RUN_USER" -g "$RUN_GROUP" -m 0755 "$d"
		changed "created $d"
	fi
done
NGINX_USER=$(sed -n 's/^[[:space:]]*user[[:space:]]\+\([^[:space:];]*\).*/\1/p' /etc/nginx/nginx.conf | head -n 1)
NGINX_USER=${NGINX_USER:-www-data}
NGINX_GROUP=$(id -gn "$NGINX_USER")
HTPASSWD=$DATA_DIR/psyx.htpasswd
if [ ! -s "$HTPASSWD" ]; then
	password=${PSYX_ADMIN_PASSWORD:-}
	[ -n "$password" ] || password=$(psyx_gen_password)
	psyx_htpasswd_set "$HTPASSWD" "$ADMIN_USER" "$password"
	# Nginx's workers read it; nobody else needs the hashes.
	chown "$RUN_USER:$NGINX_GROUP" "$HTPASSWD"
	chmod 0640 "$HTPASSWD"
	changed "created $HTPASSWD"
	if [ -z "${PSYX_ADMIN_PASSWORD:-}" ]; then
		printf '\n  Admin login: %s / %s   (shown once; change it with scripts/admin-password.sh)\n\n' "$ADMIN_USER" "$password" >&2
	fi
fi
# Nginx's workers serve packs/ and check htpasswd: they need to get through
# every folder above (Ubuntu's homes are 0750). Execute-only for others
# lets them pass without listing anything.
if ! runuser -u "$NGINX_USER" -- test -r "$HTPASSWD" -a -x "$DATA_DIR/packs"; then
	d=""
	for part in $(tr / ' ' <<<"$DATA_DIR"); do
		d=$d/$part
		if ! runuser -u "$NGINX_USER" -- test -x "$d"; then
			chmod o+x "$d"
			changed "chmod o+x $d (so Nginx can reach $DATA_DIR)"
		fi
	done
	runuser -u "$NGINX_USER" -- test -r "$HTPASSWD" ||
		psyx_die "$NGINX_USER cannot read $HTPASSWD: fix its owner/mode (e.g. chgrp $NGINX_GROUP, chmod 0640)"
fi
HTML_DIR=$PSYX_ROOT/nginx/html
runuser -u "$NGINX_USER" -- test -r "$HTML_DIR/index.html" ||
	psyx_warn "$NGINX_USER cannot read $HTML_DIR: make the checkout readable (chmod o+x on its parents)"

# ---- build and install the binary ----------------------------------------
# Built as the checkout's owner, so git and the Go caches stay theirs.
owner=$(stat -c %U "$PSYX_ROOT")
owner_home=$(getent passwd "$owner" | cut -d: -f6)
chown "$owner" "$WORK"
psyx_say "building psyx (as $owner)"
version=$(cd "$PSYX_ROOT" && { runuser -u "$owner" -- git describe --tags --always --dirty 2>/dev/null || true; })
(cd "$PSYX_ROOT" && runuser -u "$owner" -- env HOME="$owner_home" PATH="$PATH" \
	go build ${version:+-ldflags "-X main.version=$version"} -o "$WORK/psyx" .) ||
	psyx_die "go build failed"
if psyx_install_if_changed "$WORK/psyx" "$BIN" 0755; then
	BIN_CHANGED=1
	changed "installed $BIN ($("$BIN" version 2>/dev/null || echo '?'))"
else
	BIN_CHANGED=0
fi

CONFIG_FILE=""
MIGRATE_ENV=(HOME="$RUN_HOME" PSYX_DATABASE_URL="$DATABASE_URL" PSYX_DATA_DIR="$DATA_DIR")
if [ -f "$DATA_DIR/psyx.toml" ]; then
	CONFIG_FILE=$DATA_DIR/psyx.toml
	MIGRATE_ENV+=(PSYX_CONFIG="$CONFIG_FILE")
fi
(cd / && runuser -u "$RUN_USER" -- env "${MIGRATE_ENV[@]}" "$BIN" migrate) >&2 ||
	psyx_die "psyx migrate failed"

# ---- Supervisor ----------------------------------------------------------
PROGRAMS=()
ADDR_FLAGS=()
UPSTREAM_FLAGS=()
for i in $(seq 1 "$INSTANCES"); do
	program=psyx
	[ "$i" -gt 1 ] && program=psyx_$i
	PROGRAMS+=("$program")
	ADDR_FLAGS+=(--addr "127.0.0.1:$((API_PORT + i - 1))")
	UPSTREAM_FLAGS+=(--upstream "127.0.0.1:$((API_PORT + i - 1))")
done
"$BIN" render-config supervisor-program --command "$BIN" --data-dir "$DATA_DIR" \
	--user "$RUN_USER" --home "$RUN_HOME" --database-url "$DATABASE_URL" "${ADDR_FLAGS[@]}" \
	${CONFIG_FILE:+--env "PSYX_CONFIG=$CONFIG_FILE"} --out "$WORK/supervisor.conf" ||
	psyx_die "could not render the Supervisor config"
mkdir -p "$(dirname "$SUPERVISOR_CONF")"
SUP_CHANGED=0
if psyx_install_if_changed "$WORK/supervisor.conf" "$SUPERVISOR_CONF"; then
	SUP_CHANGED=1
	changed "wrote $SUPERVISOR_CONF"
fi

# ---- Nginx ---------------------------------------------------------------
TLS_FLAGS=()
if [ -n "$TLS_CERT" ]; then
	if [ ! -r "$TLS_CERT" ] || [ ! -r "${TLS_KEY:?PSYX_TLS_KEY is needed with PSYX_TLS_CERT}" ]; then
		psyx_die "cannot read $TLS_CERT / $TLS_KEY"
	fi
	TLS_FLAGS=(--tls-cert "$TLS_CERT" --tls-key "$TLS_KEY")
fi
"$BIN" render-config nginx-site --listen "$LISTEN" --server-name "$SERVER_NAME" \
	--html-dir "$HTML_DIR" --data-dir "$DATA_DIR" "${UPSTREAM_FLAGS[@]}" "${TLS_FLAGS[@]}" \
	"${SITE_FLAGS[@]}" --out "$WORK/site.conf" || psyx_die "could not render the Nginx site"
SITE_CHANGED=0
if psyx_install_if_changed "$WORK/site.conf" "$NGINX_SITE"; then
	SITE_CHANGED=1
	changed "wrote $NGINX_SITE"
fi
# Debian's default site also claims port 80 as default_server.
if [ "${LISTEN##*:}" = 80 ] && [ -L /etc/nginx/sites-enabled/default ]; then
	rm -f /etc/nginx/sites-enabled/default
	SITE_CHANGED=1
	changed "disabled Nginx's default site (sites-enabled/default)"
fi
# Debian's nginx.conf allows 768 connections per worker: too few to ride out
# a client holding slow connections (README, Limits).
conf=/etc/nginx/nginx.conf
conns=$(sed -n 's/^[[:space:]]*worker_connections[[:space:]]*\([0-9]*\);.*/\1/p' $conf | head -n 1)
if [ -n "$conns" ] && [ "$conns" -lt 8192 ]; then
	sed -i 's/^\([[:space:]]*worker_connections[[:space:]]*\)[0-9]*;/\18192;/' $conf
	grep -q '^worker_rlimit_nofile' $conf || sed -i '/^worker_processes/a worker_rlimit_nofile 16384;' $conf
	SITE_CHANGED=1
	changed "raised Nginx's worker_connections to 8192 in $conf"
fi
nginx -t -q || psyx_die "nginx rejected the configuration (see above); $NGINX_SITE was written"

# ---- start or reload -----------------------------------------------------
service_up supervisor
# A supervisord that just started runs the new config and binary already.
FRESH_SUPERVISOR=$STARTED_NOW
deadline=$((SECONDS + 30))
until supervisorctl pid >/dev/null 2>&1; do
	[ $SECONDS -lt $deadline ] || psyx_die "supervisord does not answer"
	sleep 0.5
done
UPDATED=""
if [ $SUP_CHANGED = 1 ]; then
	supervisorctl reread >/dev/null
	# (Re)starts the programs whose config changed, adds and removes others.
	UPDATED=$(supervisorctl update)
	[ -z "$UPDATED" ] || printf '%s\n' "$UPDATED" >&2
fi
# A new binary: restart one instance at a time, each healthy before the
# next, so with two or more the site never goes down.
for i in "${!PROGRAMS[@]}"; do
	program=${PROGRAMS[$i]}
	state=$(supervisorctl status "$program" 2>/dev/null | awk '{print $2}')
	if [ $BIN_CHANGED = 1 ] && [ $FRESH_SUPERVISOR = 0 ] && ! grep -q "^$program:" <<<"$UPDATED"; then
		supervisorctl restart "$program" >&2
		changed "restarted $program"
	elif [ "$state" != RUNNING ] && [ "$state" != STARTING ]; then
		supervisorctl start "$program" >&2
		changed "started $program"
	fi
	psyx_wait_http "http://127.0.0.1:$((API_PORT + i))/api/health" 60 ||
		psyx_die "$program is not healthy; see $DATA_DIR/logs/${program}_supervisord_stderr.log"
done
if [ $SITE_CHANGED = 1 ] && service nginx status >/dev/null 2>&1; then
	service nginx reload >/dev/null
	changed "reloaded nginx"
fi
service_up nginx

# ---- check through Nginx -------------------------------------------------
port=${LISTEN%% *}
port=${port##*:}
host=${SERVER_NAME%% *}
[ "$host" = _ ] && host=localhost
if [ -n "$TLS_CERT" ]; then
	health_url=https://$host/api/health
	health_args=(-k --resolve "$host:443:127.0.0.1")
else
	health_url=http://$host:$port/api/health
	health_args=(--resolve "$host:$port:127.0.0.1")
fi
psyx_wait_http "$health_url" 30 "${health_args[@]}" ||
	psyx_die "no 200 from $health_url through Nginx"

mkdir -p "$(dirname "$SETTINGS")"
PSYX_USER=$RUN_USER PSYX_DATA_DIR=$DATA_DIR PSYX_BIN=$BIN PSYX_DB_NAME=$DB_NAME
PSYX_DB_USER=$DB_USER PSYX_LISTEN=$LISTEN PSYX_SERVER_NAME=$SERVER_NAME
PSYX_TLS_CERT=$TLS_CERT PSYX_TLS_KEY=$TLS_KEY PSYX_INSTANCES=$INSTANCES
PSYX_API_PORT=$API_PORT PSYX_NGINX_SITE=$NGINX_SITE PSYX_SUPERVISOR_CONF=$SUPERVISOR_CONF
PSYX_SITE_FLAGS=${PSYX_SITE_FLAGS:-}
for key in "${KEPT[@]}"; do
	printf '%s=%s\n' "$key" "${!key}"
done >"$WORK/install.env"
if psyx_install_if_changed "$WORK/install.env" "$SETTINGS"; then
	changed "kept these parameters in $SETTINGS"
fi

if [ $CHANGES = 0 ]; then
	psyx_say "nothing to do: Psyx is installed and up to date"
else
	psyx_say "done ($CHANGES changes)"
fi
site=http://${SERVER_NAME/#_/<this server>}:$port/
[ -n "$TLS_CERT" ] && site=https://$host/
cat >&2 <<EOF
  Site        $site   admin: ${site}admin/
  Data        $DATA_DIR (packs/, logs/, psyx.htpasswd)
  Supervisor  supervisorctl status ${PROGRAMS[*]}
EOF
