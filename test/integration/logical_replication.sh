#!/bin/bash
# logical_replication.sh: what the README says of memcache_sync on a logical
# replication subscriber. Two throwaway clusters (publisher, subscriber),
# the same table with a memcache_sync trigger on each (different prefixes):
#  - by default the subscriber's trigger does not fire for replicated rows;
#  - with ENABLE ALWAYS TRIGGER it does: the apply worker sends the row at
#    its commit, and that worker runs Go (memcache_go.so mapped, threads);
#  - (15 and later) a subscription with two_phase replays a prepared
#    transaction: its cache writes cannot follow it, a WARNING says so, and
#    replication goes on (an ERROR would fail the PREPARE at every retry).
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
base=$MC_WORK/logrep
ppub=$((MC_PGPORT + 7))
psub=$((MC_PGPORT + 8))
mcport=$MC_PORT_BASE

stop_all() {
	for c in pub sub; do
		[ -f "$base/$c/postmaster.pid" ] &&
			runuser -u postgres -- pg_ctl -D "$base/$c" -m immediate -w stop >/dev/null 2>&1
	done
	true
}
on_exit 'stop_all'

start_cluster() { # NAME PORT
	mkdir -p "$base/$1" && chown -R postgres: "$base"
	runuser -u postgres -- initdb -D "$base/$1" -A trust -U postgres >/dev/null 2>&1 || return 1
	cat >>"$base/$1/postgresql.conf" <<CONF
listen_addresses = ''
port = $2
unix_socket_directories = '$base'
wal_level = logical
memcache.servers = '127.0.0.1:$mcport'
max_connections = 20
shared_buffers = 16MB
max_prepared_transactions = 5
wal_retrieve_retry_interval = '200ms'
CONF
	runuser -u postgres -- pg_ctl -D "$base/$1" -l "$base/$1.log" -w -t 60 start >/dev/null 2>&1
}
start_cluster pub $ppub && start_cluster sub $psub ||
	{ say "not ok" "clusters did not start: $(tail -3 "$base"/*.log | tr '\n' ' ')"; finish; }
pub() { timeout 60 psql -X -At -v ON_ERROR_STOP=1 -h "$base" -p $ppub -U postgres -d postgres "$@"; }
sub() { timeout 60 psql -X -At -v ON_ERROR_STOP=1 -h "$base" -p $psub -U postgres -d postgres "$@"; }
for side in pub sub; do
	$side -q -c "SET client_min_messages = warning" -c "CREATE EXTENSION memcache" \
		-c "CREATE TABLE lr (id int PRIMARY KEY, v text)" \
		-c "CREATE TRIGGER lr_cache AFTER INSERT OR UPDATE OR DELETE ON lr FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'v', 'lr:$side:')"
done
pub -q -c "CREATE PUBLICATION lrpub FOR TABLE lr"
sub -q -c "SET client_min_messages = warning" -c "CREATE SUBSCRIPTION lrsub CONNECTION 'host=$base port=$ppub user=postgres dbname=postgres' PUBLICATION lrpub"

# wait_row ID: the subscriber has row ID
wait_row() {
	for _ in $(seq 200); do
		[ "$(sub -c "SELECT count(*) FROM lr WHERE id = $1")" = 1 ] && return 0
		sleep 0.05
	done
	return 1
}

# wait_key KEY: KEY's value in memcached once it is there (empty after 5 s)
wait_key() {
	local v
	for _ in $(seq 100); do
		v=$(mc_get $mcport "$1")
		[ -n "$v" ] && break
		sleep 0.05
	done
	echo "$v"
}

pub -q -c "INSERT INTO lr VALUES (1, 'one')"
if wait_row 1; then
	p=$(mc_get $mcport lr:pub:1)
	s=$(mc_get $mcport lr:sub:1)
	[ "$p" = one ] && [ -z "$s" ] &&
		say ok "by default a replicated row fires the publisher's trigger only (lr:pub:1='$p', lr:sub:1 absent)" ||
		say "not ok" "default: lr:pub:1='$p' lr:sub:1='$s'"
else
	say "not ok" "the row did not reach the subscriber: $(tail -5 "$base/sub.log" | tr '\n' ' ')"
fi

