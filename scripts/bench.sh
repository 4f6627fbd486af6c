#!/usr/bin/env bash
# scripts/bench.sh — measures Psyx beside its physical limits, in one run, on
# this machine, loopback only, in about two minutes:
#
#   - a throwaway PostgreSQL cluster with fsync on (durable, as in production)
#   - the psyx binary (go build) with its own data dir, on 127.0.0.1
#   - setup: a 300-pair pack uploaded through the API, 97 one-pair packs and
#     two 300-pair packs by `psyx pack import`, 1,000 and 10,000 replies
#     (300 answers each) inserted with one SQL statement per pack
#   - GET /api/admin/download of 1k and 10k replies (time, RSS) vs psql
#   - a 300 MB pack upload with curl through Nginx (the real site config) and
#     straight to the service (time, RSS) vs cat + fsync of the files
#   - POST /api/reply/start with wrk vs nginx serving a file of its size
#   - POST /api/reply/submit with wrk (unique tokens) vs pgbench inserting
#     the same row into the same PostgreSQL
#   - GET /api/admin/list with 100 packs
#   - idle RSS before and after
#
# It writes a markdown report (figures beside their targets) to stdout and
# to --out FILE (default var/bench/bench-<time>.md); --update-doc also puts
# it between the bench markers of docs/PERFORMANCE.md. Every process it
# starts is stopped on exit.
#
# Options (or environment): --duration SECONDS (BENCH_DURATION, 10),
# --conns N (BENCH_CONNS, 64), --out FILE, --update-doc, --keep (keep the
# temp folder for inspection).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_DIR="$PSYX_ROOT/scripts/bench"

DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNS:-64}
OUT=""
UPDATE_DOC=0
KEEP=0
while [ $# -gt 0 ]; do
	case $1 in
	--duration) DURATION=$2; shift 2 ;;
	--conns) CONNS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--update-doc) UPDATE_DOC=1; shift ;;
	--keep) KEEP=1; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) psyx_die "unknown option $1 (see --help)" ;;
	esac
done
[ -n "$OUT" ] || OUT="$PSYX_ROOT/var/bench/bench-$(date +%Y%m%d-%H%M%S).md"

[ -r /proc/self/status ] || psyx_die "bench.sh needs Linux /proc to read the service's RSS"

# ---------------------------------------------------------------- tools
command -v curl >/dev/null 2>&1 || psyx_apt_install curl
command -v wrk >/dev/null 2>&1 || psyx_apt_install wrk
command -v htpasswd >/dev/null 2>&1 || psyx_apt_install apache2-utils
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || psyx_apt_install nginx
PG_BIN=$(psyx_pg_bin) || {
	psyx_apt_install postgresql
	PG_BIN=$(psyx_pg_bin) || psyx_die "PostgreSQL binaries not found after install"
}
PGBENCH=""
for p in "$PG_BIN/pgbench" "$(command -v pgbench || true)"; do
	[ -n "$p" ] && [ -x "$p" ] && { PGBENCH=$p; break; }
done
NGINX=$(command -v nginx || true)
[ -n "$NGINX" ] || [ ! -x /usr/sbin/nginx ] || NGINX=/usr/sbin/nginx
psyx_ensure_go

