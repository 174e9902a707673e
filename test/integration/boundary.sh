#!/bin/bash
# boundary.sh: the C/Go boundary of the installed binaries.
#  - memcache_go.so exports only mcgo_* (its Go runtime and cgo glue stay
#    local, so another Go runtime in the backend cannot bind to them);
#  - memcache.so (loaded by PostgreSQL, RTLD_GLOBAL) contains no Go at all;
#  - boundary_probe: panics come back as error codes, Go threads block
#    PostgreSQL's signals.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
libdir=$(pg_config --pkglibdir)

extra=$(nm -D --defined-only "$libdir/memcache_go.so" | awk '{print $3}' | grep -v '^mcgo_' | grep -v '^$')
[ -z "$extra" ] && say ok "memcache_go.so exports only mcgo_* ($(nm -D --defined-only "$libdir/memcache_go.so" | wc -l) symbols)" ||
	say "not ok" "memcache_go.so exports more: $(echo "$extra" | head -5 | tr '\n' ' ')"

gosyms=$(nm -D "$libdir/memcache.so" | grep -ci 'crosscall\|_cgo_\|runtime\.' || true)
[ "$gosyms" = 0 ] && say ok "memcache.so has no Go symbols (safe in the postmaster)" ||
	say "not ok" "memcache.so references $gosyms Go symbols"

probe=$(mktemp /tmp/boundary_probe.XXXXXX)
gcc -O1 -Wall -I"$MC_ROOT/extension" -o "$probe" "$MC_ROOT/test/integration/boundary_probe.c" -ldl -lpthread
timeout 60 "$probe" "$libdir/memcache_go.so" || fail=1
rm -f "$probe"
finish
