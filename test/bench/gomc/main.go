// Command gomc measures gomemcache directly, without a database: the floor
// a PostgreSQL extension built on it can reach. It prints ops/s.
//
//	gomc -addr 127.0.0.1:11211 -op set|get|miss|getmulti -n 20000 -size 10
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:11211", "memcached server")
	op := flag.String("op", "set", "set, get, miss or getmulti (100 keys per call; prints keys/s)")
	n := flag.Int("n", 20000, "calls")
	size := flag.Int("size", 10, "value size in bytes")
	flag.Parse()

	c := memcache.New(*addr)
	val := make([]byte, *size)
	for i := range val {
		val[i] = 'x'
	}
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "gomc" + strconv.Itoa(i)
		if err := c.Set(&memcache.Item{Key: keys[i], Value: val}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	start := time.Now()
	count := *n
	for i := 0; i < *n; i++ {
		var err error
		switch *op {
		case "set":
			err = c.Set(&memcache.Item{Key: keys[i%1000], Value: val})
		case "get":
			_, err = c.Get(keys[i%1000])
		case "miss":
			if _, err = c.Get("gomc-missing" + strconv.Itoa(i)); err == memcache.ErrCacheMiss {
				err = nil
			}
		case "getmulti":
			_, err = c.GetMulti(keys[(i%10)*100 : (i%10)*100+100])
			count = *n * 100
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("%.0f\n", float64(count)/time.Since(start).Seconds())
}
