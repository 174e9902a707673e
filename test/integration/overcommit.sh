#!/bin/bash
# overcommit.sh: strict overcommit (vm.overcommit_memory = 2, as
# PostgreSQL's documentation recommends) with little commit charge left
# under the limit. A backend's first call either starts the Go runtime or
# is ERROR 53200 (the extension's check, saying how much it needs, or with
# the least left, PostgreSQL's own allocation) or 53000 (a thread's stack
# refused); never a Go abort. The limit is
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

# Linux keeps the commit charge in per-CPU counters and folds them into the
# total it checks in steps of MemTotal / CPUs / 256 under strict overcommit
# (MemTotal / CPUs / 4 otherwise): the total moves by up to that much per
# CPU at any time, so "N MB left" is only that exact for small N. Strict
# mode is switched on first (with no real limit: switching folds the
# counters), then the total is read and the limit set from it, plus the
# reserves the kernel keeps from a backend (vm.admin_reserve_kbytes, which
# some machines set to hundreds of MB, and min(its virtual size / 32,
# vm.user_reserve_kbytes)): N MB are what the backend itself may take. The
# last case leaves 48 MB plus every CPU's step: there the call must work.
step=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / $(nproc) / 256 / 1024))
ample=$((48 + $(nproc) * step))
huge=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 4))
# reserve.sh PID: kB the kernel keeps from the backend PID once
# memcache_go.so (10 MB of address space) is mapped and Go has reserved its
# own (149 MB, what the extension's check counts). (psql's \! runs sh.)
cat >"$MC_WORK/reserve.sh" <<'SH'
vsz=$(($(awk '/^VmSize:/ {print $2}' /proc/$1/status) + 10240 + 152576))
user=$(cat /proc/sys/vm/user_reserve_kbytes)
echo $(($(cat /proc/sys/vm/admin_reserve_kbytes) + (vsz / 32 < user ? vsz / 32 : user)))
SH
outcomes=()
for extra in 4 8 12 16 20 24 32 48 $ample; do
	# The module is loaded first: the limit is for the Go runtime only.
	r=$(timeout 30 psql -X -At 2>&1 <<SQL
\\set VERBOSITY verbose
LOAD 'memcache';
SELECT pg_backend_pid() \\g $MC_WORK/overcommit.pid
\\! echo $huge >$vm/overcommit_kbytes; echo 2 >$vm/overcommit_memory; echo \$(( \$(awk '/^Committed_AS:/ {print \$2}' /proc/meminfo) + \$(bash $MC_WORK/reserve.sh \$(cat $MC_WORK/overcommit.pid)) + $extra * 1024 )) >$vm/overcommit_kbytes
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
	elif echo "$r" | grep -q 'ERROR:  53000: memcache: could not create the threads of the Go runtime'; then
		# the check passed, the kernel's total moved (see above) and
		# refused a thread's stack: an ERROR too
		outcomes+=("$extra:53000(threads)")
	else
		outcomes+=("$extra:other($(echo "$r" | grep -m1 'ERROR\|FATAL\|closed'))")
	fi
done
echo "#   MB of commit charge left: outcome: ${outcomes[*]}"
! echo "${outcomes[*]}" | grep -q other && [ "${outcomes[0]%%(*}" = "4:53200" ] && [ "${outcomes[-1]}" = "$ample:ok" ] &&
	say ok "under strict overcommit with 4 to $ample MB left, a backend's first call works or is an ERROR (53200, or 53000 from a thread's creation), never anything else" ||
	say "not ok" "strict overcommit: ${outcomes[*]}"
echo "${outcomes[*]}" | grep -q '[0-9]:53200 ' &&
	say ok "the Go runtime's check refuses a start it has no commit charge for (ERROR 53200, saying how much it needs)" ||
	say "not ok" "the Go runtime's own check refused no case: ${outcomes[*]}"
[ "$(cat $vm/overcommit_memory)" = 0 ] && say ok "vm.overcommit_memory is back to 0" ||
	say "not ok" "vm.overcommit_memory is $(cat $vm/overcommit_memory)"
no_crash "strict overcommit"
finish
