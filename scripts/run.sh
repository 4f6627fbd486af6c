#!/usr/bin/env bash
# One command, a whole local Psyx: a private PostgreSQL cluster in ./var/pg,
# the psyx service under a private supervisord, and Nginx in front of it
# with the production configs, on http://127.0.0.1:8080; the admin login is
# printed. Ctrl-C stops everything it started; the next run reuses ./var.
# The work is done in Go (tools/devstack, on tools/stack); this script
# installs what is missing and starts it.
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

psyx_apt_install postgresql nginx supervisor apache2-utils
psyx_ensure_go "$PSYX_ROOT/var/go"
mkdir -p var/bin
go build -o var/bin/devstack ./tools/devstack
# exec: Ctrl-C reaches devstack, which stops the others in order.
exec var/bin/devstack
