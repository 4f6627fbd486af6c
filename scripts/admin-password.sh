#!/usr/bin/env bash
# Set (add or change) an admin account's password in psyx.htpasswd (bcrypt),
# or remove an account. Nginx reads the file on every request: no reload.
#
#   scripts/admin-password.sh [USER]           prompt for USER's password (default admin)
#   PSYX_ADMIN_PASSWORD=... scripts/admin-password.sh [USER]   non-interactive
#   scripts/admin-password.sh --delete USER
#
# Run it as the data folder's owner (ubuntu) or with sudo. The file is
# PSYX_DATA_DIR/psyx.htpasswd, PSYX_DATA_DIR defaulting to ~PSYX_USER/PsyxStatic
# (PSYX_USER=ubuntu).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

delete=0
if [ "${1:-}" = --delete ]; then
	delete=1
	shift
	[ -n "${1:-}" ] || psyx_die "usage: $0 --delete USER"
fi
case ${1:-} in -h | --help)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
esac
user=${1:-admin}
[[ $user =~ ^[A-Za-z0-9._-]+$ ]] || psyx_die "user name $user: use letters, digits, . _ -"
command -v htpasswd >/dev/null 2>&1 || psyx_die "htpasswd not found: apt-get install apache2-utils"

run_user=${PSYX_USER:-ubuntu}
if [ -z "${PSYX_DATA_DIR:-}" ]; then
	home=$(getent passwd "$run_user" | cut -d: -f6) || psyx_die "user $run_user unknown: set PSYX_DATA_DIR"
	PSYX_DATA_DIR=$home/PsyxStatic
fi
file=$PSYX_DATA_DIR/psyx.htpasswd
[ -d "$PSYX_DATA_DIR" ] || psyx_die "$PSYX_DATA_DIR does not exist (run scripts/install.sh first, or set PSYX_DATA_DIR)"

if [ $delete = 1 ]; then
	htpasswd -D "$file" "$user"
	exit 0
fi
# htpasswd rewrites the file in place, so its owner and mode (readable by
# Nginx's group, nobody else) stay as they are.
if [ -n "${PSYX_ADMIN_PASSWORD:-}" ]; then
	psyx_htpasswd_set "$file" "$user" "$PSYX_ADMIN_PASSWORD"
else
	create=()
	[ -s "$file" ] || create=(-c)
	htpasswd "${create[@]}" -B -C 10 "$file" "$user"
fi
psyx_say "password of $user set in $file"
