#!/bin/bash
# settings_reload.sh: a bad memcache.* value in the configuration file never
# costs a write, and checking a value never starts Go.
#  (a) the harness cluster (module not preloaded): a bad server list, a key
#      prefix with a space and a missing TLS CA file reach postgresql.conf
#      and are reloaded; a session
#      that had loaded the module and a new one both keep the table's writes
#      (a WARNING says the configuration cannot be used); fixed and reloaded,
#      the writes reach memcached again.
#  (b) parallel workers of a session that SET memcache.servers: no Go
#      runtime (1 thread, memcache_go.so not mapped).
#  (c) a cluster that preloads the module: the postmaster refuses the bad
#      value at reload (logged), every session keeps the old list and the
#      writes reach memcached; started with a bad value, the writes are kept.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
conf=$MC_WORK/pgdata/postgresql.conf
mcport=$MC_PORT_BASE
T=mc_reload_t

cp "$conf" "$MC_WORK/postgresql.conf.saved"
restore_conf() {
	cp "$MC_WORK/postgresql.conf.saved" "$conf"
	psql -X -Atq -c "SELECT pg_reload_conf()" >/dev/null 2>&1
	psql -X -Atq -c "DROP TABLE IF EXISTS $T" >/dev/null 2>&1
}
on_exit 'restore_conf'

q -q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS $T" \
	-c "CREATE TABLE $T (id int PRIMARY KEY, v text)" \
	-c "CREATE TRIGGER ${T}_sync AFTER INSERT OR UPDATE OR DELETE ON $T FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'v', 'reload:')"

# bad_reload SETTING_LINES LABEL PATTERN: with a session that loaded the
# module, put the lines into postgresql.conf, reload, write from that
# session and from a new one; then restore and check the writes reach
# memcached.
bad_reload() {
	local lines=$1 label=$2 pattern=$3 old new fixed n
	printf '%s\n' "$lines" >"$MC_WORK/reload-lines"
	# The old session reads the file between two statements of a transaction.
	old=$(q0 2>&1 <<SQL
SELECT memcache_set('reload:warm', 'x');
BEGIN;
\! cat "$MC_WORK/reload-lines" >> "$conf"
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
INSERT INTO $T VALUES (1, 'old session');
COMMIT;
SELECT count(*) FROM $T WHERE id = 1;
SQL
	)
	new=$(q0 -c "INSERT INTO $T VALUES (2, 'new session')" -c "SELECT count(*) FROM $T WHERE id = 2" 2>&1)
	if echo "$old" | grep -q "$pattern" && echo "$old" | tail -1 | grep -qx 1 &&
		echo "$new" | grep -q "$pattern" && echo "$new" | tail -1 | grep -qx 1 &&
		! echo "$old$new" | grep -q ERROR; then
		say ok "$label: a session that had loaded the module and a new one keep their writes, with a WARNING ($(echo "$new" | grep WARNING | head -1 | cut -c1-150))"
	else
		say "not ok" "$label: old session: $(echo "$old" | tr '\n' ' ' | cut -c1-400); new session: $(echo "$new" | tr '\n' ' ' | cut -c1-400)"
	fi
	cp "$MC_WORK/postgresql.conf.saved" "$conf"
	q -c "SELECT pg_reload_conf()" >/dev/null
	sleep 0.3
	fixed=$(q0 -c "INSERT INTO $T VALUES (3, 'fixed')" 2>&1)
	n=$(mc_get "$mcport" reload:3)
	[ "$n" = fixed ] && [ -z "$fixed" -o "$fixed" = "INSERT 0 1" ] &&
		say ok "$label: corrected and reloaded, a write reaches memcached again" ||
		say "not ok" "$label: after the fix: '$fixed', memcached has '$n'"
	q -q -c "DELETE FROM $T" >/dev/null
}

# --- (a) not preloaded ----------------------------------------------------------
bad_reload "memcache.servers = '127.0.0.1:$mcport;x'" "a bad server list reloaded" \
	'the configuration cannot be used: invalid memcache.servers: entry 1'
bad_reload "memcache.key_prefix = 'ns 1:'" "a key prefix with a space reloaded (not dropped: keys must not leave their namespace)" \
	'the configuration cannot be used: invalid memcache.key_prefix: memcached keys must not contain spaces'
bad_reload "memcache.tls = on
memcache.tls_ca_file = '/nonexistent/ca.pem'" "a TLS CA file that does not exist, reloaded" \
	'the configuration cannot be used: invalid memcache.tls_ca_file: could not open "/nonexistent/ca.pem"'

