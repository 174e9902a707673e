// Command placement stores every key read from standard input (one per
// line) through gomemcache with the servers given as arguments, so that
// placement.sh can see where gomemcache's own ServerList puts them.
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/bradfitz/gomemcache/memcache"
)

func main() {
	c := memcache.New(os.Args[1:]...)
	s := bufio.NewScanner(os.Stdin)
	s.Buffer(make([]byte, 4096), 4096)
	for s.Scan() {
		if err := c.Set(&memcache.Item{Key: s.Text(), Value: []byte("g")}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
