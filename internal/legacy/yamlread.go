package legacy

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// The known layout of client.yaml: a nil entry is a value, a non-nil one a
// section. Anything else is an extra key.
type layout map[string]layout

var clientLayout = layout{
	"client": {
		"id": nil, "name": nil, "short_name": nil, "currency": nil, "timezone": nil,
		"support_phone": nil, "website": nil,
	},
	"branding": {
		"company_name": nil, "theme_id": nil, "logo_url": nil,
		"primary_color": nil, "secondary_color": nil, "accent_color": nil,
		"colors": {"primary": nil, "secondary": nil, "accent": nil},
	},
	"email": {
		"primary":  nil,
		"sendgrid": {"from_name": nil, "from_email": nil, "api_key": nil},
	},
	"infrastructure": {
		"supabase": {"url": nil, "anon_key": nil, "service_key": nil},
		"sendgrid": {"api_key": nil},
	},
}

// shape is what a key holds.
type shape int

const (
	shapeNull shape = iota // no value, ~ or null
	shapeText              // a scalar, kept as written
	shapeMap
	shapeList
)

func (s shape) String() string {
	switch s {
	case shapeNull:
		return "nothing"
	case shapeText:
		return "a single value"
	case shapeMap:
		return "a mapping"
	default:
		return "a list"
	}
}

// rawValue is one key of the file as written, before any rule is applied.
type rawValue struct {
	text    string // the scalar as written: 007 stays "007", yes stays "yes"
	shape   shape
	line    int  // line of the key
	boolean bool // YAML reads the scalar as a boolean (true, false, …)
}

// given reports whether the key holds a scalar that is not blank.
func (v rawValue) given() bool { return v.shape == shapeText && strings.TrimSpace(v.text) != "" }

// document is client.yaml read against clientLayout.
type document struct {
	values   map[string]rawValue // by dotted path, for values and sections present
	extras   []ExtraKey
	warnings []Issue
	problems []Issue
}

// maxDepth bounds alias and merge-key resolution (and so any cycle).
const maxDepth = 32

// readDocument parses text and reads it against clientLayout. A file that
// cannot be read at all yields problems and no values.
func readDocument(file, text string) *document {
	d := &document{values: map[string]rawValue{}}
	base := path.Base(file)
	problem := func(kind Kind, line int, format string, args ...any) {
		d.problems = append(d.problems, Issue{Kind: kind, File: file, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(text) == "" {
		problem(SkipEmpty, 0, "%s is empty", base)
		return d
	}
	f, err := parse(text)
	if err != nil {
		line, msg := describeSyntaxError(text, err)
		problem(SkipSyntax, line, "%s; fix the file and import again", msg)
		return d
	}
	var bodies []ast.Node
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			if _, isComment := doc.Body.(*ast.CommentGroupNode); !isComment {
				bodies = append(bodies, doc.Body)
			}
		}
	}
	switch len(bodies) {
	case 0:
		problem(SkipEmpty, 0, "%s holds no data, only comments or document markers", base)
		return d
	case 1:
	default:
		problem(SkipMultipleDocs, lineOf(bodies[1]), "%s holds %d YAML documents separated by ---; a tenant file has exactly one", base, len(bodies))
		return d
	}
	r := &reader{doc: d, file: file, anchors: map[string]ast.Node{}}
	collectAnchors(bodies[0], r.anchors, 0)
	top := r.resolve(bodies[0], 0)
	if sh := shapeOf(top); sh != shapeMap {
		what := sh.String()
		if sh == shapeNull {
			what = "no value"
		}
		problem(SkipNotMapping, lineOf(top), "%s holds %s, not the expected sections (client:, branding:, email:, infrastructure:)", base, what)
		return d
	}
	r.walk(top, "", clientLayout, 0)
	return d
}

// parse runs the YAML parser. A file with tabs inside its lines is read
// with those goccy misreads rewritten (see untab), unless that fails.
func parse(text string) (*ast.File, error) {
	if hasInlineTab(text) {
		if f, err := parseYAML(untab(text)); err == nil {
			return f, nil
		}
	}
	return parseYAML(text)
}

// parseYAML runs the YAML parser, turning a panic inside it into an error:
// a broken file must be reported, never crash the run.
func parseYAML(text string) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, errors.New("the YAML parser could not read this file")
		}
	}()
	// Duplicate keys are found (and explained) by the reader instead.
	return parser.ParseBytes([]byte(text), 0, parser.AllowDuplicateMapKey())
}

