#!/bin/bash
# upgrade.sh: the extension's SQL versions follow PostgreSQL's rules, and
# every way to a version gives the same objects.
#  - The files PostgreSQL sees are those of sql/; default_version has a full
#    install script (sql/memcache--V.sql; update scripts are
#    sql/memcache--A--B.sql).
#  - For every version V with a full script: CREATE EXTENSION ... VERSION V,
#    then ALTER EXTENSION UPDATE TO each next version, one update script at a
#    time, up to the newest version. At each version S reached that has a
#    full script, the objects (upgrade_objects.sql: functions and their
#    definitions, owners, ACLs, initial privileges, comments, views, types,
#    casts, event triggers, stray objects) equal those of a fresh
#    CREATE EXTENSION ... VERSION S. ALTER EXTENSION UPDATE without a version
#    reaches default_version.
#  - A database still at 1.0 works with the current module (a server
#    upgraded before its databases ran ALTER EXTENSION UPDATE): 1.0's
#    functions are called, what reached memcached is read back; then it is
#    updated in use and called again.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

work=$MC_WORK/upgrade
rm -rf "$work"
mkdir -p "$work"
extdir=$(pg_config --sharedir)/extension
dbs=()
drop_dbs() {
	local d
	for d in "${dbs[@]}"; do psql -X -q -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1; done
}
on_exit drop_dbs

# new_db NAME: an empty database (template0: nothing of anyone else's in it).
new_db() {
	dbs+=("$1")
	q -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE template0" >/dev/null
}
# dump DB FILE: the extension's objects in DB, sorted.
dump() {
	q -d "$1" -f "$MC_ROOT/test/integration/upgrade_objects.sql" >"$2.unsorted" ||
		{ say "not ok" "describing the objects of $1 failed"; return 1; }
	LC_ALL=C sort "$2.unsorted" >"$2"
}
dbname() { echo "upg_$1_$(echo "$2" | tr -c '0-9a-z\n' _)"; }

# The scripts in sql/ are the ones installed.
stale=
for f in "$MC_ROOT"/sql/memcache--*.sql; do
	cmp -s "$f" "$extdir/$(basename "$f")" || stale+=" $(basename "$f")"
done
for f in "$extdir"/memcache--*.sql; do
	[ -f "$MC_ROOT/sql/$(basename "$f")" ] || stale+=" $(basename "$f")(not in sql/)"
done
check "the installed scripts are those of sql/${stale:+ (differ:$stale)}" test -z "$stale"

full=()   # versions with a full install script
all=()    # every version a script names
for f in "$MC_ROOT"/sql/memcache--*.sql; do
	v=${f##*/memcache--}
	v=${v%.sql}
	case $v in
	*--*) all+=("${v%%--*}" "${v##*--}") ;;
	*) full+=("$v") all+=("$v") ;;
	esac
