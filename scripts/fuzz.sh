#!/usr/bin/env bash
# The long fuzzing pass (scripts/test.sh runs a short one of each):
#   - the HTTP fuzzer: PSYX_HTTPFUZZ_N (10,000) random and mutated requests per
#     endpoint against a real service on a throwaway PostgreSQL; no 5xx, no
#     panic, nothing invalid stored;
#   - every go test -fuzz target for FUZZTIME (1m) each. New crashers land in
#     the package's testdata/fuzz/ folder: commit them with the fix.
# Run scripts/test.sh once first: it installs PostgreSQL and the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-1m}
export PSYX_HTTPFUZZ_N=${PSYX_HTTPFUZZ_N:-10000}

echo "== HTTP fuzzing: $PSYX_HTTPFUZZ_N requests per endpoint"
go test ./api -run '^TestHTTPFuzz$' -count=1 -v -timeout 60m | grep -E 'requests:|stored:|^(--- |ok|FAIL|PASS)'

for target in api:FuzzParticipant api:FuzzCheckAnswers api:FuzzDecodeObject packs:FuzzParseFileName; do
	pkg=${target%%:*} name=${target#*:}
	echo "== $name for $FUZZTIME"
	go test "./$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" 2>&1 | grep -vE '^fuzz: elapsed' | tail -3
done
