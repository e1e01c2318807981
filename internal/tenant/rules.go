package tenant

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // time.LoadLocation must not depend on the host's tzdata
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"golang.org/x/text/unicode/norm"
)

// The field rules shared by every way data enters the registry (forms, the
// CLI, the legacy importer). Each returns the normalised value and whether it
// is acceptable.

var (
	check          = validator.New(validator.WithRequiredStructEnabled())
	colorPattern   = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)
	shortNameRegex = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	currencyIndex  = func() map[string]bool {
		m := make(map[string]bool, len(Currencies))
		for _, c := range Currencies {
			m[c.Code] = true
		}
		return m
	}()
)

// Currency is an ISO 4217 code with its English name.
type Currency struct {
	Code string
	Name string
}

// NormalizeEmail trims and lower-cases an address and reports whether it is
// one: valid by the mail RFCs, and — like the database's CHECK — without
// white space and with exactly one @ (a quoted "john doe"@x.com is valid mail
// but no address anyone types into this console).
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 254 || strings.Count(s, "@") != 1 || strings.IndexFunc(s, unicode.IsSpace) >= 0 ||
		check.Var(s, "email") != nil {
		return s, false
	}
	return s, true
}

// A phone number: digits, spaces and + ( ) . - /, at least 5 digits, at
// most 30 characters.
var phonePattern = regexp.MustCompile(`^\+?[0-9 ().\-/]+$`)

const (
	minPhoneDigits = 5
	maxPhoneLen    = 30
)

// NormalizePhone tidies the spaces of a phone number and reports whether it
// is one ("" is accepted as "no phone").
func NormalizePhone(s string) (string, bool) {
	s = CleanText(s)
	if s == "" {
		return "", true
	}
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return s, len(s) <= maxPhoneLen && phonePattern.MatchString(s) && digits >= minPhoneDigits
}

// NormalizeColor returns s as #RRGGBB in upper case, if it is a colour of that shape.
func NormalizeColor(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !colorPattern.MatchString(s) {
		return s, false
	}
	return strings.ToUpper(s), true
}

// NormalizeCurrency returns s as an upper-case ISO 4217 code in circulation.
func NormalizeCurrency(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	return s, currencyIndex[s]
}

// NormalizeTimezone reports whether s names an IANA time zone.
func NormalizeTimezone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	// LoadLocation also accepts "" and "Local", which are not zone names.
	if s == "" || s == "Local" {
		return s, false
	}
	_, err := time.LoadLocation(s)
	return s, err == nil
}

// NormalizeHTTPSURL accepts an absolute https:// URL with a host ("" is
// accepted as "no URL").
func NormalizeHTTPSURL(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || check.Var(s, "url") != nil {
		return s, false
	}
	return s, true
}

// NormalizeShortName lower-cases s and reports whether it is a valid short
// name: letters, digits and single hyphens, at most 63 characters.
func NormalizeShortName(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	return s, len(s) <= 63 && shortNameRegex.MatchString(s)
}

// ShortNameFrom derives a short name from a display name: accents dropped,
// everything else that is not a letter or digit becomes one hyphen.
// "Société des Voyages Øresund" → "societe-des-voyages-oresund".
func ShortNameFrom(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(strings.ToLower(name)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // combining accent left by NFKD
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			hyphen = false
		default:
			if folded, ok := foldedLetters[r]; ok {
				b.WriteString(folded)
				hyphen = false
				continue
			}
			if b.Len() > 0 && !hyphen {
				b.WriteByte('-')
				hyphen = true
			}
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 63 {
		s = strings.Trim(s[:63], "-")
	}
	return s
}

// Letters NFKD does not decompose into ASCII.
var foldedLetters = map[rune]string{
	'ø': "o", 'æ': "ae", 'œ': "oe", 'ß': "ss", 'đ': "d", 'ł': "l", 'þ': "th", 'ð': "d", 'ı': "i",
}

// CleanText trims s and collapses internal runs of white space to one space.
func CleanText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Password policy. GoTrue's admin API accepts any password of 5 characters
// or more, so the console enforces its own.
const (
	MinPasswordLength = 10
	maxPasswordBytes  = 72 // bcrypt ignores anything longer
)

// CheckPassword returns what is wrong with password for the account email,
// or "" when it is acceptable.
func CheckPassword(password, email string) string {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return "Use at least 10 characters."
	case len(password) > maxPasswordBytes:
		return "Use at most 72 bytes (bcrypt ignores the rest)."
	case strings.TrimSpace(password) == "":
		return "A password cannot be only spaces."
	case strings.EqualFold(password, email) || (email != "" && strings.EqualFold(password, strings.SplitN(email, "@", 2)[0])):
		return "Do not use your e-mail address as your password."
	case strings.Count(password, password[:1]) == len(password):
		return "Use more than one repeated character."
	}
	return ""
}
