#!/bin/bash
# run-all.sh [TEST...]: the project's one test command (README; .ci/run
# calls it). On a fresh Debian 12 machine (as root) it installs what is
# missing, builds and installs the extension, starts a throwaway PostgreSQL
# cluster and memcached servers on 127.0.0.1, runs the tests, tears
# everything down and ends with a summary line "N passed, N failed".
#
# TEST names what to run (default: everything): go, fuzz, pg_regress, or an
# integration script's name (cancel, commit_order, ...).
# PG_CONFIG=/path/to/pg_config runs it all against another PostgreSQL, e.g.
# one built by test/pgbuild.sh: PG_CONFIG=$(bash test/pgbuild.sh 13).
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

selected=("$@")
wanted() {
	[ ${#selected[@]} -eq 0 ] && return 0
	local s
	for s in "${selected[@]}"; do [ "$s" = "$1" ] && return 0; done
	return 1
}
for s in "${selected[@]}"; do
	case $s in
	go | fuzz | pg_regress) ;;
	*) [ -f "$MC_ROOT/test/integration/$s.sh" ] || { echo "run-all.sh: no test named '$s'" >&2; exit 2; } ;;
	esac
done

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

warnings=$(grep -E 'warning:|error:' "$MC_WORK/build.log")
[ -z "$warnings" ] || echo "$warnings"
result "build with no compiler warnings ($("$PG_CONFIG" --version))" "$([ -z "$warnings" ]; echo $?)"

if wanted go; then
	log "go vet, gofmt and go test (unit and fuzz seed corpus)"
	(cd "$MC_ROOT" && go vet ./gosrc/... && test -z "$(gofmt -l gosrc)" &&
		MC_TEST_SERVER=127.0.0.1:${MC_PORTS[0]} go test -count=1 ./gosrc/...)
	result "go test ./gosrc/..." $?
fi

if wanted fuzz && { [ -n "${MC_FUZZTIME:-}" ] || [ -n "${CI:-}" ] || [ ${#selected[@]} -gt 0 ]; }; then
	log "short fuzz passes"
	ok=0
	for pkg in gosrc/mc gosrc/cparse; do
		for f in $(cd "$MC_ROOT" && grep -ho '^func Fuzz[A-Za-z]*' $pkg/*_test.go | sed 's/func //'); do
			(cd "$MC_ROOT" && go test -run '^$' -fuzz "^$f\$" -fuzztime "${MC_FUZZTIME:-200000x}" ./$pkg >"$MC_WORK/fuzz-$f.log" 2>&1) || { ok=1; tail -20 "$MC_WORK/fuzz-$f.log"; }
		done
	done
	result "go fuzz" $ok
fi

if wanted pg_regress; then
	log "pg_regress (make installcheck)"
	make -C "$MC_ROOT" -s installcheck PG_CONFIG="$PG_CONFIG"
	st=$?
	[ $st = 0 ] || cat "$MC_ROOT/test/regression.diffs" 2>/dev/null || cat "$MC_ROOT/regression.diffs" 2>/dev/null
	result "pg_regress" $st
fi

psql -X -q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" >/dev/null
for t in "$MC_ROOT"/test/integration/*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	wanted "$name" || continue
	log "integration: $name"
	timeout 600 bash "$t"
	result "integration/$name" $?
done

crashes=$(grep -E 'terminated by signal|was terminated by|PANIC|fatal error:|runtime/cgo:' "$MC_WORK/postgresql.log")
[ -z "$crashes" ] || echo "$crashes"
result "no crash in the server log" "$([ -z "$crashes" ]; echo $?)"

echo
if [ -s "$MC_WORK/skipped" ]; then
	echo "skipped checks (not counted as passed):"
	sed 's/^/  /' "$MC_WORK/skipped"
fi
[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
# MC_SUMMARY=FILE: the summary line also goes there (.ci/run collects them).
[ -z "${MC_SUMMARY:-}" ] || echo "$passed passed, $failed failed$([ -s "$MC_WORK/skipped" ] && echo ", $(wc -l <"$MC_WORK/skipped") checks skipped")" >"$MC_SUMMARY"
[ "$failed" = 0 ]
