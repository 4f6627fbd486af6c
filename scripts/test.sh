#!/usr/bin/env bash
# The one test command: formatting, vet, staticcheck, then every test with
# the race detector: store/API tests on throwaway PostgreSQL clusters, the
# e2e suite through real Nginx + Supervisor, the pages in headless Chromium,
# and the fuzz targets over their kept corpus. Installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v supervisord >/dev/null 2>&1 || need+=(supervisor)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
[ -x /usr/bin/chromium ] || need+=(chromium)
# Without a CJK font the Korean pages render as empty boxes in screenshots.
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
if ((${#need[@]})); then
  echo "== installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  # Debian starts these on install; the tests run their own on loopback.
  $sudo service nginx stop >/dev/null 2>&1 || true
  $sudo service supervisor stop >/dev/null 2>&1 || true
  $sudo service postgresql stop >/dev/null 2>&1 || true
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== go test -race"
go test -race -count=1 -timeout 40m "$@" ./...