// describeSyntaxError returns the line of a parse error and a sentence for
// it. The parser's own messages name tokens, not values, so they are safe to
// repeat; its formatted error (with source lines) is never used because the
// source may hold secrets.
func describeSyntaxError(text string, err error) (int, string) {
	line, msg := 0, "the file is not valid YAML"
	var ye yaml.Error
	if errors.As(err, &ye) {
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
		}
		msg = "the file is not valid YAML: " + ye.GetMessage() + syntaxHint(ye.GetMessage())
	}
	if tab := firstTabIndentedLine(text); tab > 0 && (line == 0 || tab <= line) {
		return tab, "found a tab character in the indentation; YAML indents with spaces only"
	}
	if strings.Contains(msg, "\t") || strings.Contains(msg, "tab character") {
		return line, "found a tab character where YAML expects spaces"
	}
	if open := firstOpenQuoteLine(text); open > 0 && (line == 0 || open <= line) {
		return open, "the file is not valid YAML: a quote opened on this line is never closed"
	}
	return line, msg
}

// syntaxHints says in plain words what the parser's terser messages
// usually mean in a tenant file.
var syntaxHints = []struct{ says, hint string }{
	{"value is not allowed in this context", "a key: value that does not fit the indentation around it; check this line and the one before: the keys of a section line up, indented with spaces"},
	{"non-map value is specified", "a line without a key: where one was expected; check for a missing colon or a line indented too far"},
	{"could not find end character", "a quote is opened and never closed"},
	{"must be specified", "a [ or { is never closed"},
	{"is a reserved character", "a value starting with it needs double quotes"},
}

func syntaxHint(msg string) string {
	for _, h := range syntaxHints {
		if strings.Contains(msg, h.says) {
			return " (" + h.hint + ")"
		}
	}
	return ""
}

// firstTabIndentedLine returns the first line whose indentation holds a tab.
func firstTabIndentedLine(text string) int {
	for i, l := range strings.Split(text, "\n") {
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if strings.Contains(indent, "\t") && strings.TrimSpace(l) != "" {
			return i + 1
		}
	}
	return 0
}

type reader struct {
	doc     *document
	file    string
	anchors map[string]ast.Node
}