# --- (b) parallel workers -----------------------------------------------------------
q -q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS ${T}_p" -c "CREATE TABLE ${T}_p AS SELECT g FROM generate_series(1, 4) g" -c "ANALYZE ${T}_p"
if q -c "SHOW server_version_num" | awk '{ exit !($1 >= 160000) }'; then fp="SET debug_parallel_query = on"; else fp="SET force_parallel_mode = on"; fi
q0 >"$MC_WORK/reload-par.out" 2>&1 <<SQL &
SET application_name = 'mc_reload_par';
LOAD 'memcache';
SET memcache.servers = '127.0.0.1:$mcport, 127.0.0.1:$((mcport + 1))';
SET memcache.key_prefix = 'par:';
$fp;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SELECT count(*) FROM (SELECT pg_sleep(0.5) FROM ${T}_p) s;
SQL
par=$!
workers=
for _ in $(seq 100); do
	workers=$(q -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'parallel worker' AND leader_pid IN (SELECT pid FROM pg_stat_activity WHERE application_name = 'mc_reload_par')")
	[ -n "$workers" ] && break
	sleep 0.05
done
sleep 0.5 # well into the query: the workers have restored the leader's settings
report=
for w in $workers; do
	report="$report $w:$(threads_of "$w")t$(grep -q memcache_go.so "/proc/$w/maps" 2>/dev/null && echo +go)"
done
wait $par
if [ -n "$workers" ] && [ -z "$(echo "$report" | tr ' ' '\n' | grep . | grep -v ':1t$')" ]; then
	say ok "parallel workers of a session that SET memcache.servers start no Go (pid:threads$report)"
else
	say "not ok" "parallel workers: '$report' (workers '$workers'): $(tr '\n' ' ' <"$MC_WORK/reload-par.out")"
fi
q -q -c "DROP TABLE ${T}_p"

# --- (c) preloaded -------------------------------------------------------------------
port=$((MC_PGPORT + 6))
dir=$MC_WORK/reload-pre
stop_pre() { [ -f "$dir/data/postmaster.pid" ] && runuser -u postgres -- pg_ctl -D "$dir/data" -m immediate -w stop >/dev/null 2>&1; true; }
on_exit 'stop_pre'
mkdir -p "$dir/data" && chown -R postgres: "$dir"
runuser -u postgres -- initdb -D "$dir/data" -A trust -U postgres >/dev/null 2>&1
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = 'memcache'
memcache.servers = '127.0.0.1:$mcport'
max_connections = 20
shared_buffers = 16MB
CONF
cp "$dir/data/postgresql.conf" "$dir/postgresql.conf.good"
runuser -u postgres -- pg_ctl -D "$dir/data" -l "$dir/log" -w -t 60 start >/dev/null 2>&1 ||
	{ say "not ok" "preloaded cluster did not start: $(tail -3 "$dir/log")"; finish; }
pq() { timeout 60 psql -X -At -v ON_ERROR_STOP=0 -h "$dir" -p "$port" -U postgres -d postgres "$@"; }
pq -q -c "SET client_min_messages = warning" -c "CREATE EXTENSION memcache" \
	-c "CREATE TABLE $T (id int PRIMARY KEY, v text)" \
	-c "CREATE TRIGGER ${T}_sync AFTER INSERT OR UPDATE OR DELETE ON $T FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'v', 'reload:pre:')" >/dev/null
old=$(pq 2>&1 <<SQL
SELECT memcache_set('reload:warm', 'x');
\! echo "memcache.servers = '127.0.0.1:$mcport;x'" >> "$dir/data/postgresql.conf"
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SHOW memcache.servers;
INSERT INTO $T VALUES (1, 'old session');
SQL
)
new=$(pq -c "SHOW memcache.servers" -c "INSERT INTO $T VALUES (2, 'new session')" 2>&1)
logged=$(grep -c 'invalid memcache.servers: entry 1 "127.0.0.1:[0-9]*;x"' "$dir/log")
v1=$(mc_get "$mcport" reload:pre:1)
v2=$(mc_get "$mcport" reload:pre:2)
if [ "$logged" -ge 1 ] && echo "$old" | grep -qx "127.0.0.1:$mcport" && echo "$new" | grep -qx "127.0.0.1:$mcport" &&
	[ "$v1" = "old session" ] && [ "$v2" = "new session" ] && ! echo "$old$new" | grep -q 'ERROR\|WARNING'; then
	say ok "preloaded: the postmaster refused the bad list at reload (logged), sessions kept the old one and their writes reached memcached"
else
	say "not ok" "preloaded reload: logged $logged; old session: $(echo "$old" | tr '\n' ' '); new: $(echo "$new" | tr '\n' ' '); memcached: '$v1' '$v2'"
fi
runuser -u postgres -- pg_ctl -D "$dir/data" -m fast -w -t 30 restart -l "$dir/log" >/dev/null 2>&1
started=$(pq -c "SELECT 1" 2>&1)
r=$(pq -c "INSERT INTO $T VALUES (3, 'after restart')" -c "SELECT count(*) FROM $T WHERE id = 3" 2>&1)
if [ "$started" = 1 ] && echo "$r" | tail -1 | grep -qx 1 && echo "$r" | grep -q 'the configuration cannot be used: invalid memcache.servers'; then
	say ok "preloaded, started with the bad list: the cluster runs, writes are kept with a WARNING"
else
	say "not ok" "preloaded, started with the bad list: '$started' / $(echo "$r" | tr '\n' ' ')"
fi
no_crash "settings_reload (preloaded cluster)" "$dir/log"
no_crash "settings_reload"
finish
