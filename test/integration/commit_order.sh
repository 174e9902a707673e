#!/bin/bash
# commit_order.sh: commit-time sends, seen from other sessions. memcached on
# MC_STOPPED_PORT is SIGSTOPped to hold a transaction's send in flight.
#  1. A later writer of the same key waits in its PRE_COMMIT for an earlier
#     transaction's send, so the cache ends with the value that committed
#     last; it holds no lock queue entry (it polls).
#  2. So does a later DELETE: a row updated by one transaction and deleted
#     by the next is not left in the cache by the update's late set.
#  3. A cancel, statement_timeout, lock_timeout or (17 and later)
#     transaction_timeout during that wait does not fail the COMMIT (nor the
#     next statement of its query string, nor end the session): the row
#     stays committed and the value is sent in order. Inside a CALL, a
#     cancel or statement_timeout then cancels the CALL after its commit.
#  4. The wait is bounded by memcache.commit_timeout; past it the write is
#     sent as a delete, with a WARNING, and the COMMIT succeeds.
#  5. Unrelated keys do not wait for each other (keys that shared one of 64
#     lock slots did).
#  6. A black-hole server delays COMMIT by at most memcache.timeout; the
#     COMMIT succeeds with a WARNING.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
stopped=$(mc_memcached_pid "$MC_STOPPED_PORT")
on_exit 'kill -CONT $stopped 2>/dev/null'
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" >/dev/null
mcs() { "$MC_ROOT/test/mcwire" "$MC_STOPPED_PORT" "$@"; }
HOLD="SET memcache.servers = '127.0.0.1:$MC_STOPPED_PORT'; SET memcache.timeout = '20s'; SET memcache.commit_timeout = '20s'; SET memcache.server_retry_delay = 0;"

# waiting_commits APPNAME: how many sessions of APPNAME are committing and
# waiting for a commit-order lock (sampled a few times: the wait is a poll).
waiting_commits() {
	local n max=0
	for _ in $(seq 10); do
		n=$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1'
		  AND state = 'active' AND wait_event_type = 'Extension'")
		[ "${n:-0}" -gt "$max" ] && max=$n
	done
	echo "$max"
}

