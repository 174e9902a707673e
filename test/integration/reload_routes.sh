#!/bin/bash
# reload_routes.sh: a reload of postgresql.conf in the middle of a
# transaction (ALTER SYSTEM SET memcache.servers + pg_reload_conf()):
#  - an operation queued before the reload is sent where it was going when
#    it was queued; one queued after it goes to the new list;
#  - a statement uses one list for all its calls, immediate or queued.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
old=$MC_PORT_BASE
new=$((MC_PORT_BASE + 1))
reset_servers() { q -c "ALTER SYSTEM RESET memcache.servers" -c "SELECT pg_reload_conf()" >/dev/null; }
on_exit reset_servers
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" >/dev/null
for p in $old $new; do "$MC_ROOT/test/mcwire" $p 'delete rl:before' 'delete rl:after' 'delete rl:imm' \
	'delete rl:s1' 'delete rl:s2' 'delete rl:q1' 'delete rl:q2' >/dev/null; done
[ "$(q -c 'SHOW memcache.servers')" = "127.0.0.1:$old" ] || say "not ok" "the server list is not 127.0.0.1:$old to begin with"

# reload_during SECONDS: reloads with the new list after SECONDS, in the
# background.
reload_during() {
	(sleep "$1"; q -c "ALTER SYSTEM SET memcache.servers = '127.0.0.1:$new'" -c "SELECT pg_reload_conf()" >/dev/null) &
}

reload_during 0.5
q >"$MC_WORK/reload.out" 2>&1 <<'SQL'
BEGIN;
SELECT memcache_set_on_commit('rl:before', 'queued before the reload');
SELECT pg_sleep(1.5);
SHOW memcache.servers;
SELECT memcache_set_on_commit('rl:after', 'queued after the reload');
SELECT memcache_set('rl:imm', 'immediate, after the reload');
COMMIT;
SQL
wait
where() { # where KEY: the ports that hold KEY
	local p out=
	for p in $old $new; do [ -n "$(mc_get $p "$1")" ] && out="$out $p"; done
	echo "${out# }"
}
b=$(where rl:before) a=$(where rl:after) i=$(where rl:imm)
[ "$b" = "$old" ] && [ "$a" = "$new" ] && [ "$i" = "$new" ] &&
	say ok "a reload in the middle of a transaction: the write queued before it went to the old list, those after it to the new one" ||
	say "not ok" "queued before: on '$b' (want $old), after: '$a' (want $new), immediate: '$i' (want $new); $(tr '\n' ' ' <"$MC_WORK/reload.out")"

# one statement across a reload: every call uses the list it started with
reset_servers
reload_during 0.3
q >"$MC_WORK/reload2.out" 2>&1 <<'SQL'
SELECT memcache_set('rl:s' || i, 'v'), memcache_set_on_commit('rl:q' || i, 'v'), pg_sleep(0.4)
FROM generate_series(1, 2) i;
SQL
wait
got="$(where rl:s1)/$(where rl:s2)/$(where rl:q1)/$(where rl:q2)"
[ "$got" = "$old/$old/$old/$old" ] &&
	say ok "a statement running across a reload uses one server list for all its calls" ||
	say "not ok" "one statement across a reload: keys on $got (want $old everywhere); $(tr '\n' ' ' <"$MC_WORK/reload2.out")"
no_crash reload_routes
finish
