# stale_cases.bash: sourced by restart.sh and idle_timeout.sh (it is not a
# test itself). One session makes every kind of call, each after its pooled
# connection was closed by the server (memcached restarted, or its
# idle_timeout); every call must do what it does on a fresh connection,
# with no WARNING.
#
# stale_calls PORT BETWEEN: runs the session against memcached on
# 127.0.0.1:PORT; BETWEEN is a shell command run before each call (it
# closes the connection). Reports with say.

# Each case, fields separated by '#': name, a key to seed with a value
# before the call ("key=value", or empty), the SQL (a SELECT's result is
# printed as "name|result"), the result wanted, and the value memcached
# must then hold for a key ("key=value"; "key=" for none).
stale_cases=(
	"set##SELECT memcache_set('r:set', 'v1')#t#r:set=v1"
	"add##SELECT memcache_add('r:add', 'a')#t#r:add=a"
	"replace#r:rep=old#SELECT memcache_replace('r:rep', 'new')#t#r:rep=new"
	"append#r:app=ab#SELECT memcache_append('r:app', 'c')#t#r:app=abc"
	"prepend#r:pre=bc#SELECT memcache_prepend('r:pre', 'a')#t#r:pre=abc"
	"get#r:get=hello#SELECT memcache_get('r:get')#hello#"
	"get_bytea#r:gb=bytes#SELECT encode(memcache_get_bytea('r:gb'), 'escape')#bytes#"
	"get_multi#r:m1=one#SELECT string_agg(key || '=' || value, ',') FROM memcache_get_multi(ARRAY['r:m1', 'r:m2'])#r:m1=one#"
	"get_multi_bytea#r:mb=two#SELECT string_agg(key || '=' || encode(value, 'escape'), ',') FROM memcache_get_multi_bytea(ARRAY['r:mb'])#r:mb=two#"
	"delete#r:del=x#SELECT memcache_delete('r:del')#t#r:del="
	"incr#r:n=5#SELECT memcache_incr('r:n', 2)#7#r:n=7"
	"decr#r:d=5#SELECT memcache_decr('r:d')#4#r:d=4"
	"touch#r:t=x#SELECT memcache_touch('r:t', interval '1 hour')#t#r:t=x"
	"set_multi##SELECT memcache_set_multi(ARRAY['r:s1', 'r:s2'], ARRAY['x', 'y'])#2#r:s2=y"
	"set_on_commit##BEGIN; SELECT 'set_on_commit', memcache_set_on_commit('r:oc', 'v')::text; COMMIT##r:oc=v"
	"delete_on_commit#r:od=stale#BEGIN; SELECT 'delete_on_commit', memcache_delete_on_commit('r:od')::text; COMMIT##r:od="
	"sync_trigger##INSERT INTO stale_sync VALUES ('1', 'row')##r:sync:1=row"
	"flush_all#r:f=x#SELECT memcache_flush_all()#t#r:f="
	"stats##SELECT memcache_stats() LIKE '%pid%'#t#"
	"server_stats##SELECT count(*) > 10 FROM memcache_server_stats()#t#"
	"servers##SELECT reachable::text || coalesce(error, '') FROM memcache_servers()#true#"
)

stale_calls() {
	local port=$1 between=$2 work=$MC_WORK/stale.$$ sql c name seed call want check
	mkdir -p "$work"
	# seed.sh KEY VALUE and check.sh NAME KEY write through memcached's own
	# protocol (another connection); between.sh closes the session's one.
	echo "$between" >"$work/between.sh"
	cat >"$work/seed.sh" <<SH
v=\$2; "$MC_ROOT/test/mcwire" $port "set \$1 0 0 \${#v}" "\$v" >/dev/null
SH
	cat >"$work/check.sh" <<SH
echo "\$1 \$2=\$("$MC_ROOT/test/mcwire" $port "get \$2" | sed -n '2{/^END\$/!p}')" >>"$work/checks"
SH
	: >"$work/checks"
	sql="SET memcache.servers = '127.0.0.1:$port';
SET memcache.server_retry_delay = '10s';
CREATE TEMP TABLE stale_sync (k text PRIMARY KEY, v text);
CREATE TRIGGER stale_sync AFTER INSERT OR UPDATE OR DELETE ON stale_sync
  FOR EACH ROW EXECUTE FUNCTION memcache_sync('k', 'v', 'r:sync:');
SELECT 'warm-up', memcache_set('r:warm', 'x');
"
	for c in "${stale_cases[@]}"; do
		IFS='#' read -r name seed call want check <<<"$c"
		sql+="\\! bash $work/between.sh
"
		[ -z "$seed" ] || sql+="\\! bash $work/seed.sh ${seed%%=*} ${seed#*=}
"
		case $call in
		SELECT*) sql+="SELECT '$name', ($call);
" ;;
		*) sql+="$call;
" ;;
		esac
		[ -z "$check" ] || sql+="\\! bash $work/check.sh $name ${check%%=*}
"
	done
	local out
	out=$(MC_Q_TIMEOUT=300 q0 -c "SET client_min_messages = warning" -f - 2>&1 <<<"$sql")
	if echo "$out" | grep -qE 'WARNING|ERROR'; then
		say "not ok" "calls after the server closed the pooled connection warned or failed: $(echo "$out" | grep -E 'WARNING|ERROR' | head -5 | tr '\n' ' ')"
	else
		say ok "no WARNING or ERROR in ${#stale_cases[@]} calls, each on a connection the server had closed"
	fi
	local bad=()
	for c in "${stale_cases[@]}"; do
		IFS='#' read -r name seed call want check <<<"$c"
		if [ -n "$want" ] && ! echo "$out" | grep -qxF "$name|$want"; then
			bad+=("$name: got '$(echo "$out" | grep "^$name|" | head -1)', want '$name|$want'")
		fi
		if [ -n "$check" ] && ! grep -qxF "$name $check" "$work/checks"; then
			bad+=("$name: memcached holds '$(grep "^$name " "$work/checks" | head -1)', want '$check'")
		fi
	done
	if [ ${#bad[@]} -eq 0 ]; then
		say ok "every kind of call did its work on a new connection (results and memcached's contents checked)"
	else
		say "not ok" "calls after the server closed the connection: ${bad[*]}"
	fi
}