sub -q -c "ALTER TABLE lr ENABLE ALWAYS TRIGGER lr_cache"
pub -q -c "INSERT INTO lr VALUES (2, 'two')"
wait_row 2
s=$(wait_key lr:sub:2)
worker=$(sub -c "SELECT pid FROM pg_stat_subscription WHERE subname = 'lrsub' AND relid IS NULL")
threads=$(threads_of "$worker")
go=$(grep -c memcache_go.so "/proc/$worker/maps" 2>/dev/null)
if [ "$s" = two ] && [ "${go:-0}" -gt 0 ] && [ "${threads:-0}" -gt 1 ]; then
	say ok "ENABLE ALWAYS TRIGGER: the apply worker (pid $worker) sends the row (lr:sub:2='$s') and runs Go ($threads threads)"
else
	say "not ok" "ENABLE ALWAYS: lr:sub:2='$s', worker '$worker' threads '$threads', memcache_go.so mapped '$go'"
fi
pub -q -c "DELETE FROM lr WHERE id = 2"
for _ in $(seq 100); do [ -z "$(mc_get $mcport lr:sub:2)" ] && break; sleep 0.05; done
[ -z "$(mc_get $mcport lr:sub:2)" ] && say ok "a replicated DELETE deletes the subscriber's key" ||
	say "not ok" "a replicated DELETE left lr:sub:2"

if [ "$(sub -c 'SHOW server_version_num')" -ge 150000 ]; then
	# (the trigger on the subscriber only: the publisher's own PREPARE
	# with queued cache writes is refused, as in any session)
	pub -q -c "CREATE TABLE lr2 (id int PRIMARY KEY, v text)"
	sub -q -c "CREATE TABLE lr2 (id int PRIMARY KEY, v text)" \
		-c "CREATE TRIGGER lr2_cache AFTER INSERT OR UPDATE OR DELETE ON lr2 FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'v', 'lr2:sub:')" \
		-c "ALTER TABLE lr2 ENABLE ALWAYS TRIGGER lr2_cache"
	pub -q -c "CREATE PUBLICATION lrpub2 FOR TABLE lr2"
	sub -q -c "SET client_min_messages = warning" -c "CREATE SUBSCRIPTION lrsub2 CONNECTION 'host=$base port=$ppub user=postgres dbname=postgres' PUBLICATION lrpub2 WITH (two_phase = true)"
	# two_phase is on once the (empty) table is synchronised and the apply
	# worker has restarted (after wal_retrieve_retry_interval)
	for _ in $(seq 1200); do
		[ "$(sub -c "SELECT subtwophasestate FROM pg_subscription WHERE subname = 'lrsub2'")" = e ] && break
		sleep 0.05
	done
	pub -q -c "BEGIN" -c "INSERT INTO lr2 VALUES (1, 'prepared')" -c "PREPARE TRANSACTION 'lrp1'" -c "COMMIT PREPARED 'lrp1'"
	pub -q -c "INSERT INTO lr2 VALUES (2, 'after')"
	rows=
	for _ in $(seq 200); do
		rows=$(sub -c "SELECT string_agg(id || '=' || v, ',' ORDER BY id) FROM lr2")
		[ "$rows" = "1=prepared,2=after" ] && break
		sleep 0.05
	done
	s=$(wait_key lr2:sub:2)
	state=$(sub -c "SELECT subtwophasestate FROM pg_subscription WHERE subname = 'lrsub2'")
	warned=$(grep -c 'cache operations of a replicated prepared transaction are not sent' "$base/sub.log")
	s1=$(mc_get $mcport lr2:sub:1)
	[ "$state" = e ] && [ "$rows" = "1=prepared,2=after" ] && [ "$s" = after ] && [ "${warned:-0}" -ge 1 ] && [ -z "$s1" ] &&
		say ok "two_phase: the replicated prepared transaction is applied with a WARNING, its cache write dropped (lr2:sub:1 absent); the next row is applied and sent (lr2:sub:2='$s')" ||
		say "not ok" "two_phase: state '$state', subscriber rows '$rows', lr2:sub:1='$s1', lr2:sub:2='$s', WARNINGs $warned: $(grep -m3 -E 'ERROR|WARNING' "$base/sub.log" | tr '\n' ' ')"
	sub -q -c "SET client_min_messages = warning" -c "DROP SUBSCRIPTION lrsub2"
else
	skip "two_phase: subscriptions have it from PostgreSQL 15"
fi
sub -q -c "SET client_min_messages = warning" -c "DROP SUBSCRIPTION lrsub"
no_crash "logical replication, subscriber" "$base/sub.log"
no_crash "logical replication, publisher" "$base/pub.log"
finish
