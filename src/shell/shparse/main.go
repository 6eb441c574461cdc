// Command shparse is the shell parser of dockerize-optimize, built to WebAssembly (wasip1, reactor).
//
// It reads a RUN, CMD or HEALTHCHECK script with mvdan.cc/sh (the parser behind shfmt, the same one the
// mvdan-sh npm package builds with GopherJS) and reduces the tree, inside the module, to what src/shell
// needs: the simple commands in order with their words, assignments, redirects, byte offsets and the
// operator joining each to the next; or the names of the parameters the script expands. The result
// crosses into JavaScript as one JSON text, which is what makes it fast: walking a GopherJS tree from
// JavaScript costs a conversion on every field read.
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o shparse.wasm
// (scripts/build-shparse.js does it as part of `npm run build`).
package main

import (
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"mvdan.cc/sh/v3/syntax"
)

func main() {}

var input []byte
var output []byte

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
// It returns the length of the JSON result, which result() points to.
//
//go:wasmexport parse
func parse(n int32, mode int32) int32 {
	src := string(input[:n])
	b := output[:0]
	if mode == 1 {
		b = appendNames(b, paramNames(src))
	} else {
		b = commands(src).appendJSON(b)
	}
	output = b
	return int32(len(output))
}

//go:wasmexport result
func result() unsafe.Pointer {
	if len(output) == 0 {
		return nil
	}
	return unsafe.Pointer(unsafe.SliceData(output))
}

type word struct {
	Text  string
	Value *string
	// Unquoted plain expansions ($NAME, ${NAME}) at the word's top level, byte offsets within the word.
	Params []param
}

type param struct {
	Name       string
	Start, End int
}

type assign struct {
	Name  string
	Value *string
	Text  string
}

type command struct {
	Argv       []word
	Assigns    []assign
	Name       string
	Text       string
	Start      int
	End        int
	Redirects  []string
	InPipeline bool
	Negated    bool
	InSubshell bool
	Next       *string
}

type parsed struct {
	OK       bool
	Error    string
	Complex  bool
	Commands []*command
}

type ctx struct{ pipeline, nested, negated bool }

type walker struct {
	src      string
	commands []*command
	complex  bool
}

func op(s string) *string { return &s }

// parser is made once and reused for every script: mvdan.cc/sh documents that a Parser may be reused
// once it is done, and Parse resets its state first (after an error too). A new Parser per script cost
// about 7% of the time in allocation and clearing of its buffers.
var parser = syntax.NewParser(syntax.Variant(syntax.LangBash))

func newParser() *syntax.Parser { return parser }

func commands(src string) parsed {
	f, err := newParser().Parse(strings.NewReader(src), "script")
	if err != nil {
		return parsed{OK: false, Error: strings.TrimPrefix(err.Error(), "script:"), Complex: true, Commands: []*command{}}
	}
	w := &walker{src: src, commands: []*command{}}
	w.stmts(f.Stmts, ctx{})
	return parsed{OK: true, Complex: w.complex, Commands: w.commands}
}

func (w *walker) slice(a, b syntax.Pos) string { return w.src[a.Offset():b.Offset()] }

func (w *walker) stmts(list []*syntax.Stmt, c ctx) {
	for i, st := range list {
		before := len(w.commands)
		w.stmt(st, c)
		if len(w.commands) > before {
			last := w.commands[len(w.commands)-1]
			switch {
			case st.Background:
				last.Next = op("&")
			case i < len(list)-1:
				last.Next = op(";")
			default:
				last.Next = nil
			}
		}
	}
}

