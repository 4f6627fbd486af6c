#!/usr/bin/env bash
# Shell helpers shared by install.sh, run.sh, test.sh and admin-password.sh
# (sourced).
# The configs are rendered by the binary: `psyx render-config`.

PSYX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

psyx_say() { printf '==> %s\n' "$*" >&2; }
psyx_warn() { printf 'warning: %s\n' "$*" >&2; }
psyx_die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# psyx_as_root runs a command as root: directly when we are root, else with
# sudo (-n when there is no terminal to ask for a password on).
psyx_as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif [ -t 0 ]; then
		sudo "$@"
	else
		sudo -n "$@"
	fi
}

# psyx_install_if_changed SRC DST [MODE]: moves SRC over DST only when they
# differ; returns 0 when DST changed, 1 when it was already the same. Keeping
# unchanged files untouched is what makes install.sh idempotent.
psyx_install_if_changed() {
	local src=$1 dst=$2 mode=${3:-0644}
	if [ -f "$dst" ] && cmp -s "$src" "$dst"; then
		rm -f "$src"
		return 1
	fi
	# A copy next to DST, then a rename: atomic, and a running binary is
	# replaced rather than overwritten ("text file busy").
	local tmp="$dst.new.$$"
	if ! { cp "$src" "$tmp" && chmod "$mode" "$tmp" && mv -f "$tmp" "$dst"; }; then
		rm -f "$tmp"
		psyx_die "could not install $dst"
	fi
	rm -f "$src"
	return 0
}

# psyx_apt_install PACKAGE... installs the Debian packages that are missing,
# with one `apt-get update` first and only when something is missing; it
# leaves their names in PSYX_INSTALLED.
PSYX_INSTALLED=""
psyx_apt_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	command -v apt-get >/dev/null 2>&1 || psyx_die "missing packages (${missing[*]}) and no apt-get: install them by hand"
	psyx_say "installing ${missing[*]}"
	psyx_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 ||
		psyx_die "apt-get update failed"
	psyx_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
		psyx_die "apt-get install ${missing[*]} failed"
	PSYX_INSTALLED="${missing[*]}"
}

# psyx_go_version_wanted prints the toolchain go.mod asks for.
psyx_go_version_wanted() {
	local v
	v=$(sed -n 's/^toolchain go\([0-9.]*\).*/\1/p' "$PSYX_ROOT/go.mod")
	[ -n "$v" ] || v=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$PSYX_ROOT/go.mod")
	echo "$v"
}

# psyx_ensure_go puts a Go toolchain on PATH. Any Go >= 1.21 fetches the one
# go.mod wants by itself (GOTOOLCHAIN=auto); with none, or Debian's older
# package, the official release is unpacked into DIR (default var/go).
psyx_ensure_go() {
	local dir=${1:-$PSYX_ROOT/var/go}
	local p
	for p in "$dir/bin" /usr/local/go/bin; do
		[ -x "$p/go" ] && case ":$PATH:" in *":$p:"*) ;; *) PATH="$p:$PATH" ;; esac
	done
	export PATH
	if command -v go >/dev/null 2>&1; then
		local minor
		minor=$(go env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
		if [ -n "$minor" ] && [ "$minor" -ge 21 ]; then
			return 0
		fi
	fi
	local ver arch
	ver=$(psyx_go_version_wanted)
	case $(uname -m) in
	x86_64) arch=amd64 ;;
	aarch64 | arm64) arch=arm64 ;;
	*) psyx_die "no Go for $(uname -m): install Go $ver by hand" ;;
	esac
	psyx_apt_install ca-certificates curl
	psyx_say "downloading Go $ver into $dir"
	mkdir -p "$dir"
	curl -fsSL "https://go.dev/dl/go${ver}.linux-${arch}.tar.gz" | tar -xz -C "$dir" --strip-components=1 ||
		psyx_die "could not download Go $ver"
	PATH="$dir/bin:$PATH"
	export PATH
}

# psyx_gen_password prints a random 20-character password.
psyx_gen_password() {
	local p
	p=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
	[ ${#p} -eq 20 ] || psyx_die "could not generate a password"
	echo "$p"
}

# psyx_htpasswd_set FILE USER PASSWORD adds or changes one bcrypt entry; the
# password goes through stdin so it never shows in `ps`.
psyx_htpasswd_set() {
	local file=$1 user=$2 password=$3 create=() out
	[ -s "$file" ] || create=(-c)
	out=$(printf '%s\n' "$password" | htpasswd "${create[@]}" -i -B -C 10 "$file" "$user" 2>&1) ||
		psyx_die "htpasswd could not write $file: $out"
}

# psyx_wait_http URL SECONDS [CURL ARGS...] polls until URL answers 2xx.
psyx_wait_http() {
	local url=$1 seconds=$2
	shift 2
	local deadline=$((SECONDS + seconds))
	until curl -fsS -o /dev/null --max-time 2 "$@" "$url" 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
}
