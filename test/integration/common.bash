# common.bash: sourced by every integration script (it is not one itself:
# run-all.sh runs test/integration/*.sh).
#
# Under run-all.sh the harness (test/lib.sh: a throwaway cluster and
# memcached servers) is running and MC_WORK names it. Run alone, as
# `bash test/integration/cancel.sh`, a script sets the harness up itself and
# removes it when it exits.
#
# A script reports with say (TAP-like "ok - ..." / "not ok - ...") and skip
# (a check that cannot run on this machine or PostgreSQL), queries
# with q, registers clean-up with on_exit, and ends with finish.

source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"

fail=0
_mc_exit_cmds=()
_mc_standalone=

# on_exit CMD: run CMD (a string, evaluated) when the script exits, before
# the harness is removed; latest first.
on_exit() { _mc_exit_cmds=("$1" "${_mc_exit_cmds[@]}"); }

_mc_at_exit() {
	local c
	for c in "${_mc_exit_cmds[@]}"; do eval "$c"; done
	[ -z "$_mc_standalone" ] || mc_teardown
}
trap _mc_at_exit EXIT
trap 'exit 1' INT TERM HUP

if [ -z "${MC_WORK:-}" ]; then
	_mc_standalone=1
	mc_setup
	trap _mc_at_exit EXIT # mc_setup set its own
	export MC_ROOT MC_WORK MC_PORT_BASE MC_STOPPED_PORT MC_CLOSED_PORT MC_PGPORT
	psql -X -q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" >/dev/null
fi

# say ok|"not ok" TEXT
say() {
	echo "$1 - $2"
	[ "$1" = ok ] || fail=1
}

# skip TEXT: a check that cannot run here (and why); run-all.sh lists them.
skip() {
	echo "skip - $1"
	echo "$(basename "$0" .sh): $1" >>"$MC_WORK/skipped"
}

# check DESCRIPTION COMMAND...: say ok when COMMAND succeeds.
check() {
	local d=$1
	shift
	if "$@"; then say ok "$d"; else say "not ok" "$d"; fi
}

# q ARGS...: psql on the harness, unaligned, stopping at the first error.
q() { timeout "${MC_Q_TIMEOUT:-60}" psql -X -At -v ON_ERROR_STOP=1 "$@"; }
# q0 ARGS...: the same, going on after errors (their messages on stderr).
q0() { timeout "${MC_Q_TIMEOUT:-60}" psql -X -At -v ON_ERROR_STOP=0 "$@"; }

# ms_lt VALUE LIMIT: VALUE is a number below LIMIT.
ms_lt() { [ -n "$1" ] && awk -v v="$1" -v l="$2" 'BEGIN { exit !(v < l) }'; }

# dump_stuck DB: what the client backends of DB are doing (after a pgbench
# that did not finish in time): their state and wait in pg_stat_activity,
# and each thread's kernel wait channel.
dump_stuck() {
	local p pids
	timeout 20 psql -X -At -c "SELECT pid, state, wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity WHERE datname = '$1' AND state <> 'idle' AND pid <> pg_backend_pid()" 2>&1 |
		head -20 | sed 's/^/#   stuck: /'
	pids=$(timeout 20 psql -X -At -c "SELECT pid FROM pg_stat_activity WHERE datname = '$1' AND state = 'active' AND pid <> pg_backend_pid()" 2>/dev/null | head -5)
	for p in $pids; do
		echo "#   stuck: pid $p threads: $(for t in /proc/$p/task/*; do printf '%s ' "$(cat $t/wchan 2>/dev/null)"; done)"
	done
	# the first stuck backend's stacks, C and Go frames (gdb reads both)
	p=${pids%%$'\n'*}
	[ -n "$p" ] && command -v gdb >/dev/null &&
		timeout 60 gdb -p "$p" -batch -nx -ex 'set pagination off' -ex 'thread apply all bt 25' 2>&1 |
		grep -E '^(Thread|#)' | sed 's/^/#   bt: /' | head -150
}

# threads_of PID: the process's thread count.
threads_of() { awk '/^Threads:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# log_crashes LOGFILE: the lines of a server log that show a crashed backend,
# a PANIC or a Go runtime abort (empty when there are none).
log_crashes() {
	grep -E 'terminated by signal|was terminated by|PANIC|fatal error:|runtime/cgo:|SIGABRT' "$1" 2>/dev/null
}

# no_crash LABEL [LOGFILE]: say whether the server log shows a crash.
no_crash() {
	local log=${2:-$MC_WORK/postgresql.log} lines
	lines=$(log_crashes "$log")
	if [ -z "$lines" ]; then
		say ok "$1: no crash in the server log"
	else
		say "not ok" "$1: the server log shows a crash: $(echo "$lines" | head -3 | tr '\n' ' ')"
	fi
}

# mc_get PORT KEY: the value memcached on 127.0.0.1:PORT holds for KEY
# (empty when none), read over its own protocol.
mc_get() { "$MC_ROOT/test/mcwire" "$1" "get $2" | sed -n '2{/^END$/!p}'; }

# pgbench_failed LOGFILE...: the failed transactions of a pgbench run (its
# stdout and stderr). pgbench before 15 prints no count: an error aborts the
# client ("aborted in command"), so there the count is 0 when none aborted.
pgbench_failed() {
	local n
	n=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$@" | head -1)
	if [ -n "$n" ]; then
		echo "$n"
	elif grep -q '^number of transactions actually processed' "$@" && ! grep -q 'aborted' "$@"; then
		echo 0
	fi
}

# finish: exit with the script's verdict.
finish() { exit "$fail"; }