# 1. the same key, set twice
mcs 'delete order' >/dev/null
kill -STOP "$stopped"
q -c "$HOLD" -c "BEGIN" -c "SELECT memcache_set_on_commit('order', 'v1')" -c "COMMIT" -c "SELECT 't1 done'" >"$MC_WORK/t1.out" 2>&1 &
t1=$!
sleep 0.5
q -c "$HOLD SET application_name = 'order_test';" -c "BEGIN" -c "SELECT memcache_set_on_commit('order', 'v2')" -c "COMMIT" -c "SELECT 't2 done'" >"$MC_WORK/t2.out" 2>&1 &
t2=$!
sleep 0.5
waiting=$(waiting_commits order_test)
queued=$(q -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = $((0x6d656d63)) AND NOT granted")
held=$(q -c "SELECT string_agg(mode || '/' || objsubid, ',' ORDER BY objsubid) FROM pg_locks
  WHERE locktype = 'advisory' AND classid = $((0x6d656d63)) AND granted AND pid <> (SELECT pid FROM pg_stat_activity WHERE application_name = 'order_test')")
kill -CONT "$stopped"
wait $t1 $t2
[ "$waiting" = 1 ] && [ "$queued" = 0 ] && [ "$held" = "RowExclusiveLock/3,ExclusiveLock/4" ] &&
	say ok "the second writer waits at its COMMIT while the first one's send is in flight (no lock queue entry; the first holds $held)" ||
	say "not ok" "second writer waiting: $waiting (want 1), queued lock requests: $queued (want 0), first holds '$held'"
final=$(mcs 'get order' | sed -n 2p)
[ "$final" = v2 ] && grep -q '^t1 done' "$MC_WORK/t1.out" && grep -q '^t2 done' "$MC_WORK/t2.out" &&
	say ok "both committed, and the cache holds the value that committed last (v2)" ||
	say "not ok" "cache has '$final'; t1: $(cat "$MC_WORK/t1.out"); t2: $(cat "$MC_WORK/t2.out")"

# 2. an UPDATE's set, then a DELETE of the row by a later transaction. The
# set carries a large value, so memcached needs longer to take it in than
# the delete once it runs again: unordered, the delete lands first.
q >/dev/null <<SQL
DROP TABLE IF EXISTS ord;
CREATE TABLE ord (id int PRIMARY KEY, v text);
CREATE TRIGGER ord_cache AFTER INSERT OR UPDATE OR DELETE ON ord
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'v', 'ord:');
INSERT INTO ord SELECT g, 'x' FROM generate_series(1, 3) g;
SQL
stale=0
for i in 1 2 3; do
	kill -STOP "$stopped"
	q -c "$HOLD" -c "UPDATE ord SET v = repeat('u', 900000) WHERE id = $i" >"$MC_WORK/u$i.out" 2>&1 &
	u=$!
	sleep 0.5
	q -c "$HOLD SET application_name = 'order_del';" -c "DELETE FROM ord WHERE id = $i" >"$MC_WORK/d$i.out" 2>&1 &
	d=$!
	sleep 0.5
	w=$(waiting_commits order_del)
	kill -CONT "$stopped"
	wait $u $d
	left=$(mcs "get ord:$i" | sed -n '1{/^VALUE/p}')
	[ -z "$left" ] && [ "$w" = 1 ] || { stale=$((stale + 1)); echo "# round $i: delete waiting: $w; cache: $left"; }
done
rows=$(q -c "SELECT count(*) FROM ord")
[ "$stale" = 0 ] && [ "$rows" = 0 ] &&
	say ok "a DELETE committed after an UPDATE waits for the UPDATE's send: the deleted row is not cached (3 of 3)" ||
	say "not ok" "the deleted row stayed cached (or the delete did not wait) in $stale of 3 rounds; rows left: $rows"

# 3. cancel, statement_timeout, lock_timeout, transaction_timeout during the wait
hows="cancel statement_timeout lock_timeout"
[ "$(q -c "SHOW server_version_num")" -ge 170000 ] && hows="$hows transaction_timeout"
for how in $hows; do
	q -c "CREATE TABLE IF NOT EXISTS committed_rows (how text)" >/dev/null
	kill -STOP "$stopped"
	q -c "$HOLD" -c "BEGIN" -c "SELECT memcache_set_on_commit('wait:$how', 'first')" -c "COMMIT" >/dev/null 2>&1 &
	a=$!
	sleep 0.5
	extra=
	[ $how = statement_timeout ] && extra="SET statement_timeout = '200ms';"
	[ $how = lock_timeout ] && extra="SET lock_timeout = '100ms';"
	[ $how = transaction_timeout ] && extra="SET transaction_timeout = '800ms';"
	q0 -c "$HOLD SET application_name = 'order_$how'; $extra" -c "BEGIN" -c "INSERT INTO committed_rows VALUES ('$how')" \
		-c "SELECT memcache_set_on_commit('wait:$how', 'second')" -c "COMMIT; SELECT 'committed'" >"$MC_WORK/w_$how.out" 2>&1 &
	b=$!
	sleep 0.5
	[ $how = cancel ] && q -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'order_$how'" >/dev/null
	sleep 0.5
	still=$(waiting_commits "order_$how")
	kill -CONT "$stopped"
	wait $a $b
	row=$(q -c "SELECT count(*) FROM committed_rows WHERE how = '$how'")
	final=$(mcs "get wait:$how" | sed -n 2p)
	if [ "$row" = 1 ] && [ "$still" = 1 ] && grep -q '^committed' "$MC_WORK/w_$how.out" &&
		! grep -qE 'ERROR|FATAL' "$MC_WORK/w_$how.out" && [ "$final" = second ]; then
		say ok "$how during the commit-order wait: the COMMIT waits on, succeeds (and the statement after it in the same query), the row is committed and the cache has its value"
	else
		say "not ok" "$how during the wait: row $row, still waiting then: $still, cache '$final'; session: $(tr '\n' ' ' <"$MC_WORK/w_$how.out")"
	fi
done

# 3b. the same inside a CALL, whose COMMIT is not the statement: the commit
# goes on, and then the CALL is cancelled (it ran on with its
# statement_timeout gone, which PostgreSQL does not arm again)
q >/dev/null <<'SQL'
CREATE OR REPLACE PROCEDURE order_call(how text) LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO committed_rows VALUES ('call_' || how);
  PERFORM memcache_set_on_commit('wait:call_' || how, 'second');
  COMMIT;
  PERFORM pg_sleep(10);
  INSERT INTO committed_rows VALUES ('after_' || how);
END $$;
SQL
for how in statement_timeout cancel; do
	kill -STOP "$stopped"
	q -c "$HOLD" -c "BEGIN" -c "SELECT memcache_set_on_commit('wait:call_$how', 'first')" -c "COMMIT" >/dev/null 2>&1 &
	a=$!
	sleep 0.5
	extra=
	[ $how = statement_timeout ] && extra="SET statement_timeout = '1s';"
	q0 -c "$HOLD SET application_name = 'order_call_$how'; $extra" -c "CALL order_call('$how')" >"$MC_WORK/c_$how.out" 2>&1 &
	b=$!
	sleep 0.5
	[ $how = cancel ] && q -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'order_call_$how'" >/dev/null
	sleep 1
	still=$(waiting_commits "order_call_$how")
	t0=$(date +%s%N)
	kill -CONT "$stopped"
	wait $a $b
	ms=$((($(date +%s%N) - t0) / 1000000))
	rows=$(q -c "SELECT string_agg(how, ',' ORDER BY how) FROM committed_rows WHERE how IN ('call_$how', 'after_$how')")
	final=$(mcs "get wait:call_$how" | sed -n 2p)
	want="canceling statement due to user request"
	[ $how = statement_timeout ] && want="canceling statement due to statement timeout"
	if [ "$still" = 1 ] && [ "$rows" = "call_$how" ] && [ "$final" = second ] && ms_lt "$ms" 5000 &&
		grep -q "ERROR:  $want" "$MC_WORK/c_$how.out"; then
		say ok "$how during the commit-order wait of a COMMIT inside a CALL: the commit goes on (row and cache written), then the CALL is cancelled ($ms ms after the wait ended)"
	else
		say "not ok" "$how inside a CALL: still waiting then: $still, rows '$rows', cache '$final', ended $ms ms after the wait; session: $(tr '\n' ' ' <"$MC_WORK/c_$how.out")"
	fi
done

# 4. the wait is bounded: a writer whose memcache.commit_timeout is 1 s
# gives up on a send held for longer and sends a delete instead
kill -STOP "$stopped"
q -c "$HOLD" -c "BEGIN" -c "SELECT memcache_set_on_commit('bounded', 'first')" -c "COMMIT" >/dev/null 2>&1 &
a=$!
sleep 0.5
out=$(q0 2>&1 <<SQL
$HOLD
SET memcache.commit_timeout = '1s';
BEGIN;
INSERT INTO committed_rows VALUES ('bounded');
SELECT memcache_set_on_commit('bounded', 'second');
SELECT clock_timestamp() AS t0 \gset
COMMIT;
SELECT 'ms=' || round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SELECT 'rows=' || count(*) FROM committed_rows WHERE how = 'bounded';
SQL
)
kill -CONT "$stopped"
wait $a
ms=$(echo "$out" | sed -n 's/^ms=//p')
if echo "$out" | grep -q 'rows=1' && echo "$out" | grep -q 'WARNING:  memcache: 1 cache writes of this transaction are sent as deletes' &&
	ms_lt "$ms" 3000 && ! echo "$out" | grep -q ERROR; then
	say ok "the commit-order wait ends after memcache.commit_timeout (COMMIT took $ms ms with 1 s): the write went as a delete, with a WARNING; the row is committed"
else
	say "not ok" "bounded wait: $out"
fi

# 5. unrelated keys: two keys in the same one of 64 slots (the old lock
# granularity) do not wait for each other
read -r k1 k2 <<<"$(q -F ' ' -c "SELECT a, b FROM (SELECT 'u' || i AS a, 'u' || j AS b FROM generate_series(1, 200) i, generate_series(1, 200) j
  WHERE i < j AND (hashtext('u' || i)::bigint & 4294967295) % 64 = (hashtext('u' || j)::bigint & 4294967295) % 64 LIMIT 1) x")"
kill -STOP "$stopped"
q -c "$HOLD" -c "BEGIN" -c "SELECT memcache_set_on_commit('$k1', 'held')" -c "COMMIT" >/dev/null 2>&1 &
a=$!
sleep 0.5
out=$(q 2>&1 <<SQL
SET memcache.servers = '127.0.0.1:$MC_PORT_BASE';
BEGIN;
SELECT memcache_set_on_commit('$k2', 'free');
SELECT clock_timestamp() AS t0 \gset
COMMIT;
SELECT 'ms=' || round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SQL
)
kill -CONT "$stopped"
wait $a
ms=$(echo "$out" | sed -n 's/^ms=//p')
ms_lt "$ms" 300 && [ "$(mc_get "$MC_PORT_BASE" "$k2")" = free ] &&
	say ok "a key of the same lock slot as one whose send is in flight commits at once ($k1, $k2: $ms ms)" ||
	say "not ok" "unrelated keys $k1, $k2: $out"

# 6. black hole at COMMIT
kill -STOP "$stopped"
out=$(q 2>&1 <<SQL
SET memcache.servers = '127.0.0.1:$MC_STOPPED_PORT';
SET memcache.timeout = '500ms';
SET memcache.server_retry_delay = 0;
CREATE TEMP TABLE t (x int);
BEGIN;
INSERT INTO t VALUES (1);
SELECT memcache_set_on_commit('bh', 'x');
SELECT clock_timestamp() AS t0 \gset
COMMIT;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000) AS ms, (SELECT count(*) FROM t) AS rows;
SQL
)
kill -CONT "$stopped"
read -r ms rows <<<"$(echo "$out" | grep -E '^[0-9]+\|[0-9]+$' | tr '|' ' ')"
if [ -n "${ms:-}" ] && [ "$ms" -lt 900 ] && [ "$rows" = 1 ] && echo "$out" | grep -q 'WARNING:  memcache: cache writes after commit failed'; then
	say ok "a black-hole server delayed COMMIT by ${ms} ms (memcache.timeout 500 ms); the row is committed; a WARNING said so"
else
	say "not ok" "black hole at COMMIT: $out"
fi

q -c "DROP TABLE IF EXISTS ord, committed_rows" >/dev/null
no_crash commit_order
finish