func (r *reader) warn(kind Kind, line int, field, format string, args ...any) {
	r.doc.warnings = append(r.doc.warnings, Issue{Kind: kind, File: r.file, Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (r *reader) problem(kind Kind, line int, field, format string, args ...any) {
	r.doc.problems = append(r.doc.problems, Issue{Kind: kind, File: r.file, Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// entry is one key: value of a mapping, after merge keys are expanded.
type entry struct {
	key    string
	line   int
	value  ast.Node
	merged bool // came from a << merge; explicit keys override it
}

// walk reads the mapping n at path against l.
func (r *reader) walk(n ast.Node, path string, l layout, depth int) {
	if depth > maxDepth {
		return
	}
	first := map[string]entry{}
	for _, e := range r.entries(n, depth) {
		full := join(path, e.key)
		child, known := l[e.key]
		prev, dup := first[e.key]
		if dup {
			if e.merged {
				continue // an explicit key overrides a merged one
			}
			r.duplicate(full, prev, e, known && child == nil, known)
			continue
		}
		first[e.key] = e
		if !known {
			r.doc.extras = append(r.doc.extras, ExtraKey{Path: full, Line: e.line})
			r.unknownKey(full, e.key, e.line, l)
			continue
		}
		v := r.resolve(e.value, depth)
		raw := rawValue{shape: shapeOf(v), line: e.line}
		if raw.shape == shapeText {
			raw.text = scalarText(v)
			_, raw.boolean = v.(*ast.BoolNode)
		}
		r.doc.values[full] = raw
		if child != nil && raw.shape == shapeMap {
			r.walk(v, full, child, depth+1)
		}
	}
}

func (r *reader) duplicate(full string, prev, e entry, isValue, known bool) {
	if !known {
		r.warn(WarnDuplicateKey, e.line, full, "%s appears twice (lines %d and %d); it is not imported anyway", full, prev.line, e.line)
		return
	}
	if isValue {
		a, b := r.resolve(prev.value, 0), r.resolve(e.value, 0)
		if shapeOf(a) == shapeOf(b) && scalarText(a) == scalarText(b) {
			r.warn(WarnDuplicateKey, e.line, full, "%s appears twice (lines %d and %d) with the same value; remove one", full, prev.line, e.line)
			return
		}
		r.problem(SkipAmbiguousKey, e.line, full, "%s appears twice (lines %d and %d) with different values; keep the right one and import again", full, prev.line, e.line)
		return
	}
	r.problem(SkipAmbiguousKey, e.line, full, "the section %s: appears twice (lines %d and %d); merge them into one and import again", full, prev.line, e.line)
}

func (r *reader) unknownKey(full, key string, line int, l layout) {
	hint := ""
	norm := normKey(key)
	for known := range l {
		if known == norm {
			hint = fmt.Sprintf(" (did you mean %s?)", join(parentOf(full), known))
		}
	}
	r.warn(WarnUnknownKey, line, full, "%s is not a field the console knows%s; it is not imported", full, hint)
}

// entries lists the key/value pairs of a mapping, expanding << merge keys.
func (r *reader) entries(n ast.Node, depth int) []entry {
	m, ok := n.(*ast.MappingNode)
	if !ok || depth > maxDepth {
		return nil
	}
	var out, merged []entry
	for _, mv := range m.Values {
		if mv == nil {
			continue
		}
		if mv.Key != nil && mv.Key.IsMergeKey() {
			for _, src := range r.mergeSources(mv.Value, depth) {
				for _, e := range r.entries(src, depth+1) {
					e.merged = true
					merged = append(merged, e)
				}
			}
			continue
		}
		out = append(out, entry{key: r.keyText(mv.Key, depth), line: lineOf(mv.Key), value: mv.Value})
	}
	return append(out, merged...)
}

func (r *reader) mergeSources(n ast.Node, depth int) []ast.Node {
	v := r.resolve(n, depth)
	switch v := v.(type) {
	case *ast.MappingNode:
		return []ast.Node{v}
	case *ast.SequenceNode:
		var out []ast.Node
		for _, item := range v.Values {
			if m, ok := r.resolve(item, depth).(*ast.MappingNode); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func (r *reader) keyText(k ast.MapKeyNode, depth int) string {
	if k == nil {
		return ""
	}
	v := r.resolve(k, depth)
	if shapeOf(v) != shapeText {
		return "(" + shapeOf(v).String() + ")"
	}
	return scalarText(v)
}

// resolve looks through tags, anchors, aliases and explicit-key markers to
// the node that holds the value.
func (r *reader) resolve(n ast.Node, depth int) ast.Node {
	for range maxDepth {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			n = v.Value
		case *ast.MappingKeyNode:
			n = v.Value
		case *ast.AliasNode:
			n = r.anchors[nodeName(v.Value)]
		default:
			return n
		}
	}
	return nil
}

func collectAnchors(n ast.Node, into map[string]ast.Node, depth int) {
	if n == nil || depth > 10*maxDepth {
		return
	}
	switch v := n.(type) {
	case *ast.AnchorNode:
		into[nodeName(v.Name)] = v.Value
		collectAnchors(v.Value, into, depth+1)
	case *ast.TagNode:
		collectAnchors(v.Value, into, depth+1)
	case *ast.MappingNode:
		for _, mv := range v.Values {
			collectAnchors(mv, into, depth+1)
		}
	case *ast.MappingValueNode:
		if v.Key != nil {
			collectAnchors(v.Key, into, depth+1)
		}
		collectAnchors(v.Value, into, depth+1)
	case *ast.MappingKeyNode:
		collectAnchors(v.Value, into, depth+1)
	case *ast.SequenceNode:
		for _, item := range v.Values {
			collectAnchors(item, into, depth+1)
		}
	}
}

func nodeName(n ast.Node) string {
	if n == nil {
		return ""
	}
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

func shapeOf(n ast.Node) shape {
	switch n.(type) {
	case nil, *ast.NullNode:
		return shapeNull
	case *ast.MappingNode:
		return shapeMap
	case *ast.SequenceNode:
		return shapeList
	case *ast.StringNode, *ast.LiteralNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode,
		*ast.InfinityNode, *ast.NanNode:
		return shapeText
	}
	return shapeNull
}

// scalarText returns a scalar exactly as written: numbers, booleans and
// their look-alikes keep their text (007, +27 13…, yes, 1e3, NO).
func scalarText(n ast.Node) string {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value
	case *ast.LiteralNode:
		if v.Value != nil {
			return v.Value.Value
		}
		return ""
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value
		}
	}
	return ""
}

func lineOf(n ast.Node) int {
	if n == nil {
		return 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

// normKey is key as the layout would spell it: Client → client,
// short-name → short_name.
func normKey(key string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(key)), "-", "_")
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func parentOf(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

func lastKey(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }
