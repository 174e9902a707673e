#!/bin/bash
# run-all.sh: the project's one test command (README; .ci/run calls it).
# On a fresh Debian 12 machine (as root) it installs what is missing, builds
# and installs the extension, starts a throwaway PostgreSQL cluster and
# memcached servers on 127.0.0.1, runs every test, tears everything down and
# ends with a summary line "N passed, N failed".
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mc_setup

passed=0
failed=0
failures=()
result() { # result NAME STATUS
	if [ "$2" = 0 ]; then
		passed=$((passed + 1))
		echo "PASS $1"
	else
		failed=$((failed + 1))
		failures+=("$1")
		echo "FAIL $1"
	fi
}

export MC_ROOT MC_WORK MC_PORT_BASE MC_STOPPED_PORT MC_CLOSED_PORT MC_PGPORT

log "go vet, gofmt and go test (unit and fuzz seed corpus)"
(cd "$MC_ROOT" && go vet ./gosrc/... && test -z "$(gofmt -l gosrc)" && go test -count=1 ./gosrc/...)
st=$?
result "go test ./gosrc/..." $st

if [ -n "${MC_FUZZTIME:-}" ] || [ -n "${CI:-}" ]; then
	log "short fuzz passes"
	ok=0
	for f in $(cd "$MC_ROOT" && grep -ho '^func Fuzz[A-Za-z]*' gosrc/mc/*_test.go | sed 's/func //'); do
		(cd "$MC_ROOT" && go test -run '^$' -fuzz "^$f\$" -fuzztime "${MC_FUZZTIME:-200000x}" ./gosrc/mc >"$MC_WORK/fuzz-$f.log" 2>&1) || { ok=1; tail -20 "$MC_WORK/fuzz-$f.log"; }
	done
	result "go fuzz" $ok
fi

log "pg_regress (make installcheck)"
make -C "$MC_ROOT" -s installcheck PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
st=$?
[ $st = 0 ] || cat "$MC_ROOT/test/regression.diffs" 2>/dev/null || cat "$MC_ROOT/regression.diffs" 2>/dev/null
result "pg_regress" $st

for t in "$MC_ROOT"/test/integration/*.sh; do
	[ -e "$t" ] || continue
	log "integration: $(basename "$t")"
	timeout 600 bash "$t"
	st=$?
	result "integration/$(basename "$t" .sh)" $st
done

if ! grep -q 'terminated by signal\|was terminated by' "$MC_WORK/postgresql.log"; then
	result "no backend crashed (server log)" 0
else
	grep 'terminated by signal\|was terminated by' "$MC_WORK/postgresql.log"
	result "no backend crashed (server log)" 1
fi

echo
[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
