#!/bin/bash
# virtual_columns.sh (PostgreSQL 18 and later): a virtual generated column
# is computed in queries only, and a trigger's row holds NULL for it. As a
# memcache_sync value or key, a memcache_invalidate key, or in a table whose
# whole row memcache_sync caches as JSON, it would cache NULL (or delete
# nothing): CREATE TRIGGER and ALTER TABLE refuse it, and a trigger that
# meets one anyway (the event trigger disabled) deletes instead of caching.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
if [ "$(q -c "SHOW server_version_num")" -lt 180000 ]; then
	skip "virtual generated columns need PostgreSQL 18"
	finish
fi
q -q >/dev/null <<'SQL'
DROP TABLE IF EXISTS vg;
CREATE TABLE vg (id int PRIMARY KEY, name text, up text GENERATED ALWAYS AS (upper(name)) VIRTUAL,
                 slug text GENERATED ALWAYS AS ('user-' || id) VIRTUAL, st text GENERATED ALWAYS AS (lower(name)) STORED);
SQL
for args in "'id', 'up', 'val:'" "'id', '', 'json:'" "'slug', 'name', 'slug:'"; do
	out=$(q0 -c "CREATE TRIGGER vg_t AFTER INSERT OR UPDATE OR DELETE ON vg FOR EACH ROW EXECUTE FUNCTION memcache_sync($args)" 2>&1)
	if echo "$out" | grep -q 'would not work: .*virtual generated column, which triggers read as NULL (make it STORED)'; then
		say ok "memcache_sync($args) on a table with a virtual generated column there: refused ($(echo "$out" | sed -n 's/.*would not work: //p'))"
	else
		say "not ok" "memcache_sync($args) with a virtual generated column: $out"
	fi
done
out=$(q0 -c "CREATE TRIGGER vg_i AFTER INSERT OR UPDATE OR DELETE ON vg FOR EACH ROW EXECUTE FUNCTION memcache_invalidate('slug', 'inv:')" 2>&1)
echo "$out" | grep -q 'key column "slug" is a virtual generated column' &&
	say ok "memcache_invalidate on a virtual generated key column: refused" ||
	say "not ok" "memcache_invalidate('slug'): $out"
# a stored generated column is a column like any other
q -c "CREATE TRIGGER vg_s AFTER INSERT OR UPDATE OR DELETE ON vg FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', 'st', 'st:')" \
	-c "INSERT INTO vg (id, name) VALUES (1, 'Alice')" >/dev/null
[ "$(q -c "SELECT memcache_get('st:1')")" = alice ] &&
	say ok "a stored generated column is cached" || say "not ok" "stored generated column: st:1 = '$(q -c "SELECT memcache_get('st:1')")'"
# a table cached whole as JSON: adding a virtual column is refused
q -c "CREATE TABLE vj (id int PRIMARY KEY, name text)" \
	-c "CREATE TRIGGER vj_t AFTER INSERT OR UPDATE OR DELETE ON vj FOR EACH ROW EXECUTE FUNCTION memcache_sync('id', '', 'vj:')" >/dev/null
out=$(q0 -c "ALTER TABLE vj ADD COLUMN up text GENERATED ALWAYS AS (upper(name)) VIRTUAL" 2>&1)
echo "$out" | grep -q 'the whole row is cached, and column "up" is a virtual generated column' &&
	say ok "ALTER TABLE adding a virtual generated column to a table cached whole: refused" ||
	say "not ok" "ALTER TABLE ADD COLUMN ... VIRTUAL on a JSON-cached table: $out"
# where the check did not run, the trigger deletes rather than cache NULL
q -q >/dev/null <<'SQL'
ALTER EVENT TRIGGER memcache_check_triggers DISABLE;
ALTER TABLE vj ADD COLUMN up text GENERATED ALWAYS AS (upper(name)) VIRTUAL;
ALTER EVENT TRIGGER memcache_check_triggers ENABLE;
SELECT memcache_set('vj:1', 'stale');
SQL
out=$(q0 -c "INSERT INTO vj VALUES (1, 'bob')" 2>&1)
left=$(q -c "SELECT coalesce(memcache_get('vj:1'), 'deleted')")
if [ "$left" = deleted ] && [ "$(q -c "SELECT count(*) FROM vj")" = 1 ] && echo "$out" | grep -q WARNING; then
	say ok "a trigger that meets a virtual column anyway: the row is written, the key deleted, a WARNING says why"
else
	say "not ok" "trigger meeting a virtual column: cache '$left'; $out"
fi
q -c "DROP TABLE vg, vj" >/dev/null
finish