done
mapfile -t full < <(printf '%s\n' "${full[@]}" | sort -V -u)
mapfile -t all < <(printf '%s\n' "${all[@]}" | sort -V -u)
newest=${all[${#all[@]} - 1]}
default=$(q -c "SELECT default_version FROM pg_available_extensions WHERE name = 'memcache'")
has_full() { printf '%s\n' "${full[@]}" | grep -qxF "$1"; }
echo "# versions: ${all[*]}; full scripts: ${full[*]}; default_version $default; newest $newest"

check "default_version $default has a full install script (sql/memcache--$default.sql)" has_full "$default"
if [ "$(printf '%s\n' "$default" "$newest" | sort -V | tail -1)" != "$newest" ]; then
	say "not ok" "default_version $default is newer than every script's version"
fi

# A fresh install of each version with a full script.
for v in "${full[@]}"; do
	db=$(dbname fresh "$v")
	new_db "$db"
	if q -q -d "$db" -c "CREATE EXTENSION memcache VERSION '$v'" 2>"$work/err"; then
		dump "$db" "$work/fresh-$v"
		uncovered=$(grep '^uncovered' "$work/fresh-$v")
		check "fresh $v: $(grep -c '^function [^:]*$' "$work/fresh-$v") functions described${uncovered:+; $uncovered}" test -z "$uncovered"
	else
		say "not ok" "CREATE EXTENSION memcache VERSION '$v': $(cat "$work/err")"
	fi
done

# From each version with a full script, one update script at a time.
for v in "${full[@]}"; do
	[ "$v" != "$newest" ] || continue
	target=$newest
	path=$(q -c "SELECT path FROM pg_extension_update_paths('memcache') WHERE source = '$v' AND target = '$target'")
	if [ -z "$path" ]; then
		say "not ok" "no update path from $v to $newest"
		continue
	fi
	db=$(dbname from "$v")
	new_db "$db"
	q -q -d "$db" -c "CREATE EXTENSION memcache VERSION '$v'" || { say "not ok" "install $v"; continue; }
	IFS=' ' read -r -a steps <<<"${path//--/ }"
	for s in "${steps[@]:1}"; do
		if ! q -q -d "$db" -c "ALTER EXTENSION memcache UPDATE TO '$s'" 2>"$work/err"; then
			say "not ok" "$v: ALTER EXTENSION memcache UPDATE TO '$s': $(cat "$work/err")"
			break
		fi
		got=$(q -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'memcache'")
		[ "$got" = "$s" ] || say "not ok" "$v: after UPDATE TO '$s' the version is $got"
		if ! has_full "$s"; then
			say ok "$v updated to $s ($path; $s has no full script to compare with)"
			continue
		fi
		dump "$db" "$work/from-$v-to-$s"
		if diff -u "$work/fresh-$s" "$work/from-$v-to-$s" >"$work/diff-$v-$s"; then
			say ok "$v updated to $s ($path): the same objects as a fresh $s"
		else
			say "not ok" "$v updated to $s differs from a fresh $s (- fresh, + updated):"
			grep '^[-+][^-+]' "$work/diff-$v-$s" | head -40 | sed 's/^/#   /'
		fi
	done
done

# ALTER EXTENSION UPDATE with no version goes to default_version.
for v in "${full[@]}"; do
	db=$(dbname plain "$v")
	new_db "$db"
	got=$(q -d "$db" -c "CREATE EXTENSION memcache VERSION '$v'" -c "ALTER EXTENSION memcache UPDATE" \
		-c "SELECT extversion FROM pg_extension WHERE extname = 'memcache'" 2>&1 | tail -1)
	check "$v: ALTER EXTENSION memcache UPDATE reaches default_version $default (got $got)" test "$got" = "$default"
done

# 1.0's functions with the current module: what they return and what reached
# memcached. CREATE FUNCTION already resolved every C symbol of 1.0.
port=$MC_PORT_BASE
k="upg$$"
calls_1_0() {
	q -q -d "$1" <<-SQL
		SELECT memcache_set('$k:a', 'v'), memcache_get('$k:a'), memcache_get_bytea('$k:a');
		SELECT memcache_add('$k:a', 'x'), memcache_replace('$k:a', 'w', interval '1 hour'),
		       memcache_append('$k:a', '1'), memcache_prepend('$k:a', '0'), memcache_get('$k:a');
		SELECT memcache_set('$k:b', '\\x00ff'::bytea, now() + interval '1 hour'), memcache_get_bytea('$k:b');
		SELECT key, value FROM memcache_get_multi(ARRAY['$k:a', '$k:none']);
		SELECT memcache_incr('$k:n') IS NULL, memcache_set('$k:n', '5'), memcache_incr('$k:n', 2), memcache_decr('$k:n');
		SELECT memcache_touch('$k:a', interval '1 day'), memcache_set_multi(ARRAY['$k:m1', '$k:m2'], ARRAY['1', '2']);
		SELECT memcache_delete('$k:m2'), memcache_delete('$k:m2');
		BEGIN;
		SELECT count(*) FROM (SELECT memcache_set_on_commit('$k:c', 'committed')) s;
		COMMIT;
		CREATE TABLE upg_rows (id text PRIMARY KEY, v text);
		CREATE TRIGGER upg_rows_cache AFTER INSERT OR UPDATE OR DELETE ON upg_rows
		  FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'v', '$k:row:');
		INSERT INTO upg_rows VALUES ('1', 'one');
		SELECT memcache_server_for_key('$k:a'), (SELECT bool_and(reachable) FROM memcache_servers()),
		       (SELECT count(*) > 0 FROM memcache_server_stats() WHERE name = 'pid'), memcache_stats() LIKE 'Server: 127.0.0.1 ($port)%pid: %';
	SQL
}
expected_1_0="t|v|\\x76
f|t|t|t|0w1
t|\\x00ff
$k:a|0w1
t|t|7|6
t|2
t|f
1
127.0.0.1:$port|t|t|t"
if has_full 1.0; then
	db=$(dbname calls 1.0)
	new_db "$db"
	q -q -d "$db" -c "CREATE EXTENSION memcache VERSION '1.0'"
	got=$(calls_1_0 "$db" 2>&1)
	if [ "$got" = "$expected_1_0" ]; then
		say ok "1.0 with the current module: the calls return what 1.0 promised"
	else
		say "not ok" "1.0 with the current module: the calls return (- expected, + got):"
		diff <(echo "$expected_1_0") <(echo "$got") | sed 's/^/#   /'
	fi
	check "1.0 with the current module: memcached holds what the calls stored" \
		test "$(mc_get "$port" "$k:a"),$(mc_get "$port" "$k:m1"),$(mc_get "$port" "$k:m2"),$(mc_get "$port" "$k:c"),$(mc_get "$port" "$k:row:1")" = "0w1,1,,committed,one"
	if q -q -d "$db" -c "SET client_min_messages = warning" -c "ALTER EXTENSION memcache UPDATE" -c "UPDATE upg_rows SET v = 'uno'" 2>"$work/err" &&
		[ "$(q -d "$db" -c "SELECT memcache_get('$k:row:1'), memcache_delete('$k:a')")" = "uno|t" ]; then
		say ok "1.0 updated to $default in use: its trigger and functions keep working"
	else
		say "not ok" "1.0 updated to $default in use: $(cat "$work/err")"
	fi
fi

no_crash "upgrade"
finish