func (w *walker) stmt(st *syntax.Stmt, c ctx) {
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
		redirects := []string{}
		for _, r := range st.Redirs {
			start = min(start, int(r.Pos().Offset()))
			end = max(end, int(r.End().Offset()))
			redirects = append(redirects, w.slice(r.Pos(), r.End()))
		}
		argv := make([]word, 0, len(cmd.Args))
		for _, a := range cmd.Args {
			argv = append(argv, word{Text: w.slice(a.Pos(), a.End()), Value: wordValue(a), Params: bareParams(a)})
		}
		assigns := make([]assign, 0, len(cmd.Assigns))
		for _, a := range cmd.Assigns {
			name := ""
			if a.Name != nil {
				name = a.Name.Value
			}
			var value *string
			switch {
			case a.Array != nil || a.Index != nil || a.Append:
				value = nil
			case a.Value != nil:
				value = wordValue(a.Value)
			default:
				value = op("")
			}
			assigns = append(assigns, assign{Name: name, Value: value, Text: w.slice(a.Pos(), a.End())})
		}
		name := ""
		if len(argv) > 0 && argv[0].Value != nil {
			name = *argv[0].Value
		}
		w.commands = append(w.commands, &command{
			Argv: argv, Assigns: assigns, Name: name, Text: w.src[start:end], Start: start, End: end,
			Redirects: redirects, InPipeline: c.pipeline, Negated: negated, InSubshell: c.nested,
		})
	case *syntax.BinaryCmd:
		o := ";"
		switch cmd.Op {
		case syntax.AndStmt:
			o = "&&"
		case syntax.OrStmt:
			o = "||"
		case syntax.Pipe, syntax.PipeAll:
			o = "|"
		}
		sub := ctx{pipeline: c.pipeline || o == "|", nested: c.nested, negated: negated}
		before := len(w.commands)
		w.stmt(cmd.X, sub)
		if len(w.commands) > before {
			w.commands[len(w.commands)-1].Next = op(o)
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
			start, end := int(cmd.Pos().Offset()), int(cmd.End().Offset())
			w.commands = append(w.commands, &command{
				Argv: []word{}, Assigns: []assign{}, Text: w.src[start:end], Start: start, End: end,
				Redirects: []string{}, InPipeline: c.pipeline, Negated: negated, InSubshell: c.nested,
			})
		}
	}
}

// bareParams lists the word's unquoted plain parameter expansions ($NAME, ${NAME}: no operator, index
// or length), which the shell splits into fields and globs.
func bareParams(w *syntax.Word) []param {
	var out []param
	base := int(w.Pos().Offset())
	for _, p := range w.Parts {
		pe, ok := p.(*syntax.ParamExp)
		if !ok || pe.Param == nil || pe.Excl || pe.Length || pe.Width || pe.Index != nil || pe.Slice != nil || pe.Repl != nil || pe.Names != 0 || pe.Exp != nil {
			continue
		}
		out = append(out, param{Name: pe.Param.Value, Start: int(pe.Pos().Offset()) - base, End: int(pe.End().Offset()) - base})
	}
	return out
}

// wordValue is the literal meaning of a word after quote removal, or nil when it depends on an expansion.
func wordValue(w *syntax.Word) *string {
	var b strings.Builder
	for _, p := range w.Parts {
		if !partValue(&b, p, false) {
			return nil
		}
	}
	s := b.String()
	return &s
}

func partValue(b *strings.Builder, p syntax.WordPart, quoted bool) bool {
	switch p := p.(type) {
	case *syntax.Lit:
		if quoted {
			b.WriteString(unescapeDouble(p.Value))
		} else {
			b.WriteString(unescapeBare(p.Value))
		}
		return true
	case *syntax.SglQuoted:
		if p.Dollar {
			return false
		}
		b.WriteString(p.Value)
		return true
	case *syntax.DblQuoted:
		if p.Dollar {
			return false
		}
		for _, q := range p.Parts {
			if !partValue(b, q, true) {
				return false
			}
		}
		return true
	}
	return false
}

// unescapeBare removes line continuations, then a backslash before any character.
func unescapeBare(v string) string { return unescape(v, "") }

// unescapeDouble removes line continuations, then a backslash before $ ` " or \ (inside double quotes).
func unescapeDouble(v string) string { return unescape(v, "$`\"\\") }

