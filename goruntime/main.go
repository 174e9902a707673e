// Command goruntime builds the overlay that patches the Go toolchain's
// runtime for memcache_go.so (see README.md, "How it works"):
//
//	go run ./goruntime -goroot $(go env GOROOT) -out DIR goruntime/*.patch
//
// It applies each unified diff (paths relative to GOROOT, as written by
// diff -u a/src/... b/src/...) to the toolchain's sources, writes the
// patched files under DIR and DIR/overlay.json for go build -overlay. A
// hunk applies only where its old lines match exactly and once: against
// another Go version the build stops here instead of producing a runtime
// nobody tested.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

type hunk struct {
	old, new []string
}

type filePatch struct {
	path  string // relative to GOROOT
	hunks []hunk
}

func parse(name string) ([]filePatch, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(b), "\n")
	var out []filePatch
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "+++ "):
			p := strings.TrimPrefix(strings.Fields(l[4:])[0], "b/")
			out = append(out, filePatch{path: p})
		case strings.HasPrefix(l, "@@ "):
			var a, na, c, nc int
			if _, err := fmt.Sscanf(l, "@@ -%d,%d +%d,%d @@", &a, &na, &c, &nc); err != nil || len(out) == 0 {
				return nil, fmt.Errorf("%s:%d: bad hunk header %q", name, i+1, l)
			}
			var h hunk
			for na > 0 || nc > 0 {
				i++
				if i >= len(lines) {
					return nil, fmt.Errorf("%s: hunk cut short", name)
				}
				l := lines[i]
				switch {
				case strings.HasPrefix(l, "-"):
					h.old = append(h.old, l[1:])
					na--
				case strings.HasPrefix(l, "+"):
					h.new = append(h.new, l[1:])
					nc--
				case strings.HasPrefix(l, `\`): // "\ No newline at end of file"
				default: // context: " line", or "" for an empty one
					l = strings.TrimPrefix(l, " ")
					h.old = append(h.old, l)
					h.new = append(h.new, l)
					na--
					nc--
				}
			}
			fp := &out[len(out)-1]
			fp.hunks = append(fp.hunks, h)
		}
		// Anything else (the file headers' "---" lines, comments) is skipped.
	}
	return out, nil
}

// apply replaces the one occurrence of h.old in lines with h.new.
func apply(lines []string, h hunk) ([]string, error) {
	at := -1
	for i := 0; i+len(h.old) <= len(lines); i++ {
		match := true
		for j, o := range h.old {
			if lines[i+j] != o {
				match = false
				break
			}
		}
		if match {
			if at >= 0 {
				return nil, fmt.Errorf("hunk matches twice (lines %d and %d)", at+1, i+1)
			}
			at = i
		}
	}
	if at < 0 {
		return nil, fmt.Errorf("hunk does not match:\n%s", strings.Join(h.old, "\n"))
	}
	out := append([]string{}, lines[:at]...)
	out = append(out, h.new...)
	return append(out, lines[at+len(h.old):]...), nil
}

func main() {
	goroot := flag.String("goroot", "", "GOROOT of the toolchain to patch")
	outDir := flag.String("out", "", "directory for the patched files and overlay.json")
	flag.Parse()
	if *goroot == "" || *outDir == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: goruntime -goroot GOROOT -out DIR PATCH...")
		os.Exit(2)
	}
	out, err := filepath.Abs(*outDir)
	if err == nil {
		err = run(*goroot, out, flag.Args())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "goruntime:", err)
		os.Exit(1)
	}
}

func run(goroot, out string, patches []string) error {
	replace := map[string]string{}
	for _, name := range patches {
		fps, err := parse(name)
		if err != nil {
			return err
		}
		for _, fp := range fps {
			src := filepath.Join(goroot, filepath.FromSlash(fp.path))
			dst := filepath.Join(out, filepath.FromSlash(fp.path))
			from := src
			if _, done := replace[src]; done {
				from = dst // a second patch of the same file
			}
			b, err := os.ReadFile(from)
			if err != nil {
				return err
			}
			lines := strings.Split(string(b), "\n")
			for i, h := range fp.hunks {
				if lines, err = apply(lines, h); err != nil {
					return fmt.Errorf("%s: %s, hunk %d: %v", name, fp.path, i+1, err)
				}
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				return err
			}
			replace[src] = dst
		}
	}
	j, err := json.MarshalIndent(struct{ Replace map[string]string }{replace}, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "overlay.json"), append(j, '\n'), 0o644)
}