# ---------------------------------------------------------------- cleanup
WORK=$(mktemp -d /tmp/psyxbench.XXXXXX)
chmod 0755 "$WORK"
PSYX_PID=""
NGINX_PID=""
SITE_PID=""
PG_STARTED=0
cleanup() {
	local rc=$?
	set +e
	for pid in "$NGINX_PID" "$SITE_PID"; do
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill -QUIT "$pid"
			wait "$pid" 2>/dev/null
		fi
	done
	if [ -n "$PSYX_PID" ] && kill -0 "$PSYX_PID" 2>/dev/null; then
		kill -TERM "$PSYX_PID"
		wait "$PSYX_PID" 2>/dev/null
	fi
	if [ "$PG_STARTED" = 1 ]; then
		as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w -t 30 stop >/dev/null 2>&1
	fi
	if [ "$KEEP" = 1 ]; then
		psyx_say "kept $WORK"
	else
		rm -rf "$WORK"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# as_pg runs a PostgreSQL program as the cluster owner: `postgres` when we
# are root (PostgreSQL refuses to run as root), else ourselves.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

free_port() {
	local p=$1
	while ! psyx_port_free "$p"; do p=$((p + 1)); done
	echo "$p"
}

# ---------------------------------------------------------------- helpers
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
# reset_hwm makes VmHWM start again from the current RSS (Linux >= 4.0).
reset_hwm() { echo 5 >"/proc/$1/clear_refs"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }

# The wrk report, reduced to "rps p50_ms p99_ms requests non2xx errors".
wrk_summary() {
	awk '
	function ms(v) {
		if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
		if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
		if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
		return v + 0
	}
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/requests in/ { reqs = $1 }
	/Non-2xx or 3xx responses:/ { bad = $NF }
	/Socket errors:/ { err = $0; sub(/.*Socket errors: /, "", err); gsub(/ /, "", err) }
	/^Requests\/sec:/ { rps = $2 }
	END { printf "%.0f %.2f %.2f %d %d %s\n", rps, p50, p99, reqs, bad + 0, (err == "" ? "none" : err) }' "$1"
}

# CPU accounting, to show where each run's time went on this shared box:
# the service, PostgreSQL (postmaster + backends, including those that
# exited), nginx, the load generator, and everything else on the machine.
TCK=$(getconf CLK_TCK)
proc_ticks() { # PID -> utime+stime+cutime+cstime, 0 when gone
	if [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ]; then
		sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13 + $14 + $15}'
	else
		echo 0
	fi
}
tree_ticks() { # PID -> its ticks plus its live children's
	[ -n "${1:-}" ] || { echo 0; return; }
	{
		proc_ticks "$1"
		for c in $(pgrep -P "$1" 2>/dev/null); do proc_ticks "$c"; done
	} | awk '{s += $1} END {print s + 0}'
}
pg_pid() { head -n 1 "$WORK/pg/data/postmaster.pid" 2>/dev/null; }
# A backend that is exiting drops out of its own /proc entry a moment
# before the postmaster's cutime takes it in: sample a few times and keep
# the highest, so a run's end is not booked as negative CPU.
settled_ticks() { # PID
	local a b c
	a=$(tree_ticks "$1")
	sleep 0.15
	b=$(tree_ticks "$1")
	sleep 0.15
	c=$(tree_ticks "$1")
	printf '%s\n%s\n%s\n' "$a" "$b" "$c" | sort -n | tail -n 1
}
sys_ticks() { awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t; exit}' /proc/stat; }