// unescape removes line continuations, then a backslash before a character of only (any when empty).
func unescape(v, only string) string {
	v = strings.ReplaceAll(v, "\\\n", "")
	if !strings.Contains(v, "\\") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (only == "" || strings.IndexByte(only, v[i+1]) >= 0) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

func paramNames(src string) []string {
	f, err := newParser().Parse(strings.NewReader(src), "script")
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	names := []string{}
	syntax.Walk(f, func(n syntax.Node) bool {
		if pe, ok := n.(*syntax.ParamExp); ok && pe.Param != nil && !seen[pe.Param.Value] {
			seen[pe.Param.Value] = true
			names = append(names, pe.Param.Value)
		}
		return true
	})
	return names
}

// The result is written by hand rather than with encoding/json: reflection is most of the cost in
// WebAssembly, and the shapes are fixed.

func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

func appendOptStr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendStr(b, *s)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendList writes a JSON array of n elements, each written by item.
func appendList(b []byte, n int, item func(b []byte, i int) []byte) []byte {
	b = append(b, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = item(b, i)
	}
	return append(b, ']')
}

// field writes `"name":` after a comma (or after the opening brace when first).
func field(b []byte, name string, first bool) []byte {
	if first {
		b = append(b, '{')
	} else {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func appendInt(b []byte, v int) []byte { return strconv.AppendInt(b, int64(v), 10) }

func appendNames(b []byte, names []string) []byte {
	if names == nil {
		return append(b, "null"...)
	}
	return appendList(b, len(names), func(b []byte, i int) []byte { return appendStr(b, names[i]) })
}

func appendWord(b []byte, w word) []byte {
	b = appendStr(field(b, "text", true), w.Text)
	b = appendOptStr(field(b, "value", false), w.Value)
	if len(w.Params) > 0 {
		b = appendList(field(b, "params", false), len(w.Params), func(b []byte, i int) []byte {
			q := w.Params[i]
			b = appendStr(field(b, "name", true), q.Name)
			b = appendInt(field(b, "start", false), q.Start)
			return append(appendInt(field(b, "end", false), q.End), '}')
		})
	}
	return append(b, '}')
}

func appendCommand(b []byte, c *command) []byte {
	b = appendList(field(b, "argv", true), len(c.Argv), func(b []byte, i int) []byte { return appendWord(b, c.Argv[i]) })
	b = appendList(field(b, "assigns", false), len(c.Assigns), func(b []byte, i int) []byte {
		a := c.Assigns[i]
		b = appendStr(field(b, "name", true), a.Name)
		b = appendOptStr(field(b, "value", false), a.Value)
		return append(appendStr(field(b, "text", false), a.Text), '}')
	})
	b = appendStr(field(b, "name", false), c.Name)
	b = appendStr(field(b, "text", false), c.Text)
	b = appendInt(field(b, "start", false), c.Start)
	b = appendInt(field(b, "end", false), c.End)
	b = appendList(field(b, "redirects", false), len(c.Redirects), func(b []byte, i int) []byte { return appendStr(b, c.Redirects[i]) })
	b = appendBool(field(b, "inPipeline", false), c.InPipeline)
	b = appendBool(field(b, "negated", false), c.Negated)
	b = appendBool(field(b, "inSubshell", false), c.InSubshell)
	return append(appendOptStr(field(b, "next", false), c.Next), '}')
}

func (p parsed) appendJSON(b []byte) []byte {
	b = appendBool(field(b, "ok", true), p.OK)
	if p.Error != "" {
		b = appendStr(field(b, "error", false), p.Error)
	}
	b = appendBool(field(b, "complex", false), p.Complex)
	b = appendList(field(b, "commands", false), len(p.Commands), func(b []byte, i int) []byte { return appendCommand(b, p.Commands[i]) })
	return append(b, '}')
}
