#!/bin/bash
# cas.sh: memcached's CAS token is an unsigned 64-bit number; SQL has
# bigint. A token above 2^63-1 (memcached-compatible servers need not count
# from 1) comes out of memcache_gets as the bigint of the same 64 bits (a
# negative number) and memcache_cas sends those 64 bits back unchanged.
# Against a stand-in server (python3) that hands out such tokens and
# records what it receives.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
port=$((MC_PORT_BASE + 16))
dir=$MC_WORK/cas
mkdir -p "$dir"
cat >"$dir/fake.py" <<'PY'
import socketserver, sys
TOKEN = 18446744073709551615  # 2^64-1
class H(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            with open(sys.argv[2], "a") as log:
                log.write(line.decode().rstrip("\r\n") + "\n")
            f = line.split()
            if f[0] == b"quit":
                return
            if f[0] == b"gets":
                self.wfile.write(b"VALUE %s 0 1 %d\r\nv\r\nEND\r\n" % (f[1], TOKEN))
            elif f[0] == b"cas":
                self.rfile.read(int(f[4]) + 2)
                self.wfile.write(b"STORED\r\n" if int(f[5]) == TOKEN else b"EXISTS\r\n")
            else:
                self.wfile.write(b"ERROR\r\n")
socketserver.TCPServer.allow_reuse_address = True
socketserver.TCPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$dir/fake.py" "$port" "$dir/received" &
fake=$!
on_exit "kill $fake 2>/dev/null"
for _ in $(seq 100); do "$MC_ROOT/test/mcwire" "$port" version >/dev/null 2>&1 && break; sleep 0.05; done
: >"$dir/received"

got=$(q -q -c "SET memcache.servers = '127.0.0.1:$port'" \
	-c "SELECT value, cas FROM memcache_gets('k')" \
	-c "SELECT memcache_cas('k', 'w', cas) FROM memcache_gets_bytea('k')" \
	-c "SELECT memcache_cas('k', 'w', 9223372036854775807)" 2>&1)
check "memcache_gets shows the token 2^64-1 as bigint -1; memcache_cas with it is stored, with 2^63-1 not ($(echo $got))" \
	test "$(echo $got)" = "v|-1 t f"
want="gets k
gets k
cas k 0 0 1 18446744073709551615
cas k 0 0 1 9223372036854775807"
check "what the server received: the token's 64 bits back ($(tr '\n' ';' <"$dir/received"))" test "$(cat "$dir/received")" = "$want"
finish
