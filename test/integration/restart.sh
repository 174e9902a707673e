#!/bin/bash
# restart.sh: memcached restarted on the same port between two calls of one
# session. The backend's pooled connection is then closed; the next call of
# every kind (commit-time sends included) must work on a new connection,
# with no WARNING, and a counter must be counted once.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
source "$(dirname "${BASH_SOURCE[0]}")/stale_cases.bash"

port=$((MC_PORT_BASE + 13))
pidf=$MC_WORK/memcached-$port.pid
# restart_mc.sh: stop memcached (SIGTERM, or SIGKILL: a crash; each restart
# switches) and start it again on the same port.
cat >"$MC_WORK/restart_mc.sh" <<SH
pidf=$pidf
if [ -f "\$pidf" ]; then
	sig=TERM; [ -f "\$pidf.kill" ] && sig=KILL
	if [ "\$sig" = KILL ]; then rm -f "\$pidf.kill"; else touch "\$pidf.kill"; fi
	old=\$(cat "\$pidf")
	kill -\$sig "\$old"
	while kill -0 "\$old" 2>/dev/null; do sleep 0.01; done
	rm -f "\$pidf"
fi
(memcached -u root -l 127.0.0.1 -p $port -U 0 -m 16 -P "\$pidf" >/dev/null 2>&1 &)
for _ in \$(seq 100); do "$MC_ROOT/test/mcwire" $port version >/dev/null 2>&1 && exit 0; sleep 0.02; done
exit 1
SH
on_exit 'kill -9 $(cat "$pidf" 2>/dev/null) 2>/dev/null'
bash "$MC_WORK/restart_mc.sh"
stale_calls "$port" "bash $MC_WORK/restart_mc.sh"

# The restarts really happened: the server's pid changed between calls.
pids=$(q -c "SET memcache.servers = '127.0.0.1:$port'" \
	-c "SELECT value FROM memcache_server_stats() WHERE name = 'pid'" \
	-c "\\! bash $MC_WORK/restart_mc.sh" \
	-c "SELECT value FROM memcache_server_stats() WHERE name = 'pid'" 2>&1 | grep -v '^SET$' | tr '\n' ' ')
read -r p1 p2 _ <<<"$pids"
[ -n "${p2:-}" ] && [ "$p1" != "$p2" ] && [ "$p2" = "$(cat "$pidf")" ] &&
	say ok "one session saw two memcached processes on the same port (pid $p1, then $p2)" ||
	say "not ok" "pids seen across a restart: $pids"
finish
