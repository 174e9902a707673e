#!/bin/bash
# idle_timeout.sh: memcached started with -o idle_timeout=1 closes a
# connection idle for a second. A backend that calls again later must not
# fail on the closed pooled connection: every kind of call works on a new
# one, with no WARNING.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
source "$(dirname "${BASH_SOURCE[0]}")/stale_cases.bash"

port=$((MC_PORT_BASE + 14))
pidf=$MC_WORK/memcached-$port.pid
(memcached -u root -l 127.0.0.1 -p "$port" -U 0 -m 16 -o idle_timeout=1 -P "$pidf" >/dev/null 2>&1 &)
for _ in $(seq 100); do "$MC_ROOT/test/mcwire" "$port" version >/dev/null 2>&1 && break; sleep 0.05; done
on_exit 'kill $(cat "$pidf" 2>/dev/null) 2>/dev/null'

kicks() { "$MC_ROOT/test/mcwire" "$port" stats | sed -n 's/^STAT idle_kicks //p'; }
k0=$(kicks)
# between: wait until memcached has closed an idle connection (it checks
# about once a second, on a clock of whole seconds: 2 to 3 s).
cat >"$MC_WORK/idle_wait.sh" <<SH
kicks() { "$MC_ROOT/test/mcwire" $port stats | sed -n 's/^STAT idle_kicks //p'; }
k=\$(kicks)
for _ in \$(seq 100); do sleep 0.1; [ "\$(kicks)" -gt "\$k" ] && break; done
SH
stale_calls "$port" "bash $MC_WORK/idle_wait.sh"
k1=$(kicks)
n=$((${#stale_cases[@]} + 0))
[ $((k1 - k0)) -ge "$n" ] &&
	say ok "memcached closed the session's idle connection before each of the $n calls (idle_kicks $k0 -> $k1)" ||
	say "not ok" "idle_kicks $k0 -> $k1: memcached did not close the idle connection before each of the $n calls"
finish
