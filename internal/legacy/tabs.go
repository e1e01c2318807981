package legacy

import "strings"

// goccy/go-yaml (v1.19) misreads two uses of a tab that YAML allows: a
// double-quoted scalar holding a tab is refused as soon as another key
// follows it ("value is not allowed in this context"), and a tab inside a
// plain scalar is silently dropped ("Cape<TAB>Town" reads "CapeTown").
// untab rewrites exactly those tabs before parsing: in a double-quoted
// scalar as the escape \t (the same value), in a plain scalar as a space
// (what tenant.CleanText makes of it anyway). Tabs in indentation, between
// tokens, before comments, in single-quoted scalars (which goccy reads
// right) and in block scalars are left alone. Lines are never added or
// removed, so every line number stays right.

// hasInlineTab reports whether a tab follows something other than
// indentation on some line: only then is untab needed.
func hasInlineTab(text string) bool {
	for line := range strings.Lines(text) {
		if i := strings.IndexByte(line, '\t'); i >= 0 && strings.TrimLeft(line[:i], " \t") != "" {
			return true
		}
	}
	return false
}

// untab returns text with the tabs goccy misreads rewritten (see above).
func untab(text string) string {
	out, _ := scanText(text)
	return out
}

// firstOpenQuoteLine returns the first line that ends inside a quoted
// scalar it opened: legal YAML for a long value, but in a file that fails
// to parse, nearly always a missing closing quote (which the parser itself
// reports lines further down, in other words).
func firstOpenQuoteLine(text string) int {
	_, line := scanText(text)
	return line
}

// scanText runs a lineScanner over every line outside block scalars. It
// returns text with its tabs rewritten, and the first line that ends
// inside a quote it opened (0 if none).
func scanText(text string) (out string, openQuote int) {
	var b strings.Builder
	b.Grow(len(text) + 16)
	var (
		quote       byte // '"' or '\'' while inside a quoted scalar, which may span lines
		blockIndent = -1 // indentation of the key that opened a block scalar (| or >)
		n           int
	)
	for line := range strings.Lines(text) {
		n++
		indent := len(line) - len(strings.TrimLeft(line, " "))
		if blockIndent >= 0 {
			if strings.TrimSpace(line) == "" || indent > blockIndent {
				b.WriteString(line) // block scalar content: taken as written
				continue
			}
			blockIndent = -1
		}
		s := lineScanner{quote: quote}
		b.WriteString(s.scan(line))
		if quote == 0 && s.quote != 0 && openQuote == 0 {
			openQuote = n
		}
		quote = s.quote
		if s.opensBlock {
			blockIndent = indent
		}
	}
	return b.String(), openQuote
}

// lineScanner rewrites the tabs of one line, knowing whether it starts
// inside a quoted scalar.
type lineScanner struct {
	quote      byte
	opensBlock bool // the line ends with a block scalar indicator (| or >)
}

func (s *lineScanner) scan(line string) string {
	var b strings.Builder
	const (
		between  = iota // between tokens
		plain           // inside a plain scalar
		property        // inside an anchor, alias or tag (&a, *a, !!str)
	)
	state, flow := between, 0
	lastToken := byte(0) // first byte of the last token outside quotes
	// Leading white space is indentation, or folded away inside a quoted
	// scalar: goccy reads a tab there right.
	i := len(line) - len(strings.TrimLeft(line, " \t"))
	b.WriteString(line[:i])
	for ; i < len(line); i++ {
		c := line[i]
		switch {
		case s.quote == '"':
			switch c {
			case '\\':
				if i+1 < len(line) {
					b.WriteByte(c)
					i++
					c = line[i]
				}
			case '"':
				s.quote = 0
			case '\t':
				if strings.TrimLeft(line[i:], " \t\n") != "" {
					b.WriteString(`\t`) // trailing ones are folded away, and read right
					continue
				}
			}
		case s.quote == '\'':
			if c == '\'' {
				if i+1 < len(line) && line[i+1] == '\'' {
					b.WriteByte(c)
					i++
				} else {
					s.quote = 0
				}
			}
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			b.WriteString(line[i:])
			return b.String()
		case c == ' ' || c == '\t' || c == '\n':
			if rest := strings.TrimLeft(line[i:], " \t\n"); c == '\t' && state == plain && rest != "" && rest[0] != '#' {
				c = ' ' // inside the scalar, not trailing it
			}
			if state == property {
				state = between
			}
		case state == plain:
			if c == ':' && (i+1 == len(line) || strings.IndexByte(" \t\n", line[i+1]) >= 0) ||
				flow > 0 && strings.IndexByte(",]}", c) >= 0 {
				state = between
				lastToken = c
			}
		case state == property:
		case c == '"' || c == '\'':
			s.quote, lastToken = c, c
		case c == '[' || c == '{':
			flow++
			lastToken = c
		case c == ']' || c == '}':
			flow--
			lastToken = c
		case strings.IndexByte("-?:,", c) >= 0 && (i+1 == len(line) || strings.IndexByte(" \t\n", line[i+1]) >= 0):
			lastToken = c // an indicator, not the start of a scalar
		case c == '&' || c == '*' || c == '!':
			state = property // lastToken stays: "key: &a |" opens a block
		case (c == '|' || c == '>') && (lastToken == ':' || lastToken == '-'):
			s.opensBlock = true
			b.WriteString(line[i:])
			return b.String()
		default:
			state, lastToken = plain, c
		}
		b.WriteByte(c)
	}
	return b.String()
}
