// Command shparse is the shell parser of dockerize-optimize, built to WebAssembly (wasip1, reactor).
//
// It reads a RUN, CMD or HEALTHCHECK script with mvdan.cc/sh (the parser behind shfmt, the same one the
// mvdan-sh npm package builds with GopherJS) and reduces the tree, inside the module, to what src/shell
// needs: the simple commands in order with their words, assignments, redirects, byte offsets and the
// operator joining each to the next; or the names of the parameters the script expands. The result
// crosses into JavaScript as one list of integers (strings as byte ranges of the script), which is what
// makes it fast: walking a GopherJS tree from JavaScript costs a conversion on every field read.
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o shparse.wasm
// (scripts/build-shparse.js does it as part of `npm run build`).
package main

import (
	"runtime/debug"
	"strings"
	"unsafe"

	"mvdan.cc/sh/v3/syntax"
)

func main() {}

// The heap a parse needs is small and short-lived; with the default GOGC the collector's marking (write
// barriers, marking of new objects) was a tenth of the profile. 400 cut about 10% of the time for a
// heap near 16 MB at most (1600 was no faster and used 60 MB more).
func init() { debug.SetGCPercent(400) }

var input []byte

// buffer returns room for an n-byte script; JavaScript writes the script there, then calls parse.
//
//go:wasmexport buffer
func buffer(n int32) unsafe.Pointer {
	if int32(cap(input)) < n+1 {
		input = make([]byte, n+1)
	}
	input = input[:n]
	return unsafe.Pointer(unsafe.SliceData(input[:cap(input)]))
}

// parse reads the n-byte script in the buffer. mode 0: commands; mode 1: parameter names.
// It returns the number of int32 values of the result, which result() points to; the bytes of the
// strings that are not slices of the script follow at strs() (their count is the result's first value).
// The layout is described in README.md and read by src/shell/index.ts.
//
//go:wasmexport parse
func parse(n int32, mode int32) int32 {
	w := &out
	// The script is read in place: nothing keeps a piece of it after the call (the parser copies what
	// it reads into its own buffers), and JavaScript rewrites the buffer only before the next call.
	w.src = unsafe.String(unsafe.SliceData(input), n)
	w.n = 0
	w.put(0)
	w.extra = w.extra[:0]
	if mode == 1 {
		w.paramNames()
	} else {
		w.commands()
	}
	w.ints[0] = int32(len(w.extra))
	return int32(w.n)
}

//go:wasmexport result
func result() unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(out.ints)) }

//go:wasmexport strs
func strs() unsafe.Pointer {
	if cap(out.extra) == 0 {
		return nil
	}
	return unsafe.Pointer(unsafe.SliceData(out.extra))
}

// The result is a list of int32 values, written as the tree is walked (no intermediate structs, no
// JSON to escape and parse). A string is a pair [a, b): a byte range of the script when b <= len(script),
// else of the extra strings (offsets past the script's end); [-1, -1] is null.
//
// mode 0: extra length, ok, complex, command count, error string, then each command:
//   flags (1 inPipeline, 2 negated, 4 inSubshell, next operator << 3), start, end,
//   argv count, each word (text, value, param count, each param (name, start, end)),
//   assign count, each assign (name, value, text), redirect count, each redirect (text).
// mode 1: extra length, name count (-1 when the script does not parse), each name.

// next operators, in the flags of a command (0: none).
const (
	nextAnd = 1 + iota
	nextOr
	nextSemi
	nextPipe
	nextBackground
)

type ctx struct{ pipeline, nested, negated bool }

type writer struct {
	src      string
	ints     []int32 // the result is ints[:n]; the slice is stored again only when it grows
	n        int
	extra    []byte
	count    int // commands written
	last     int // index of the last command's flags
	complex  bool
	valueBuf []byte
}

var out writer

// parser is made once and reused for every script: mvdan.cc/sh documents that a Parser may be reused
// once it is done, and Parse resets its state first (after an error too). A new Parser per script cost
// about 7% of the time in allocation and clearing of its buffers.
var parser = syntax.NewParser(syntax.Variant(syntax.LangBash))

func (w *writer) put(v ...int32) {
	if w.n+len(v) > len(w.ints) {
		grown := make([]int32, max(2*len(w.ints), w.n+len(v), 1024))
		copy(grown, w.ints[:w.n])
		w.ints = grown
	}
	for _, x := range v {
		w.ints[w.n] = x
		w.n++
	}
}

// str writes s as a range of the script when it is found in src[a:b], else as an extra string.
func (w *writer) str(s string, a, b int) {
	if 0 <= a && a <= b && b <= len(w.src) {
		if i := strings.Index(w.src[a:b], s); i >= 0 {
			w.put(int32(a+i), int32(a+i+len(s)))
			return
		}
	}
	at := len(w.src) + len(w.extra)
	w.extra = append(w.extra, s...)
	w.put(int32(at), int32(at+len(s)))
}

func (w *writer) null() { w.put(-1, -1) }

func (w *writer) commands() {
	f, err := parser.Parse(strings.NewReader(w.src), "script")
	if err != nil {
		w.put(0, 1, 0)
		w.str(strings.TrimPrefix(err.Error(), "script:"), 0, 0)
		return
	}
	w.put(1, 0, 0, -1, -1)
	w.count, w.last, w.complex = 0, -1, false
	w.stmts(f.Stmts, ctx{})
	if w.complex {
		w.ints[2] = 1
	}
	w.ints[3] = int32(w.count)
}

// setNext sets the operator joining the last command written to the next.
func (w *writer) setNext(op int32) { w.ints[w.last] = w.ints[w.last]&7 | op<<3 }

func (w *writer) stmts(list []*syntax.Stmt, c ctx) {
	for i, st := range list {
		before := w.count
		w.stmt(st, c)
		if w.count > before {
			switch {
			case st.Background:
				w.setNext(nextBackground)
			case i < len(list)-1:
				w.setNext(nextSemi)
			default:
				w.setNext(0)
			}
		}
	}
}

// begin writes the head of a command: flags, start, end (setNext adds the operator to the flags later).
func (w *writer) begin(start, end int, c ctx, negated bool) {
	var flags int32
	if c.pipeline {
		flags |= 1
	}
	if negated {
		flags |= 2
	}
	if c.nested {
		flags |= 4
	}
	w.last = w.n
	w.count++
	w.put(flags, int32(start), int32(end))
}

func (w *writer) stmt(st *syntax.Stmt, c ctx) {
	negated := c.negated || st.Negated
	for _, r := range st.Redirs {
		// here-documents (<<, <<-) carry a body the command reads: treat as control flow
		if r.Hdoc != nil {
			w.complex = true
		}
	}
	if st.Cmd == nil {
		return
	}
	switch cmd := st.Cmd.(type) {
	case *syntax.CallExpr:
		start, end := int(cmd.Pos().Offset()), int(cmd.End().Offset())
		for _, r := range st.Redirs {
			start = min(start, int(r.Pos().Offset()))
			end = max(end, int(r.End().Offset()))
		}
		w.begin(start, end, c, negated)
		w.put(int32(len(cmd.Args)))
		for _, a := range cmd.Args {
			w.word(a)
		}
		w.put(int32(len(cmd.Assigns)))
		for _, a := range cmd.Assigns {
			as, ae := int(a.Pos().Offset()), int(a.End().Offset())
			if a.Name != nil {
				w.str(a.Name.Value, as, ae)
			} else {
				w.str("", as, ae)
			}
			switch {
			case a.Array != nil || a.Index != nil || a.Append:
				w.null()
			case a.Value != nil:
				w.value(a.Value, as, ae)
			default:
				w.str("", as, ae)
			}
			w.put(int32(as), int32(ae))
		}
		w.put(int32(len(st.Redirs)))
		for _, r := range st.Redirs {
			w.put(int32(r.Pos().Offset()), int32(r.End().Offset()))
		}
	case *syntax.BinaryCmd:
		var o int32 = nextSemi
		switch cmd.Op {
		case syntax.AndStmt:
			o = nextAnd
		case syntax.OrStmt:
			o = nextOr
		case syntax.Pipe, syntax.PipeAll:
			o = nextPipe
		}
		sub := ctx{pipeline: c.pipeline || o == nextPipe, nested: c.nested, negated: negated}
		before := w.count
		w.stmt(cmd.X, sub)
		if w.count > before {
			w.setNext(o)
		}
		w.stmt(cmd.Y, sub)
	case *syntax.Subshell:
		w.stmts(cmd.Stmts, ctx{pipeline: c.pipeline, nested: true, negated: negated})
	case *syntax.Block:
		w.stmts(cmd.Stmts, ctx{pipeline: c.pipeline, nested: true, negated: negated})
	default:
		// if/for/while/case/functions/[[ ]]/let/declare/time/coproc: walk for nested simple commands
		w.complex = true
		var inner []*syntax.Stmt
		syntax.Walk(cmd, func(n syntax.Node) bool {
			if s, ok := n.(*syntax.Stmt); ok {
				inner = append(inner, s)
				return false
			}
			return true
		})
		nested := ctx{pipeline: c.pipeline, nested: true, negated: negated}
		for _, s := range inner {
			w.stmt(s, nested)
		}
		switch cmd.(type) {
		case *syntax.TimeClause, *syntax.DeclClause, *syntax.TestClause, *syntax.LetClause, *syntax.ArithmCmd:
			// these are simple enough to keep as one opaque command
			w.begin(int(cmd.Pos().Offset()), int(cmd.End().Offset()), c, negated)
			w.put(0, 0, 0)
		}
	}
}

