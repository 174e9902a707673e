#!/bin/bash
# overcommit.sh: strict overcommit (vm.overcommit_memory = 2, as
# PostgreSQL's documentation recommends) with little commit charge left
# under the limit. A backend's first call either starts the Go runtime or
# is ERROR 53200 (the extension's check, saying how much it needs, or with
# the least left, PostgreSQL's own allocation); never a Go abort. The limit is
# machine-wide: it is set, for one statement at a time, to what is
# committed plus N MB, and put back at once (and when the script exits).
# Skipped where the sysctl cannot be written or is not the default 0.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
vm=/proc/sys/vm
if ! [ -w $vm/overcommit_memory ] || [ "$(cat $vm/overcommit_memory)" != 0 ] ||
	[ "$(cat $vm/overcommit_kbytes)" != 0 ]; then
	skip "vm.overcommit_memory cannot be changed here (or is not 0)"
	finish
fi
ratio=$(cat $vm/overcommit_ratio)
restore() { echo 0 >$vm/overcommit_kbytes; echo "$ratio" >$vm/overcommit_ratio; echo 0 >$vm/overcommit_memory; }
on_exit restore

outcomes=()
for extra in 4 8 12 16 20 24 32 48; do
	# The module is loaded first: the limit is for the Go runtime only.
	r=$(timeout 30 psql -X -At 2>&1 <<SQL
\\set VERBOSITY verbose
LOAD 'memcache';
\\! echo \$(( \$(awk '/^Committed_AS:/ {print \$2}' /proc/meminfo) + $extra * 1024 )) >$vm/overcommit_kbytes; echo 2 >$vm/overcommit_memory
SELECT 'GOT', memcache_set('overcommit', 'v'), memcache_get('overcommit');
SQL
	)
	restore
	if echo "$r" | grep -qx 'GOT|t|v'; then
		outcomes+=("$extra:ok")
	elif echo "$r" | grep -q 'ERROR:  53200: memcache: not enough memory to start the Go runtime'; then
		outcomes+=("$extra:53200")
	elif echo "$r" | grep -q 'ERROR:  53200: out of memory'; then
		# PostgreSQL's own allocation for the statement came first
		outcomes+=("$extra:53200(postgres)")
	else
		outcomes+=("$extra:other($(echo "$r" | grep -m1 'ERROR\|FATAL\|closed'))")
	fi
done
echo "#   MB of commit charge left: outcome: ${outcomes[*]}"
! echo "${outcomes[*]}" | grep -q other && [ "${outcomes[0]%%(*}" = "4:53200" ] && [ "${outcomes[-1]}" = "48:ok" ] &&
	say ok "under strict overcommit with 4 to 48 MB left, a backend's first call works or is ERROR 53200, never anything else" ||
	say "not ok" "strict overcommit: ${outcomes[*]}"
echo "${outcomes[*]}" | grep -q '[0-9]:53200 ' &&
	say ok "the Go runtime's check refuses a start it has no commit charge for (ERROR 53200, saying how much it needs)" ||
	say "not ok" "the Go runtime's own check refused no case: ${outcomes[*]}"
[ "$(cat $vm/overcommit_memory)" = 0 ] && say ok "vm.overcommit_memory is back to 0" ||
	say "not ok" "vm.overcommit_memory is $(cat $vm/overcommit_memory)"
no_crash "strict overcommit"
finish