declare -A CPU_ROW
CPU_ORDER=()
cpu_begin() {
	C0_PSYX=$(proc_ticks "$PSYX_PID")
	C0_PG=$(settled_ticks "$(pg_pid)")
	C0_NGX=$(tree_ticks "$NGINX_PID")
	read -r C0_BUSY C0_TOTAL < <(sys_ticks)
}
cpu_end() { # NAME REQUESTS CLIENT_CPU_SECONDS
	local psyx pg ngx busy total
	psyx=$(($(proc_ticks "$PSYX_PID") - C0_PSYX))
	pg=$(($(settled_ticks "$(pg_pid)") - C0_PG))
	ngx=$(($(tree_ticks "$NGINX_PID") - C0_NGX))
	read -r busy total < <(sys_ticks)
	busy=$((busy - C0_BUSY))
	total=$((total - C0_TOTAL))
	CPU_ORDER+=("$1")
	CPU_ROW[$1]=$(awk -v n="$2" -v cl="$3" -v psyx="$psyx" -v pg="$pg" -v ngx="$ngx" -v busy="$busy" -v total="$total" -v tck="$TCK" '
		function us(t) { return n > 0 ? sprintf("%.0f", t / tck * 1e6 / n) : "n/a" }
		BEGIN {
			clt = cl * tck
			other = busy - psyx - pg - ngx - clt; if (other < 0) other = 0
			printf "%d | %s | %s | %s | %s | %.0f%% | %.0f%%", n, us(psyx), us(pg), (ngx > 0 ? us(ngx) : "–"), us(clt),
				(total > 0 ? 100 * busy / total : 0), (total > 0 ? 100 * other / total : 0)
		}')
}

run_wrk() { # NAME URL [wrk args...]; the raw report goes to $WORK/wrk-NAME.txt
	local name=$1 url=$2
	shift 2
	psyx_say "wrk $name: $CONNS connections, ${DURATION}s"
	cpu_begin
	local TIMEFORMAT='%3U %3S'
	{ time wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency "$url" "$@" >"$WORK/wrk-$name.txt" 2>&1; } 2>"$WORK/time-$name.txt" ||
		psyx_die "wrk $name failed: $(cat "$WORK/wrk-$name.txt")"
	local reqs
	reqs=$(awk '/requests in/ {print $1}' "$WORK/wrk-$name.txt")
	cpu_end "$name (wrk)" "$reqs" "$(awk '{print $1 + $2}' "$WORK/time-$name.txt")"
}

psql_q() { psql -X -q -At -h "$PG_SOCK" -p 5432 -U postgres -d psyx "$@"; }

COMMANDS=()
note_cmd() { COMMANDS+=("$*"); }

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$SECONDS

# ---------------------------------------------------------------- build
psyx_say "building psyx"
(cd "$PSYX_ROOT" && go build -o "$WORK/psyx" .)
note_cmd "go build -o psyx ."

# ---------------------------------------------------------------- postgres
psyx_say "starting a durable PostgreSQL cluster (fsync on) in $WORK/pg"
mkdir -p "$WORK/pg"
[ "$(id -u)" -ne 0 ] || chown postgres: "$WORK/pg"
PG_SOCK="$WORK/pg/sock"
as_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust -E UTF8 --locale=C >"$WORK/initdb.log" 2>&1 ||
	psyx_die "initdb failed: $(cat "$WORK/initdb.log")"
as_pg mkdir "$PG_SOCK"
as_pg sh -c "cat >>'$WORK/pg/data/postgresql.conf'" <<EOF
listen_addresses = ''
unix_socket_directories = '$PG_SOCK'
port = 5432
max_connections = 200
shared_buffers = 128MB
# durable, as in production: these are PostgreSQL's defaults, stated here
fsync = on
synchronous_commit = on
full_page_writes = on
EOF
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 start >/dev/null
PG_STARTED=1
as_pg "$PG_BIN/createdb" -h "$PG_SOCK" -U postgres psyx
PG_VERSION=$(psql_q -c 'SHOW server_version')
note_cmd "initdb -D DATA -U postgres --auth=trust -E UTF8 --locale=C; fsync=on synchronous_commit=on shared_buffers=128MB max_connections=200, unix socket only"

# ---------------------------------------------------------------- psyx
PORT=$(free_port 15800)
export PSYX_DATABASE_URL="host=$PG_SOCK port=5432 user=postgres dbname=psyx sslmode=disable"
export PSYX_DATA_DIR="$WORK/data"
export PSYX_ADDR="127.0.0.1:$PORT"
unset PSYX_CONFIG PSYX_PAIRS_PER_PACK
BASE="http://127.0.0.1:$PORT"
psyx_say "starting psyx on $BASE"
"$WORK/psyx" serve 2>"$WORK/psyx.stderr" &
PSYX_PID=$!
psyx_wait_http "$BASE/api/health" 60 || psyx_die "psyx did not come up: $(cat "$WORK/psyx.stderr")"
note_cmd "PSYX_DATABASE_URL=... PSYX_DATA_DIR=TMP/data PSYX_ADDR=127.0.0.1:$PORT ./psyx serve   (defaults otherwise: 300 pairs per pack, db_max_conns 20)"
sleep 2
IDLE_RSS=$(rss_kb "$PSYX_PID")

# ---------------------------------------------------------------- setup
psyx_say "setup: packs and replies"
# 300 pairs of tiny JPEGs (the magic bytes are all the service checks).
mkdir -p "$WORK/stim" "$WORK/stim1"
for i in $(seq -f %05g 1 300); do
	printf '\377\330\377\340\000\020JFIF\000' >"$WORK/stim/face_${i}_ori.jpg"
	printf '\377\330\377\340\000\020JFIF\000' >"$WORK/stim/face_${i}_inv.jpg"
done
printf '\377\330\377\340\000\020JFIF\000' >"$WORK/stim1/one_00001_ori.jpg"
printf '\377\330\377\340\000\020JFIF\000' >"$WORK/stim1/one_00001_inv.jpg"

# The participants' pack (women 20-29) through the API, as a browser sends it.
curl_files=()
for f in "$WORK"/stim/*.jpg; do curl_files+=(-F "file=@$f;filename=faces/$(basename "$f")"); done
created=$(curl -sS --fail-with-body -F pack_name=female20s -F sex=2 -F age_min=20 -F age_max=29 "${curl_files[@]}" "$BASE/api/admin/create") ||
	psyx_die "create pack: $created"
MAIN_ID=$(echo "$created" | sed -n 's/^Pack \([0-9]*\) Added\.$/\1/p')
[ -n "$MAIN_ID" ] || psyx_die "create pack: $created"
note_cmd "curl -F pack_name=female20s -F sex=2 -F age_min=20 -F age_max=29 -F file=@... x600 $BASE/api/admin/create"

import_pack() { # NAME SEX MIN MAX DIR [PAIRS]
	PSYX_PAIRS_PER_PACK=${6:-300} "$WORK/psyx" pack import --name "$1" --sex "$2" --age-min "$3" --age-max "$4" "$5" \
		>"$WORK/import.log" 2>&1 || psyx_die "pack import $1: $(cat "$WORK/import.log")"
	sed -n 's/^Pack \([0-9]*\) Added\.$/\1/p' "$WORK/import.log"
}
DL1K_ID=$(import_pack dl1k 1 100 104 "$WORK/stim")
DL10K_ID=$(import_pack dl10k 1 105 109 "$WORK/stim")
# 97 one-pair packs, so list shows 100: men 0..48 and women 30..77, one year each.
for a in $(seq 0 48); do import_pack "m$a" 1 "$a" "$a" "$WORK/stim1" 1 >/dev/null; done
for a in $(seq 30 77); do import_pack "f$a" 2 "$a" "$a" "$WORK/stim1" 1 >/dev/null; done
note_cmd "PSYX_PAIRS_PER_PACK=1 ./psyx pack import --name mNN --sex S --age-min A --age-max A DIR   (x97), ./psyx pack import ... (dl1k, dl10k: 300 pairs)"

# One complete answers array (300 answers, keys F, J and timeouts), ~15 KB.
ANSWERS=$(
	keys=(F J ' ')
	printf '['
	for i in $(seq 1 300); do
		[ "$i" -eq 1 ] || printf ','
		printf '["%s",%s,"face_%05d_ori.jpg","face_%05d_inv.jpg"]' "${keys[$((i % 3))]}" "0.$((i % 7 + 3))$((i % 10))" "$i" "$i"
	done
	printf ']'
)
PERSON='"name":"홍길동","email":"hong@example.com","no":"2020123","sex":2,"age":25,"phone":"010-1234-5678"'
printf '{%s}' "$PERSON" >"$WORK/start.json"
printf '{%s,"p_id":%s,"answers":%s,"token":"TOKENMARK"}' "$PERSON" "$MAIN_ID" "$ANSWERS" >"$WORK/submit.json"
SUBMIT_BYTES=$(($(wc -c <"$WORK/submit.json") + 8))

# A real submit first: the body is valid, and its stored answers are the
# JSONB every other row gets.
got=$(sed "s/TOKENMARK/setup-0001/" "$WORK/submit.json" | curl -sS -H 'Content-Type: application/json' --data-binary @- "$BASE/api/reply/submit")
[ "$got" = "Reply Submitted." ] || psyx_die "submit: $got"

insert_replies() { # P_ID N
	psql_q -v ON_ERROR_STOP=1 -v pid="$1" -v n="$2" -v answers="$ANSWERS" <<'EOF'
INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers)
SELECT :pid, '홍길동', 'hong@example.com', '2020123', 1, 102, '010-1234-5678', :'answers'::jsonb
FROM generate_series(1, :n);
EOF
}
insert_replies "$DL1K_ID" 1000
insert_replies "$DL10K_ID" 10000
psql_q -c 'VACUUM ANALYZE' >/dev/null
note_cmd "psql: INSERT INTO reply (...) SELECT ..., :'answers'::jsonb FROM generate_series(1, N)  (N = 1000, 10000); VACUUM ANALYZE"
SETUP_S=$((SECONDS - T0))
SETUP_RSS=$(rss_kb "$PSYX_PID")

# ---------------------------------------------------------------- download
download() { # P_ID -> "seconds bytes"
	curl -sS --fail -o /dev/null -w '%{time_total} %{size_download}\n' "$BASE/api/admin/download?id=$1"
}
psql_json() { # P_ID -> seconds
	local t0 t1
	t0=$(now_s)
	psql_q -v ON_ERROR_STOP=1 -v pid="$1" >/dev/null <<'EOF'
SELECT row_to_json(r) FROM (
  SELECT r_id, p_id, name, email, no, sex, age, phone,
         to_char(created_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD HH24:MI:SS') AS date, answers
  FROM reply WHERE p_id = :pid ORDER BY r_id) r;
EOF
	t1=$(now_s)
	elapsed "$t0" "$t1"
}
best_of() { sort -n | head -n 1; }

psyx_say "download: 1,000 and 10,000 replies"
RSS_DL_BEFORE=$(rss_kb "$PSYX_PID")
reset_hwm "$PSYX_PID"
# timed RUNS NAME CMD...: runs CMD RUNS times, puts the fastest output line
# in TIMED_BEST, and books the CPU of all runs under NAME (the client's CPU
# from bash's `time`). Not in $(...): the CPU table lives in this shell.
timed() {
	local runs=$1 name=$2 i
	shift 2
	cpu_begin
	local TIMEFORMAT='%3U %3S'
	{ time for ((i = 0; i < runs; i++)); do "$@"; done >"$WORK/timed.txt"; } 2>"$WORK/time-timed.txt"
	cpu_end "$name" "$runs" "$(awk '{print $1 + $2}' "$WORK/time-timed.txt")"
	TIMED_BEST=$(best_of <"$WORK/timed.txt")
}
timed 3 "download 1k (curl), per download" download "$DL1K_ID"
DL1K=$TIMED_BEST
HWM_DL1K=$(hwm_kb "$PSYX_PID")
timed 2 "download 10k (curl), per download" download "$DL10K_ID"
DL10K=$TIMED_BEST
HWM_DL10K=$(hwm_kb "$PSYX_PID")
timed 3 "psql 1k as JSON, per run" psql_json "$DL1K_ID"
PSQL1K=$TIMED_BEST
timed 2 "psql 10k as JSON, per run" psql_json "$DL10K_ID"
PSQL10K=$TIMED_BEST
note_cmd "curl -o /dev/null -w '%{time_total}' '$BASE/api/admin/download?id=ID'   (best of 3 for 1k, of 2 for 10k; VmHWM reset with 'echo 5 > /proc/PID/clear_refs' before)"
note_cmd "psql -At -c \"SELECT row_to_json(r) FROM (SELECT r_id, p_id, name, email, no, sex, age, phone, to_char(created_at ...) AS date, answers FROM reply WHERE p_id = ID ORDER BY r_id) r\" > /dev/null   (best of 3 / 2)"

# ---------------------------------------------------------------- upload
psyx_say "upload: a 300-pair pack of ~500 KB files (~300 MB)"
mkdir -p "$WORK/big" "$WORK/catdir"
{
	printf '\377\330\377\340\000\020JFIF\000'
	head -c $((500 * 1024 - 11)) /dev/urandom
} >"$WORK/big/blob.jpg"
big_files=()
for i in $(seq -f %05g 1 300); do
	big_files+=(-F "file=@$WORK/big/blob.jpg;filename=big/big_${i}_ori.jpg" -F "file=@$WORK/big/blob.jpg;filename=big/big_${i}_inv.jpg")
done
UPLOAD_BYTES=$((600 * 500 * 1024))
# Through Nginx with the production site config (rendered from the same
# template as install.sh: basic auth, proxy_request_buffering off), as a
# researcher's browser uploads; then straight to the service.
SITE_PORT=$(free_port $((PORT + 2)))
SITE_RUN=$WORK/site
mkdir -p "$SITE_RUN/tmp"
psyx_htpasswd_set "$PSYX_DATA_DIR/psyx.htpasswd" bench benchpw
chmod -R a+rX "$PSYX_DATA_DIR"
"$WORK/psyx" render-config nginx-site --listen "127.0.0.1:$SITE_PORT" --server-name localhost \
	--html-dir "$PSYX_ROOT/nginx/html" --data-dir "$PSYX_DATA_DIR" --upstream "127.0.0.1:$PORT" --out "$SITE_RUN/psyx.conf"
site_user=()
[ "$(id -u)" -ne 0 ] || site_user=(--user "$(id -un) $(id -gn)")
"$WORK/psyx" render-config nginx-standalone "${site_user[@]}" --run-dir "$SITE_RUN" --site "$SITE_RUN/psyx.conf" --out "$SITE_RUN/nginx.conf"
"$NGINX" -p "$SITE_RUN" -c "$SITE_RUN/nginx.conf" 2>"$SITE_RUN/stderr" &
SITE_PID=$!
SITE="http://127.0.0.1:$SITE_PORT"
psyx_wait_http "$SITE/api/admin/list" 20 -u bench:benchpw || psyx_die "site nginx did not start: $(cat "$SITE_RUN/stderr" "$SITE_RUN/nginx-error.log" 2>/dev/null)"

# upload_big URL [CURL ARGS]: time, peak RSS growth, then remove the pack
# again (row and folder), so list shows 100 packs.
upload_big() {
	local url=$1
	shift
	sync
	UP_BEFORE=$(rss_kb "$PSYX_PID")
	reset_hwm "$PSYX_PID"
	t0=$(now_s)
	got=$(curl -sS "$@" -F pack_name=big -F sex=1 -F age_min=110 -F age_max=120 "${big_files[@]}" "$url/api/admin/create")
	t1=$(now_s)
	[[ $got == "Pack "*" Added." ]] || psyx_die "big upload via $url: $got"
	UP_S=$(elapsed "$t0" "$t1")
	UP_HWM=$(hwm_kb "$PSYX_PID")
	BIG_ID=${got//[!0-9]/}
	t0=$(now_s)
	got=$(curl -sS "$@" "$url/api/admin/remove?id=$BIG_ID")
	t1=$(now_s)
	[ "$got" = "Pack $BIG_ID Deleted." ] || psyx_die "remove: $got"
	REMOVE_S=$(elapsed "$t0" "$t1")
}
upload_big "$SITE" -u bench:benchpw
UPLOAD_NGINX_S=$UP_S RSS_UPN_BEFORE=$UP_BEFORE HWM_UPN=$UP_HWM
kill -QUIT "$SITE_PID"
wait "$SITE_PID" 2>/dev/null || true
SITE_PID=""
upload_big "$BASE"
UPLOAD_S=$UP_S RSS_UP_BEFORE=$UP_BEFORE HWM_UP=$UP_HWM
# The physical limit: the same 600 files written by cat, each fsynced (as
# the service does before the pack's row commits).
t0=$(now_s)
for i in $(seq -f %05g 1 300); do
	cat "$WORK/big/blob.jpg" >"$WORK/catdir/big_${i}_ori.jpg"
	cat "$WORK/big/blob.jpg" >"$WORK/catdir/big_${i}_inv.jpg"
done
sync "$WORK"/catdir/*
t1=$(now_s)
CAT_S=$(elapsed "$t0" "$t1")
rm -rf "$WORK/catdir"
note_cmd "nginx with nginx/psyx.conf.template rendered by scripts/lib.sh (as install.sh does) on 127.0.0.1:$SITE_PORT, proxying to psyx"
note_cmd "curl -u bench:PW -F pack_name=big -F sex=1 -F age_min=110 -F age_max=120 -F 'file=@blob.jpg;filename=big/big_NNNNN_ori.jpg' ... x600 $SITE/api/admin/create   (500 KB random bytes after a JPEG header); then the same to $BASE directly"
note_cmd "curl '$BASE/api/admin/remove?id=ID'   (the big pack goes again)"
note_cmd "for each of the 600 files: cat blob.jpg > DIR/FILE; then sync DIR/*   (fsync of each file)"

# ---------------------------------------------------------------- list
psyx_say "list"
NPACKS=$(curl -sS "$BASE/api/admin/list" | grep -o '"p_id"' | wc -l)
LIST_REPLIES=$(psql_q -c 'SELECT count(*) FROM reply')
run_wrk list "$BASE/api/admin/list"
read -r LIST_RPS LIST_P50 LIST_P99 LIST_N LIST_BAD LIST_ERR < <(wrk_summary "$WORK/wrk-list.txt")
note_cmd "wrk -t2 -c$CONNS -d${DURATION}s --latency $BASE/api/admin/list   ($NPACKS packs; again after the submit runs)"

# ---------------------------------------------------------------- start
psyx_say "start"
reset_hwm "$PSYX_PID"
run_wrk start "$BASE" -s "$BENCH_DIR/start.lua" -- "$WORK/start.json"
read -r START_RPS START_P50 START_P99 START_N START_BAD START_ERR < <(wrk_summary "$WORK/wrk-start.txt")
START_BYTES=$(curl -sS -o "$WORK/start-response.json" -w '%{size_download}' -H 'Content-Type: application/json' --data-binary @"$WORK/start.json" "$BASE/api/reply/start")
note_cmd "wrk -t2 -c$CONNS -d${DURATION}s --latency -s scripts/bench/start.lua $BASE -- start.json"

NGINX_RPS="" NGINX_P99=""
if [ -n "$NGINX" ]; then
	psyx_say "nginx: a static file of the start response's size ($START_BYTES bytes)"
	NPORT=$(free_port $((PORT + 1)))
	mkdir -p "$WORK/nginx/tmp" "$WORK/www"
	cp "$WORK/start-response.json" "$WORK/www/start.json"
	chmod -R a+rX "$WORK/www"
	user_line=""
	[ "$(id -u)" -ne 0 ] || user_line="user $(id -un) $(id -gn);"
	cat >"$WORK/nginx/nginx.conf" <<EOF
$user_line
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $WORK/nginx/tmp/body;
	proxy_temp_path $WORK/nginx/tmp/proxy;
	fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
	uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
	scgi_temp_path $WORK/nginx/tmp/scgi;
	default_type application/json;
	server {
		listen 127.0.0.1:$NPORT;
		root $WORK/www;
	}
}
EOF
	"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' 2>"$WORK/nginx/stderr" &
	NGINX_PID=$!
	psyx_wait_http "http://127.0.0.1:$NPORT/start.json" 20 || psyx_die "nginx did not start: $(cat "$WORK/nginx/stderr" "$WORK/nginx/error.log" 2>/dev/null)"
	run_wrk nginx "http://127.0.0.1:$NPORT/start.json"
	read -r NGINX_RPS _ NGINX_P99 _ NGINX_BAD _ < <(wrk_summary "$WORK/wrk-nginx.txt")
	kill -QUIT "$NGINX_PID"
	wait "$NGINX_PID" 2>/dev/null || true
	NGINX_PID=""
	note_cmd "nginx (worker_processes auto, access_log off) serving a $START_BYTES-byte file; wrk -t2 -c$CONNS -d${DURATION}s --latency http://127.0.0.1:$NPORT/start.json"
fi

# ---------------------------------------------------------------- submit
psyx_say "submit"
ROWS_BEFORE=$(psql_q -c "SELECT count(*) FROM reply WHERE p_id = $MAIN_ID")
run_wrk submit "$BASE" -s "$BENCH_DIR/submit.lua" -- "$WORK/submit.json" "$(date +%s)"
read -r SUBMIT_RPS SUBMIT_P50 SUBMIT_P99 SUBMIT_N SUBMIT_BAD SUBMIT_ERR < <(wrk_summary "$WORK/wrk-submit.txt")
HWM_LOAD=$(hwm_kb "$PSYX_PID") # peak since the reset before start: start and submit
sleep 1 # requests wrk gave up on at the end may still commit
ROWS_AFTER=$(psql_q -c "SELECT count(*) FROM reply WHERE p_id = $MAIN_ID")
SUBMIT_ROWS=$((ROWS_AFTER - ROWS_BEFORE))
note_cmd "wrk -t2 -c$CONNS -d${DURATION}s --latency -s scripts/bench/submit.lua $BASE -- submit.json RUNID   (a new token per request)"

PG_RPS_64="" PG_RPS_20="" PG_LAT_64="" PG_LAT_20=""
if [ -n "$PGBENCH" ]; then
	for c in "$CONNS" 20; do
		psyx_say "pgbench: the same INSERT, $c clients"
		cpu_begin
		TIMEFORMAT='%3U %3S'
		{ time "$PGBENCH" -n -M prepared -c "$c" -j 2 -T "$DURATION" -f "$BENCH_DIR/insert_reply.sql" \
			-D p_id="$MAIN_ID" -D answers="$ANSWERS" -h "$PG_SOCK" -p 5432 -U postgres psyx >"$WORK/pgbench-$c.txt" 2>&1; } 2>"$WORK/time-pgbench-$c.txt" ||
			psyx_die "pgbench failed: $(cat "$WORK/pgbench-$c.txt")"
		cpu_end "pgbench insert, $c clients" "$(awk '/^number of transactions actually processed:/ {print $NF}' "$WORK/pgbench-$c.txt")" \
			"$(awk '{print $1 + $2}' "$WORK/time-pgbench-$c.txt")"
		tps=$(awk '/^tps = / {printf "%.0f", $3; exit}' "$WORK/pgbench-$c.txt")
		lat=$(awk '/^latency average = / {print $4; exit}' "$WORK/pgbench-$c.txt")
		if [ "$c" = 20 ]; then PG_RPS_20=$tps PG_LAT_20=$lat; else PG_RPS_64=$tps PG_LAT_64=$lat; fi
	done
	note_cmd "pgbench -n -M prepared -c $CONNS -j 2 -T $DURATION -f scripts/bench/insert_reply.sql -D p_id=ID -D answers=THE_300_ANSWERS -h SOCK -U postgres psyx   (and -c 20, the service's pool size)"
fi

# ---------------------------------------------------------------- list, again
psyx_say "list, after the submit runs"
LIST2_REPLIES=$(psql_q -c 'SELECT count(*) FROM reply')
run_wrk list2 "$BASE/api/admin/list"
read -r LIST2_RPS LIST2_P50 LIST2_P99 LIST2_N LIST2_BAD LIST2_ERR < <(wrk_summary "$WORK/wrk-list2.txt")

sleep 5
IDLE_AFTER_RSS=$(rss_kb "$PSYX_PID")
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
TOTAL_S=$((SECONDS - T0))

# ---------------------------------------------------------------- report
verdict() { # EXPR -> "met" / "**missed**"
	if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "**missed**"; fi
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "n/a" }'; }

read -r DL1K_S DL1K_B <<<"$DL1K"
read -r DL10K_S DL10K_B <<<"$DL10K"
DL_GROWTH=$((HWM_DL10K - HWM_DL1K))
UP_GROWTH=$((HWM_UP - RSS_UP_BEFORE))
UPN_GROWTH=$((HWM_UPN - RSS_UPN_BEFORE))
PG_BEST=$(awk -v a="${PG_RPS_64:-0}" -v b="${PG_RPS_20:-0}" 'BEGIN { print (a > b ? a : b) }')
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)

mkdir -p "$(dirname "$OUT")"
{
	echo "### Run of $(date '+%Y-%m-%d %H:%M:%S %Z')"
	echo
	echo "Machine: $(nproc) cores ($CPU), $MEM RAM, $(uname -sr); PostgreSQL $PG_VERSION (fsync on), $(go version | cut -d' ' -f3), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)${NGINX:+, $("$NGINX" -v 2>&1 | cut -d' ' -f3)}."
	echo "Load average at start $LOAD_START, at end $LOAD_END (other work on the machine shares its $(nproc) cores; wrk itself uses one of them)."
	echo "Run took ${TOTAL_S}s (setup ${SETUP_S}s). $CONNS connections, ${DURATION}s per wrk/pgbench run; all traffic on 127.0.0.1."
	echo
	echo "| what | measured | target | |"
	echo "| --- | --- | --- | --- |"
	echo "| start p50 / p99 at $CONNS conns | $START_P50 / $START_P99 ms | p99 < 50 ms | $(verdict "$START_P99 < 50") |"
	echo "| start rate | $START_RPS req/s ($START_BAD non-2xx, socket errors: $START_ERR) | | |"
	if [ -n "$NGINX_RPS" ]; then
		echo "| nginx, static file of $START_BYTES B | $NGINX_RPS req/s (p99 $NGINX_P99 ms) | | |"
		echo "| start rate / nginx rate | $(pct "$START_RPS" "$NGINX_RPS") | ≥ 40% | $(verdict "$START_RPS >= 0.4 * $NGINX_RPS") |"
	fi
	echo "| submit p50 / p99 at $CONNS conns | $SUBMIT_P50 / $SUBMIT_P99 ms | p99 < 50 ms | $(verdict "$SUBMIT_P99 < 50") |"
	echo "| submit rate (~$((SUBMIT_BYTES / 1024)) KB bodies) | $SUBMIT_RPS req/s ($SUBMIT_BAD non-2xx, socket errors: $SUBMIT_ERR; $SUBMIT_ROWS rows stored for $SUBMIT_N answered) | | |"
	if [ -n "$PGBENCH" ]; then
		echo "| pgbench, same INSERT, $CONNS / 20 clients | $PG_RPS_64 / $PG_RPS_20 tps (avg latency $PG_LAT_64 / $PG_LAT_20 ms) | | |"
		echo "| submit rate / best pgbench rate | $(pct "$SUBMIT_RPS" "$PG_BEST") | ≥ 70% | $(verdict "$SUBMIT_RPS >= 0.7 * $PG_BEST") |"
	fi
	echo "| list, $NPACKS packs, $LIST_REPLIES replies | $LIST_RPS req/s, p50 / p99 $LIST_P50 / $LIST_P99 ms ($LIST_BAD non-2xx) | | |"
	echo "| list, $NPACKS packs, $LIST2_REPLIES replies (after submit and pgbench) | $LIST2_RPS req/s, p50 / p99 $LIST2_P50 / $LIST2_P99 ms ($LIST2_BAD non-2xx) | | |"
	echo "| download 1,000 replies | ${DL1K_S} s, $((DL1K_B / 1048576)) MB; psql ${PSQL1K} s ($(ratio "$DL1K_S" "$PSQL1K")) | | |"
	echo "| download 10,000 replies | ${DL10K_S} s, $((DL10K_B / 1048576)) MB; psql ${PSQL10K} s | ≤ 1.5× psql | $(ratio "$DL10K_S" "$PSQL10K") $(verdict "$DL10K_S <= 1.5 * $PSQL10K") |"
	echo "| download RSS: before / peak 1k / peak 10k | $(mb "$RSS_DL_BEFORE") / $(mb "$HWM_DL1K") / $(mb "$HWM_DL10K") MB | growth 1k→10k < 32 MB | $(mb "$DL_GROWTH") MB $(verdict "$DL_GROWTH < 32 * 1024") |"
	echo "| upload 300 pairs × 500 KB ($((UPLOAD_BYTES / 1048576)) MB) through Nginx (site config) | ${UPLOAD_NGINX_S} s; cat + fsync of the files ${CAT_S} s | ≤ 2× cat | $(ratio "$UPLOAD_NGINX_S" "$CAT_S") $(verdict "$UPLOAD_NGINX_S <= 2 * $CAT_S") |"
	echo "| upload RSS through Nginx: before / peak | $(mb "$RSS_UPN_BEFORE") / $(mb "$HWM_UPN") MB | growth < 64 MB | $(mb "$UPN_GROWTH") MB $(verdict "$UPN_GROWTH < 64 * 1024") |"
	echo "| the same upload straight to the service | ${UPLOAD_S} s | | $(ratio "$UPLOAD_S" "$CAT_S") |"
	echo "| remove of that pack (row + 600-file folder) | ${REMOVE_S} s | | |"
	echo "| upload RSS straight: before / peak | $(mb "$RSS_UP_BEFORE") / $(mb "$HWM_UP") MB | growth < 64 MB | $(mb "$UP_GROWTH") MB $(verdict "$UP_GROWTH < 64 * 1024") |"
	echo "| idle RSS after start | $(mb "$IDLE_RSS") MB | < 30 MB | $(verdict "$IDLE_RSS < 30 * 1024") |"
	echo "| RSS after setup / peak under wrk load / idle 5 s after | $(mb "$SETUP_RSS") / $(mb "$HWM_LOAD") / $(mb "$IDLE_AFTER_RSS") MB | | |"
	echo
	echo "Where the CPU went during each run, in CPU microseconds per request ($(nproc) cores give $(nproc) s of CPU per second; \"others\" is the share of the machine used by work that is not this benchmark's):"
	echo
	echo "| run | requests | psyx µs/req | PostgreSQL µs/req | nginx µs/req | client µs/req | machine busy | others |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
	for k in "${CPU_ORDER[@]}"; do echo "| $k | ${CPU_ROW[$k]} |"; done
	echo
	echo "Commands (TMP is a fresh temp folder; ID the pack's p_id):"
	echo
	for c in "${COMMANDS[@]}"; do echo "    $c"; done
} >"$OUT"
cat "$OUT"

if [ "$UPDATE_DOC" = 1 ]; then
	doc="$PSYX_ROOT/docs/PERFORMANCE.md"
	begin='<!-- bench.sh:begin -->'
	end='<!-- bench.sh:end -->'
	mkdir -p "$(dirname "$doc")"
	if [ -f "$doc" ] && grep -qF "$begin" "$doc" && grep -qF "$end" "$doc"; then
		awk -v b="$begin" -v e="$end" -v f="$OUT" '
			$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
			$0 == e { skip = 0 }
			!skip { print }' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
	else
		{ echo; echo "$begin"; cat "$OUT"; echo "$end"; } >>"$doc"
	fi
	psyx_say "updated $doc"
fi
psyx_say "report: $OUT"