// word writes a word: its text, its literal value and its unquoted plain parameter expansions.
func (w *writer) word(a *syntax.Word) {
	start, end := int(a.Pos().Offset()), int(a.End().Offset())
	w.put(int32(start), int32(end))
	w.value(a, start, end)
	at := w.n
	w.put(0)
	w.bareParams(a, start)
	w.ints[at] = int32((w.n - at - 1) / 4)
}

// value writes the literal meaning of a word after quote removal, or null when it depends on an expansion.
func (w *writer) value(a *syntax.Word, start, end int) {
	if len(a.Parts) == 1 {
		// the common case, a bare word without backslashes: its value is its text
		if l, ok := a.Parts[0].(*syntax.Lit); ok && strings.IndexByte(l.Value, '\\') < 0 && l.Value == w.src[start:end] {
			w.put(int32(start), int32(end))
			return
		}
	}
	b := w.valueBuf[:0]
	ok := true
	for _, p := range a.Parts {
		if b, ok = partValue(b, p, false); !ok {
			break
		}
	}
	if cap(b) > cap(w.valueBuf) {
		w.valueBuf = b // kept for the next word (stored only when it grew)
	}
	if !ok {
		w.null()
		return
	}
	w.str(unsafe.String(unsafe.SliceData(b), len(b)), start, end)
}

// bareParams writes the word's unquoted plain parameter expansions ($NAME, ${NAME}: no operator, index
// or length), which the shell splits into fields and globs, with byte offsets within the word.
func (w *writer) bareParams(a *syntax.Word, base int) {
	for _, p := range a.Parts {
		pe, ok := p.(*syntax.ParamExp)
		if !ok || pe.Param == nil || pe.Excl || pe.Length || pe.Width || pe.Index != nil || pe.Slice != nil || pe.Repl != nil || pe.Names != 0 || pe.Exp != nil {
			continue
		}
		w.str(pe.Param.Value, int(pe.Param.Pos().Offset()), int(pe.Param.End().Offset()))
		w.put(int32(int(pe.Pos().Offset())-base), int32(int(pe.End().Offset())-base))
	}
}

func partValue(b []byte, p syntax.WordPart, quoted bool) ([]byte, bool) {
	switch p := p.(type) {
	case *syntax.Lit:
		if quoted {
			return unescape(b, p.Value, "$`\"\\"), true
		}
		return unescape(b, p.Value, ""), true
	case *syntax.SglQuoted:
		if p.Dollar {
			return b, false
		}
		return append(b, p.Value...), true
	case *syntax.DblQuoted:
		if p.Dollar {
			return b, false
		}
		for _, q := range p.Parts {
			var ok bool
			if b, ok = partValue(b, q, true); !ok {
				return b, false
			}
		}
		return b, true
	}
	return b, false
}

// unescape appends v without its line continuations, then without a backslash before a character of
// only (any character when only is empty). The two steps are done in that order, as parseWithGopherJs
// does in src/shell/index.ts (backslash, backslash, newline leaves one backslash).
func unescape(b []byte, v, only string) []byte {
	if strings.IndexByte(v, '\\') < 0 {
		return append(b, v...)
	}
	if strings.Contains(v, "\\\n") {
		v = strings.ReplaceAll(v, "\\\n", "")
	}
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (only == "" || strings.IndexByte(only, v[i+1]) >= 0) {
			i++
		}
		b = append(b, v[i])
	}
	return b
}

// paramNames writes the names of the parameters the script expands, each once, in order.
func (w *writer) paramNames() {
	f, err := parser.Parse(strings.NewReader(w.src), "script")
	if err != nil {
		w.put(-1)
		return
	}
	at := w.n
	w.put(0)
	seen := map[string]bool{}
	syntax.Walk(f, func(n syntax.Node) bool {
		if pe, ok := n.(*syntax.ParamExp); ok && pe.Param != nil && !seen[pe.Param.Value] {
			seen[pe.Param.Value] = true
			w.str(pe.Param.Value, int(pe.Param.Pos().Offset()), int(pe.Param.End().Offset()))
			w.ints[at]++
		}
		return true
	})
}
