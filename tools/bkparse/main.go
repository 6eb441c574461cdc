// bkparse parses Dockerfiles with BuildKit's own parser (frontend/dockerfile/parser) and checks them
// with instructions.Parse, the way a build would before running anything. It reads one file path per
// line on stdin and prints one JSON object per line: the path, whether it parsed, the error, and the
// AST dump of each instruction (the format of BuildKit's parser test "result" files).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

type result struct {
	File string `json:"file"`
	// Parsed: the syntax parser accepted the file.
	Parsed bool `json:"parsed"`
	// Valid: instructions.Parse accepted it too (flags, JSON forms, stage names, known instructions).
	Valid bool     `json:"valid"`
	Error string   `json:"error,omitempty"`
	Nodes []string `json:"nodes"`
	// Lines: 1-based first source line of each node.
	Lines []int `json:"lines"`
	// Directives as BuildKit reads them (escape, syntax, check).
	Escape string `json:"escape"`
}

func check(file string) (r result) {
	r.File = file
	r.Nodes = []string{}
	r.Lines = []int{}
	defer func() {
		if p := recover(); p != nil {
			r.Valid = false
			r.Error = fmt.Sprintf("panic: %v", p)
		}
	}()
	data, err := os.ReadFile(file)
	if err != nil {
		r.Error = err.Error()
		return
	}
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		r.Error = err.Error()
		return
	}
	r.Parsed = true
	r.Escape = string(res.EscapeToken)
	for _, n := range res.AST.Children {
		r.Nodes = append(r.Nodes, n.Dump())
		r.Lines = append(r.Lines, n.StartLine)
	}
	if _, _, err := instructions.Parse(res.AST, nil); err != nil {
		r.Error = err.Error()
		return
	}
	r.Valid = true
	return
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		line := in.Text()
		if line == "" {
			continue
		}
		_ = enc.Encode(check(line))
		out.Flush()
	}
}
