#!/usr/bin/env bash
# The one test command: formatting, vet, staticcheck, then every test with
# the race detector: store/API tests on throwaway PostgreSQL clusters, the
# e2e suite through real Nginx + Supervisor, the pages in headless Chromium,
# and the fuzz targets over their kept corpus. Installs what is missing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PSYX_ROOT"

# fonts-noto-cjk: without a CJK font the Korean pages render as empty boxes
# in screenshots. R with png and jsonlite runs the README's R snippet
# (api/rsnippet_test.go).
psyx_apt_install postgresql nginx supervisor apache2-utils chromium fonts-noto-cjk r-base-core r-cran-png r-cran-jsonlite
if [ -n "$PSYX_INSTALLED" ]; then
	# Debian starts these on install; the tests run their own on loopback.
	for s in nginx supervisor postgresql; do
		psyx_as_root service "$s" stop >/dev/null 2>&1 || true
	done
fi
psyx_ensure_go

echo "== gofmt"
# shellcheck disable=SC2046 # one argument per file
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"
	echo "$unformatted"
	exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== go test -race"
go test -race -count=1 -timeout 40m "$@" ./...
