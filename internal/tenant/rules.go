package tenant

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time.LoadLocation must not depend on the host's tzdata
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"golang.org/x/text/unicode/norm"
)

// The conditions behind the field rules of fields.go. Each takes a value
// already normalised by its rule (trimmed, NFC, in the rule's case) and
// reports whether it may be stored; the rules hold the messages.

var (
	check             = validator.New(validator.WithRequiredStructEnabled())
	colorPattern      = regexp.MustCompile(`^#[0-9A-F]{6}$`)
	shortNameRegex    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	promptNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,62}$`)
	keyPattern        = regexp.MustCompile(`^[A-Za-z0-9._:-]{8,100}$`)
	currencyIndex     = func() map[string]bool {
		m := make(map[string]bool, len(Currencies))
		for _, c := range Currencies {
			m[c.Code] = true
		}
		return m
	}()
	timezoneIndex = func() map[string]string {
		m := make(map[string]string, len(Timezones))
		for _, tz := range Timezones {
			m[strings.ToLower(tz)] = tz
		}
		return m
	}()
)

// Currency is an ISO 4217 code with its English name.
type Currency struct {
	Code string
	Name string
}

// validEmail: valid by the mail RFCs and — like the database's CHECK
// (^[^@\s]+@[^@\s]+$) — one @ and nothing invisible (a quoted
// "john doe"@x.com is valid mail but no address anyone types here).
func validEmail(s string) bool {
	return len(s) <= maxEmailLen && strings.Count(s, "@") == 1 && graphicWord(s) && check.Var(s, "email") == nil
}

// A phone number: digits, spaces and + ( ) . - /, at least 5 digits, at
// most 30 characters.
var phonePattern = regexp.MustCompile(`^\+?[0-9 ().\-/]+$`)

const (
	minPhoneDigits = 5
	maxPhoneLen    = 30
)

func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return len(s) <= maxPhoneLen && phonePattern.MatchString(s) && digits >= minPhoneDigits
}

// canonicalTimezone spells a zone as tzdata does when only its case
// differs (africa/johannesburg is Africa/Johannesburg).
func canonicalTimezone(s string) string {
	if tz, ok := timezoneIndex[strings.ToLower(s)]; ok {
		return tz
	}
	return s
}

// validTimezone: an IANA zone time.LoadLocation knows (older aliases in
// legacy data included).
func validTimezone(s string) bool {
	// LoadLocation also accepts "Local", which is not a zone name.
	if s == "Local" {
		return false
	}
	if _, ok := knownZones.Load(s); ok {
		return true
	}
	if _, err := time.LoadLocation(s); err != nil {
		return false
	}
	knownZones.Store(s, true)
	return true
}

// knownZones are the zone names LoadLocation has accepted (a few hundred at
// most): it reads and parses the zone's file on every call, and an import
// checks the same few zones for thousands of tenants.
var knownZones sync.Map

// lowerSchemeAndHost lower-cases what URLs compare case-insensitively: the
// scheme and the host (with its port). The path, query and fragment keep
// their case: servers may tell /About from /about.
func lowerSchemeAndHost(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	j := strings.IndexAny(rest, "/?#")
	if j < 0 {
		j = len(rest)
	}
	return strings.ToLower(s[:i]) + "://" + strings.ToLower(rest[:j]) + rest[j:]
}

// validHTTPSURL: an absolute https:// URL with a host, without user name or
// password, and without anything invisible in it.
func validHTTPSURL(s string) bool {
	if !strings.HasPrefix(s, "https://") || !graphicWord(s) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Hostname() != "" && u.User == nil && check.Var(s, "url") == nil
}

func validShortName(s string) bool { return len(s) <= 63 && shortNameRegex.MatchString(s) }

func validIdempotencyKey(s string) bool { return keyPattern.MatchString(s) }

// maxQuota: the quota columns are 32-bit integers.
const maxQuota = 1_000_000_000

// normalizeQuota drops thousands separators ("5,000", "5 000", "5_000")
// and writes the number in its plain decimal form.
func normalizeQuota(s string) string {
	s = strings.NewReplacer(",", "", "_", "", " ", "").Replace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return strconv.Itoa(n)
	}
	return s
}

// quotaProblem accepts the decimal digits of a number from 0 to maxQuota
// (the columns are 32-bit integers).
func quotaProblem(s string) string {
	if len(s) > 10 || strings.Trim(s, "0123456789") != "" {
		return msgQuota
	}
	if n, err := strconv.Atoi(s); err != nil || n > maxQuota {
		return "Enter a number up to 1,000,000,000."
	}
	return ""
}

// Int is the number of a value FieldQuota accepted.
func (f Field) Int(value string) int {
	n, _ := strconv.Atoi(value)
	return n
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

// Password policy. GoTrue's admin API accepts any password of 5 characters
// or more, so the console enforces its own.
const (
	MinPasswordLength = 10
	maxPasswordBytes  = 72 // bcrypt ignores anything longer
)

// PasswordRules are CheckPassword's rules as a person reads them before
// choosing a password.
var PasswordRules = []string{
	"At least 10 characters (at most 72 bytes).",
	"Not only spaces, and not one character repeated.",
	"Not your e-mail address or the part before the @.",
}

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
