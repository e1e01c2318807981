package legacy

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	unicodeenc "golang.org/x/text/encoding/unicode"

	"github.com/tenant-console/console/internal/tenant"
)

// maxFileSize bounds what is read of one client.yaml or prompt: the real
// files are about a kilobyte, anything near this is not a tenant file.
const maxFileSize = 1 << 20

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeText turns the bytes of a legacy file into UTF-8 text with LF line
// ends and no BOM. A file that is not UTF-8 is converted (UTF-16 by its BOM,
// anything else as Windows-1252, the superset of Latin-1 that Windows editors
// write), and note says so; the caller turns it into a warning because the
// accents should be checked; line is where the first non-UTF-8 byte was.
// ok is false for binary content (a NUL byte).
func decodeText(data []byte) (text, note string, line int, ok bool) {
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		data = data[len(utf8BOM):]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec := unicodeenc.UTF16(unicodeenc.BigEndian, unicodeenc.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(data)
		if err != nil {
			return "", "", 0, false
		}
		data = bytes.TrimPrefix(out, utf8BOM)
		note = "is UTF-16; it was converted to UTF-8"
	}
	if !utf8.Valid(data) {
		line = 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		out, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return "", "", 0, false
		}
		data = out
		note = "is not UTF-8; it was read as Latin-1 (Windows-1252) and converted — check the accented letters of the imported values"
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", "", 0, false
	}
	s := string(data)
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return s, note, line, true
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// cleanText is tenant.CleanText for a value read from a file, after
// tenant.Strip has dropped what no rule accepts (a NUL written as "\0",
// ESC, BEL, text-direction overrides…: Postgres refuses NUL in text, the
// others garble a terminal or a page), where a form would refuse the value
// instead. dropped reports whether anything was removed.
func cleanText(s string) (clean string, dropped bool) {
	s, dropped = tenant.Strip(s)
	return tenant.CleanText(s), dropped
}
