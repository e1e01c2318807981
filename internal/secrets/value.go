package secrets

import (
	"crypto/subtle"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"unicode/utf8"
)

// Names of the tenant credentials (tenant_secrets.name).
const (
	NameSupabaseURL        = "supabase_url"
	NameSupabaseAnonKey    = "supabase_anon_key"
	NameSupabaseServiceKey = "supabase_service_key"
	NameSendgridAPIKey     = "sendgrid_api_key"
)

// Names lists the credentials a tenant may have, in display order.
var Names = []string{NameSupabaseURL, NameSupabaseAnonKey, NameSupabaseServiceKey, NameSendgridAPIKey}

// Mask is what every accidental rendering of a Value shows.
const Mask = "[redacted]"

// minHintLen is the shortest value whose last 4 characters may be shown: on
// anything shorter the hint would give away too much of it.
const minHintLen = 8

// Value is a secret in plain text. Printing it with any fmt verb, logging it
// with slog, or marshalling it to JSON or text shows Mask; only Reveal gives
// the value. It holds a pointer so that even a reflective walk over a struct
// that keeps a Value in an unexported field prints an address, not the text.
type Value struct {
	p *string
}

// NewValue wraps s.
func NewValue(s string) Value { return Value{p: &s} }

// Reveal returns the plain text, for the one place that encrypts or compares it.
func (v Value) Reveal() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

// IsZero reports whether v holds nothing (the zero Value or "").
func (v Value) IsZero() bool { return v.p == nil || *v.p == "" }

// Len is the length of the value in characters.
func (v Value) Len() int { return utf8.RuneCountInString(v.Reveal()) }

// Hint returns the last 4 characters, for the UI's mask (••••1a2b), or ""
// when the value is shorter than 8 characters.
func (v Value) Hint() string {
	s := v.Reveal()
	if utf8.RuneCountInString(s) < minHintLen {
		return ""
	}
	r := []rune(s)
	return string(r[len(r)-4:])
}

// Equal compares two values in constant time (for equal lengths).
func (v Value) Equal(w Value) bool {
	return subtle.ConstantTimeCompare([]byte(v.Reveal()), []byte(w.Reveal())) == 1
}

// String returns Mask.
func (v Value) String() string { return Mask }

// GoString returns Mask, for %#v.
func (v Value) GoString() string { return Mask }

// Format writes Mask for every verb (%s, %v, %+v, %#v, %q, %x, …).
func (v Value) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Mask)) }

// MarshalJSON writes Mask as a JSON string.
func (v Value) MarshalJSON() ([]byte, error) { return []byte(`"` + Mask + `"`), nil }

// MarshalText writes Mask (used by encoding/xml, YAML encoders, map keys).
func (v Value) MarshalText() ([]byte, error) { return []byte(Mask), nil }

// LogValue makes slog print Mask.
func (v Value) LogValue() slog.Value { return slog.StringValue(Mask) }

var (
	_ fmt.Formatter          = Value{}
	_ fmt.GoStringer         = Value{}
	_ slog.LogValuer         = Value{}
	_ json.Marshaler         = Value{}
	_ fmt.Formatter          = Key{}
	_ fmt.Formatter          = (*Keyring)(nil)
	_ encoding.TextMarshaler = Value{}
)

var envRefPattern = regexp.MustCompile(`^\$\{[A-Za-z_][A-Za-z0-9_]*\}$`)

// IsEnvRef reports whether s is a reference to an environment variable of
// the form ${NAME}; such values are stored as references, not encrypted.
func IsEnvRef(s string) bool { return envRefPattern.MatchString(s) }

// EnvRefName returns NAME of a ${NAME} reference, or "" when s is not one.
func EnvRefName(s string) string {
	if !IsEnvRef(s) {
		return ""
	}
	return s[2 : len(s)-1]
}
