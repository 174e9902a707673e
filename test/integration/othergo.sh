#!/bin/bash
# othergo.sh: another Go-based module in the same backend, loaded before or
# after memcache's Go object, does not crash it and both work.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

libdir=$(pg_config --pkglibdir)
build=$MC_WORK/othergo
mkdir -p "$build"
(cd "$MC_ROOT/test/integration/othergo" && GOFLAGS=-mod=mod CGO_ENABLED=1 go build -buildvcs=false -buildmode=c-archive -o "$build/libothergo.a" othergo.go) &&
	gcc -shared -fPIC -O2 -I"$(pg_config --includedir-server)" -o "$build/memcache_test_othergo.so" \
		"$MC_ROOT/test/integration/othergo/othergo.c" -Wl,--whole-archive "$build/libothergo.a" -Wl,--no-whole-archive -lpthread ||
	{ say "not ok" "could not build the other Go module"; exit 1; }
install -m 755 "$build/memcache_test_othergo.so" "$libdir/"
on_exit 'rm -f "$libdir/memcache_test_othergo.so"'
nm -D --defined-only "$libdir/memcache_test_othergo.so" | grep -q ' crosscall2$' &&
	echo "#   the other module exports its cgo glue (crosscall2) globally, as a naive build does"

q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS memcache" \
	-c "CREATE OR REPLACE FUNCTION othergo_sum(int, int) RETURNS int AS 'memcache_test_othergo', 'othergo_sum' LANGUAGE C STRICT" >/dev/null

# The other module's runtime first, then ours.
out=$(q -c "SELECT othergo_sum(2, 3)" -c "SELECT memcache_set('og1', 'one'), memcache_get('og1')" -c "SELECT othergo_sum(4, 5)" 2>&1)
[ "$out" = "$(printf '5\nt|one\n9')" ] && say ok "other Go module loaded first, then memcache: both work" ||
	say "not ok" "other first: $out"

# Ours first, then the other.
out=$(q -c "SELECT memcache_set('og2', 'two'), memcache_get('og2')" -c "SELECT othergo_sum(20, 22)" -c "SELECT memcache_get('og2')" 2>&1)
[ "$out" = "$(printf 't|two\n42\ntwo')" ] && say ok "memcache first, then the other Go module: both work" ||
	say "not ok" "memcache first: $out"

if grep -q 'terminated by signal' "$MC_WORK/postgresql.log"; then
	say "not ok" "a backend crashed: $(grep 'terminated by signal' "$MC_WORK/postgresql.log" | tail -1)"
else
	say ok "no backend crashed"
fi
q -c "DROP FUNCTION othergo_sum(int, int)" >/dev/null
finish
