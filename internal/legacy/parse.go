package legacy

import (
	"fmt"
	"net/mail"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/tenant"
)

// Parse reads one client.yaml. file names it in messages, relative to the
// tree (e.g. "africastay/client.yaml"). It returns the normalised client
// and the warnings, or a *ParseError that lists every reason the file
// cannot be imported (the warnings found so far are returned with it).
// Prompts are not part of client.yaml: ReadTree adds them.
func Parse(file string, data []byte) (Client, []Issue, error) {
	p := parseClient(file, data)
	if len(p.problems) > 0 {
		return Client{}, p.warnings, &ParseError{Reasons: p.problems}
	}
	return p.client, p.warnings, nil
}

// parsed is the outcome of reading one client.yaml.
type parsed struct {
	client   Client
	id       string // client.id when it was read and valid, even if the file is skipped
	warnings []Issue
	problems []Issue
}

func parseClient(file string, data []byte) *parsed {
	p := &parsed{}
	n := &normalizer{file: file, base: path.Base(file), p: p}
	if len(data) > maxFileSize {
		n.problem(SkipUnreadable, 0, "", "%s is %d bytes; a tenant file is a few kilobytes, so this is not one", n.base, len(data))
		return p
	}
	text, note, noteLine, ok := decodeText(data)
	if !ok {
		n.problem(SkipUnreadable, 0, "", "%s is not a text file (it holds NUL bytes)", n.base)
		return p
	}
	if note != "" {
		n.warn(WarnEncoding, noteLine, "", "%s %s", n.base, note)
	}
	d := readDocument(file, text)
	p.warnings = append(p.warnings, d.warnings...)
	p.problems = append(p.problems, d.problems...)
	if len(d.values) == 0 && len(d.problems) > 0 {
		return p
	}
	n.d = d
	n.lines = strings.Split(text, "\n")
	n.build()
	sortIssues(p.warnings)
	sortIssues(p.problems)
	return p
}

type normalizer struct {
	file        string
	base        string // the file's name, for messages: client.yaml or client.yml
	p           *parsed
	d           *document
	lines       []string
	nestedNoted bool // the branding.colors layout warning was given
}

func (n *normalizer) warn(kind Kind, line int, field, format string, args ...any) {
	n.p.warnings = append(n.p.warnings, Issue{Kind: kind, File: n.file, Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (n *normalizer) problem(kind Kind, line int, field, format string, args ...any) {
	n.p.problems = append(n.p.problems, Issue{Kind: kind, File: n.file, Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// scalar returns the text at path when it holds a non-blank single value.
// A list or mapping there is a problem for a required field and a warning
// otherwise; line is the key's line whenever the key is present.
func (n *normalizer) scalar(path string, required bool) (text string, line int, ok bool) {
	v, present := n.d.values[path]
	if !present {
		return "", 0, false
	}
	switch v.shape {
	case shapeMap, shapeList:
		if required {
			n.problem(SkipInvalidField, v.line, path, "%s holds %s, not a single value", path, v.shape)
		} else {
			n.warn(WarnWrongType, v.line, path, "%s holds %s, not a single value; it was ignored", path, v.shape)
		}
		return "", v.line, false
	case shapeText:
		if strings.TrimSpace(v.text) != "" {
			return v.text, v.line, true
		}
	}
	return "", v.line, false
}

// section reports whether the section at path is a usable mapping, warning
// when it holds a value or a list instead, and returns its line.
func (n *normalizer) section(path string) (usable bool, line int) {
	v, present := n.d.values[path]
	if !present {
		return false, 0
	}
	if v.shape == shapeText || v.shape == shapeList {
		n.warn(WarnWrongType, v.line, path, "%s: holds %s, not a section; it was ignored", path, v.shape)
	}
	return v.shape == shapeMap, v.line
}

// state says why path gave no value, for fallback messages: "is missing",
// "is empty" or "has no usable value" (a list or mapping, warned about).
func (n *normalizer) state(path string) string {
	v, present := n.d.values[path]
	switch {
	case !present:
		return "is missing" + n.lookalike(path)
	case v.shape == shapeMap || v.shape == shapeList:
		return "has no usable value"
	default:
		return "is empty"
	}
}

func (n *normalizer) build() {
	c := &n.p.client
	c.Lines = map[string]int{}
	if !n.clientSection() {
		return
	}
	n.identity(c)
	n.settings(c)
	n.branding(c)
	n.secrets(c)
	c.Extra = n.d.extras
}

func (n *normalizer) clientSection() bool {
	v, present := n.d.values["client"]
	switch {
	case !present:
		n.problem(SkipNoClientSection, 0, "client", "%s has no client: section (with id, name, currency, …)%s", n.base, n.lookalike("client"))
	case v.shape == shapeNull:
		n.problem(SkipNoClientSection, v.line, "client", "the client: section is empty; it needs id, name, currency, …")
	case v.shape != shapeMap:
		n.problem(SkipNoClientSection, v.line, "client", "client: holds %s, not a section with id, name, currency, …", v.shape)
	default:
		return true
	}
	return false
}

func (n *normalizer) identity(c *Client) {
	if id, line, ok := n.scalar("client.id", true); ok {
		id = strings.TrimSpace(id)
		if v, ok := tenant.FieldTenantID.OK(id); ok && v == id {
			c.ID, c.Lines["client.id"] = id, line
			n.p.id = id
		} else {
			n.problem(SkipInvalidField, line, "client.id", "client.id %s is not a valid tenant id (lower-case letters, digits, _ and -, starting with a letter or digit, at most 63 characters)", quote(id))
		}
	} else if !n.hasProblemAt("client.id") {
		n.problem(SkipMissingField, line, "client.id", "client.id %s; every tenant needs its id (the folder name)", n.state("client.id"))
	}

	if raw, line, ok := n.scalar("client.name", true); ok {
		name := n.text("client.name", raw, line)
		c.Lines["client.name"] = line
		// The console's rule decides; the messages say it for a file.
		v, msg := tenant.FieldTenantName.Clean(name)
		switch {
		case msg == "":
			c.Name = v
		case name == "":
			n.problem(SkipInvalidField, line, "client.name", "client.name %s has no visible characters; every tenant needs a display name", quote(raw))
		case utf8.RuneCountInString(name) > maxNameLen:
			n.problem(SkipInvalidField, line, "client.name", "client.name is %d characters long; at most %d are allowed", utf8.RuneCountInString(name), maxNameLen)
		default:
			n.problem(SkipInvalidField, line, "client.name", "client.name %s is refused: %s", quote(raw), msg)
		}
	} else if !n.hasProblemAt("client.name") {
		n.problem(SkipMissingField, line, "client.name", "client.name %s; every tenant needs a display name", n.state("client.name"))
	}

	n.shortName(c)
}

func (n *normalizer) shortName(c *Client) {
	given, line, ok := n.scalar("client.short_name", false)
	if ok {
		c.Lines["client.short_name"] = line
		if s, valid := tenant.FieldShortName.OK(given); valid {
			if s != given {
				n.warn(WarnNormalized, line, "client.short_name", "client.short_name %s was imported as %q", quote(given), s)
			}
			c.ShortName = s
			return
		}
		if s := tenant.ShortNameFrom(given); s != "" {
			n.warn(WarnNormalized, line, "client.short_name", "client.short_name %s is not a valid short name (lower-case letters, digits and single hyphens); used %q", quote(given), s)
			c.ShortName = s
			return
		}
	}
	from, source := tenant.ShortNameFrom(c.Name), "the name"
	if from == "" {
		from, source = tenant.ShortNameFrom(c.ID), "the id"
	}
	if from == "" {
		return // no name and no id: the file is skipped anyway
	}
	if ok {
		n.warn(WarnDerived, line, "client.short_name", "client.short_name %s has no letters or digits; derived %q from %s", quote(given), from, source)
	} else {
		n.warn(WarnDerived, line, "client.short_name", "client.short_name %s; derived %q from %s", n.state("client.short_name"), from, source)
	}
	c.ShortName = from
}

func (n *normalizer) settings(c *Client) {
	s := &c.Settings
	n.section("email")
	n.section("email.sendgrid")

	if cur, line, ok := n.scalar("client.currency", true); ok {
		c.Lines["client.currency"] = line
		if v, valid := tenant.FieldCurrency.OK(cur); valid {
			if v != cur {
				n.warn(WarnNormalized, line, "client.currency", "client.currency %s was imported as %s", quote(cur), v)
			}
			s.Currency = v
		} else {
			n.problem(SkipInvalidField, line, "client.currency", "client.currency %s is not an ISO 4217 currency code in use (e.g. ZAR, USD, EUR)", quote(cur))
		}
	} else if !n.hasProblemAt("client.currency") {
		n.problem(SkipMissingField, line, "client.currency", "client.currency %s; give the ISO 4217 code the tenant quotes in (e.g. ZAR)", n.state("client.currency"))
	}

	s.Timezone = n.timezone(c)

	if phone, line, ok := n.scalar("client.support_phone", false); ok {
		s.SupportPhone, c.Lines["client.support_phone"] = n.phone(phone, line), line
	}
	s.Website = n.url(c, "client.website")

	if email, line, ok := n.scalar("email.primary", true); ok {
		c.Lines["email.primary"] = line
		if v, valid := n.email("email.primary", email, line); valid {
			s.SupportEmail = v
		} else {
			n.problem(SkipInvalidField, line, "email.primary", "email.primary %s is not an e-mail address (name@example.com)", quote(email))
		}
	} else if !n.hasProblemAt("email.primary") {
		n.problem(SkipMissingField, line, "email.primary", "email.primary (the support e-mail address) %s", n.state("email.primary"))
	}

	s.EmailFromName = n.fromName(c)

	from, line, ok := n.scalar("email.sendgrid.from_email", false)
	if ok {
		c.Lines["email.sendgrid.from_email"] = line
		if v, valid := n.email("email.sendgrid.from_email", from, line); valid {
			s.EmailFromEmail = v
			return
		}
	}
	s.EmailFromEmail = s.SupportEmail
	if s.SupportEmail == "" {
		return // the file is skipped for its support address anyway
	}
	if ok {
		n.warn(WarnDefaulted, line, "email.sendgrid.from_email", "email.sendgrid.from_email %s is not an e-mail address; used the support address %s", quote(from), s.SupportEmail)
	} else {
		n.warn(WarnDefaulted, line, "email.sendgrid.from_email", "email.sendgrid.from_email %s; used the support address %s", n.state("email.sendgrid.from_email"), s.SupportEmail)
	}
}

// fromName reads email.sendgrid.from_name. Given as "" it stays empty on
// purpose; absent, unusable or too long, it is the client name.
func (n *normalizer) fromName(c *Client) string {
	const path = "email.sendgrid.from_name"
	v, present := n.d.values[path]
	if !present || v.shape != shapeText {
		_, line, _ := n.scalar(path, false) // warns about a list or mapping
		// Without a name the file is skipped for it: no need to say more.
		if c.Name != "" {
			n.warn(WarnDefaulted, line, path, "%s %s; used the client name %q", path, n.state(path), c.Name)
		}
		return c.Name
	}
	c.Lines[path] = v.line
	name := n.text(path, v.text, v.line)
	clean, msg := tenant.FieldSenderName.Clean(name)
	switch l := utf8.RuneCountInString(name); {
	case msg == "":
		return clean
	case l > maxNameLen:
		n.warn(WarnDefaulted, v.line, path, "%s is %d characters long, more than the %d the console accepts; used the client name %q", path, l, maxNameLen, c.Name)
	default:
		n.warn(WarnDefaulted, v.line, path, "%s %s is refused (%s); used the client name %q", path, quote(v.text), msg, c.Name)
	}
	return c.Name
}

// companyName reads branding.company_name; absent, unusable or too long,
// it is the client name.
func (n *normalizer) companyName(c *Client) string {
	const path = "branding.company_name"
	raw, line, ok := n.scalar(path, false)
	if !ok {
		if c.Name != "" { // without one the file is skipped anyway
			n.warn(WarnDefaulted, line, path, "%s %s; used the client name %q", path, n.state(path), c.Name)
		}
		return c.Name
	}
	c.Lines[path] = line
	name := n.text(path, raw, line)
	clean, msg := tenant.FieldTenantName.Clean(name)
	switch l := utf8.RuneCountInString(name); {
	case msg == "":
		return clean
	case name == "":
		n.warn(WarnDefaulted, line, path, "%s %s has no visible characters; used the client name %q", path, quote(raw), c.Name)
	case l > maxNameLen:
		n.warn(WarnDefaulted, line, path, "%s is %d characters long, more than the %d the console accepts; used the client name %q", path, l, maxNameLen, c.Name)
	default:
		n.warn(WarnDefaulted, line, path, "%s %s is refused (%s); used the client name %q", path, quote(raw), msg, c.Name)
	}
	return c.Name
}

// text cleans a free-text value (see cleanText), saying so when control
// characters had to be dropped.
func (n *normalizer) text(path, raw string, line int) string {
	s, dropped := cleanText(raw)
	if dropped {
		n.warn(WarnNormalized, line, path, "%s %s holds control characters; they were removed (imported as %s)", path, quote(raw), quote(s))
	}
	return s
}

// phone reads client.support_phone. One the console's forms would refuse
// is left out with a warning that quotes it, as an unusable URL is: the
// registry holds only what the console itself would accept.
func (n *normalizer) phone(raw string, line int) string {
	p, ok := tenant.FieldPhone.OK(n.text("client.support_phone", raw, line))
	if ok {
		return p
	}
	n.warn(WarnInvalidPhone, line, "client.support_phone", "client.support_phone %s is not a phone number the console accepts (digits, spaces and + ( ) . - /, at least 5 digits, at most 30 characters); it was left empty: correct it in the console or in the file", quote(raw))
	return ""
}

// email reads an e-mail address, also from the forms a mail client
// writes, with a warning: "Support <support@example.com>" and
// mailto:support@example.com. ok is false when there is no one usable
// address ("a@example.com, b@example.com" names two: which is meant is not
// for the importer to guess).
func (n *normalizer) email(path, raw string, line int) (string, bool) {
	if v, ok := normalizeEmail(raw); ok {
		return v, true
	}
	s := strings.TrimSpace(raw)
	if strings.HasPrefix(strings.ToLower(s), "mailto:") {
		s = s[len("mailto:"):]
	}
	if a, err := mail.ParseAddress(s); err == nil {
		if v, ok := normalizeEmail(a.Address); ok {
			n.warn(WarnNormalized, line, path, "%s %s was imported as %s", path, quote(raw), v)
			return v, true
		}
	}
	return "", false
}

// normalizeEmail is the console's e-mail rule, which also refuses what the
// registry's CHECK (^[^@\s]+@[^@\s]+$) refuses but mail allows: a quoted
// local part with spaces or a second @ ("john doe"@example.com).
func normalizeEmail(s string) (string, bool) { return tenant.FieldEmail.OK(s) }

func (n *normalizer) timezone(c *Client) string {
	tz, line, ok := n.scalar("client.timezone", false)
	if !ok {
		n.warn(WarnUnknownTimezone, line, "client.timezone", "client.timezone %s; used UTC", n.state("client.timezone"))
		return "UTC"
	}
	c.Lines["client.timezone"] = line
	if v, valid := tenant.FieldTimezone.OK(tz); valid {
		if v != strings.TrimSpace(tz) {
			n.warn(WarnNormalized, line, "client.timezone", "client.timezone %s was imported as %s", quote(tz), v)
		}
		return v
	}
	n.warn(WarnUnknownTimezone, line, "client.timezone", "client.timezone %s is not an IANA time zone; used UTC", quote(tz))
	return "UTC"
}

// maxURLLen is the console's limit on a website or logo URL.
const maxURLLen = 2000

// bareHost is a host name written without a scheme: www.example.com.
var bareHost = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?$`)

// url reads an optional https URL. http:// and a bare host are upgraded to
// https:// with a warning (the registry only stores https, and the old
// runtime's links mostly work over https); anything else is left empty.
func (n *normalizer) url(c *Client, path string) string {
	raw, line, ok := n.scalar(path, false)
	if !ok {
		return ""
	}
	c.Lines[path] = line
	s := strings.TrimSpace(raw)
	if len(s) > maxURLLen {
		n.warn(WarnInvalidURL, line, path, "%s is %d characters long, more than the %d the console accepts; it was left empty", path, len(s), maxURLLen)
		return ""
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "https://"):
		s = "https://" + s[len("https://"):]
	case strings.HasPrefix(lower, "http://"):
		if up, valid := tenant.FieldHTTPSURL.OK("https://" + s[len("http://"):]); valid && len(up) <= maxURLLen {
			n.warn(WarnInsecureURL, line, path, "%s %s is not https; imported as %s (check that it loads)", path, quote(raw), up)
			return up
		}
	case strings.HasPrefix(s, "//"), bareHost.MatchString(strings.SplitN(s, "/", 2)[0]) && !strings.Contains(s, " "):
		// www.example.com, www.example.com/en, //cdn.example.com/logo.png
		if up, valid := tenant.FieldHTTPSURL.OK("https://" + strings.TrimPrefix(s, "//")); valid && len(up) <= maxURLLen {
			n.warn(WarnInsecureURL, line, path, "%s %s has no https:// in front; imported as %s (check that it loads)", path, quote(raw), up)
			return up
		}
	}
	if v, valid := tenant.FieldHTTPSURL.OK(s); valid && httpsPrefixed(v) {
		return v
	}
	n.warn(WarnInvalidURL, line, path, "%s %s is not an https:// address; it was left empty", path, quote(raw))
	return ""
}

var (
	shortHexColor   = regexp.MustCompile(`^#?[0-9A-Fa-f]{3}$`)
	bareHexColor    = regexp.MustCompile(`^[0-9A-Fa-f]{6}$`)
	commentHexColor = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)
)

func (n *normalizer) branding(c *Client) {
	b := &c.Branding
	usable, line := n.section("branding")
	if !usable {
		theme := tenant.DefaultTheme()
		b.PresetTheme, b.ColorPrimary, b.ColorSecondary, b.ColorAccent = theme.ID, theme.Primary, theme.Secondary, theme.Accent
		c.Settings.CompanyName = c.Name
		n.warn(WarnNoBranding, line, "branding", "%s has no branding: section; used the %s theme and its colours, and the client name as company name", n.base, theme.ID)
		return
	}
	theme := n.theme(c)
	b.PresetTheme = theme.ID

	c.Settings.CompanyName = n.companyName(c)
	b.LogoURL = n.url(c, "branding.logo_url")

	n.section("branding.colors")
	var missing []string
	b.ColorPrimary = n.color(c, "primary", theme.Primary, theme, &missing)
	b.ColorSecondary = n.color(c, "secondary", theme.Secondary, theme, &missing)
	b.ColorAccent = n.color(c, "accent", theme.Accent, theme, &missing)
	if len(missing) > 0 {
		n.warn(WarnMissingColor, 0, "branding", "branding has no %s; used the colours of the %s theme", strings.Join(missing, ", "), theme.ID)
	}
}

func (n *normalizer) theme(c *Client) tenant.Theme {
	id, line, ok := n.scalar("branding.theme_id", false)
	def := tenant.DefaultTheme()
	if !ok {
		n.warn(WarnUnknownTheme, line, "branding.theme_id", "branding.theme_id %s; used %s", n.state("branding.theme_id"), def.ID)
		return def
	}
	c.Lines["branding.theme_id"] = line
	if t, found := tenant.ThemeByID(id); found {
		return t
	}
	norm := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(id)))
	if t, found := tenant.ThemeByID(norm); found {
		n.warn(WarnNormalized, line, "branding.theme_id", "branding.theme_id %s was imported as %s", quote(id), t.ID)
		return t
	}
	n.warn(WarnUnknownTheme, line, "branding.theme_id", "branding.theme_id %s is not a known theme; used %s (its colours replace any missing or invalid colour)", quote(id), def.ID)
	return def
}

// color reads branding.<which>_color, or branding.colors.<which> (an older
// layout), falling back to the theme's colour.
func (n *normalizer) color(c *Client, which, fallback string, theme tenant.Theme, missing *[]string) string {
	path := "branding." + which + "_color"
	nested := "branding.colors." + which
	flatVal, flatPresent := n.d.values[path]
	nestedVal, nestedPresent := n.d.values[nested]
	src := path
	flatUsable := flatPresent && (flatVal.given() || flatVal.shape == shapeNull && n.commentColorText(flatVal.line) != "")
	switch {
	case flatUsable && nestedPresent && nestedVal.given():
		if canonColor(flatVal.text) != canonColor(nestedVal.text) {
			n.warn(WarnConflict, nestedVal.line, path, "%s and %s give different colours; used %s", path, nested, path)
		}
	case !flatUsable && nestedPresent:
		src = nested
		if !n.nestedNoted {
			n.nestedNoted = true
			n.warn(WarnLayout, nestedVal.line, "branding.colors", "colours are nested under branding.colors; the export writes them as branding.primary_color, branding.secondary_color and branding.accent_color")
		}
	}

	raw, line, ok := n.scalar(src, false)
	if !ok {
		if v, present := n.d.values[src]; present && v.shape == shapeNull {
			if hex := n.commentColorText(v.line); hex != "" {
				c.Lines[path] = v.line
				col, _ := tenant.FieldColor.OK(hex)
				n.warn(WarnNormalized, v.line, path, "%s %s is not in quotes, so YAML reads it as a comment; it was used anyway (write it as \"%s\")", src, hex, col)
				return col
			}
		}
		*missing = append(*missing, path)
		return fallback
	}
	c.Lines[path] = line
	if col, valid := tenant.FieldColor.OK(raw); valid {
		return col
	}
	s := strings.TrimSpace(raw)
	switch {
	case shortHexColor.MatchString(s):
		h := strings.TrimPrefix(s, "#")
		col := strings.ToUpper("#" + string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]}))
		n.warn(WarnNormalized, line, path, "%s %s is a 3-digit colour; imported as %s", src, quote(raw), col)
		return col
	case bareHexColor.MatchString(s):
		col := strings.ToUpper("#" + s)
		n.warn(WarnNormalized, line, path, "%s %s has no #; imported as %s", src, quote(raw), col)
		return col
	}
	n.warn(WarnInvalidColor, line, path, "%s %s is not #RRGGBB; used %s's %s instead", src, quote(raw), theme.ID, fallback)
	return fallback
}

func canonColor(s string) string {
	if v, ok := tenant.FieldColor.OK(s); ok {
		return v
	}
	return strings.TrimSpace(s)
}

// commentColorText finds the "#C35D7D" an unquoted colour leaves as a
// comment on its key's line.
func (n *normalizer) commentColorText(line int) string {
	if line < 1 || line > len(n.lines) {
		return ""
	}
	l := n.lines[line-1]
	i := strings.IndexByte(l, ':')
	if i < 0 {
		return ""
	}
	rest := strings.TrimSpace(l[i+1:])
	if commentHexColor.MatchString(rest) {
		return rest
	}
	return ""
}

// secretSources says where each credential may be: the first path is the
// standard place, later ones are older layouts.
var secretSources = []struct {
	name  string
	paths []string
}{
	{secrets.NameSupabaseURL, []string{"infrastructure.supabase.url"}},
	{secrets.NameSupabaseAnonKey, []string{"infrastructure.supabase.anon_key"}},
	{secrets.NameSupabaseServiceKey, []string{"infrastructure.supabase.service_key"}},
	{secrets.NameSendgridAPIKey, []string{"infrastructure.sendgrid.api_key", "email.sendgrid.api_key"}},
}

func (n *normalizer) secrets(c *Client) {
	n.section("infrastructure")
	n.section("infrastructure.supabase")
	n.section("infrastructure.sendgrid")
	var missing []string
	for _, src := range secretSources {
		var found []Secret
		for _, path := range src.paths {
			raw, line, ok := n.scalar(path, false)
			if !ok {
				continue
			}
			if n.d.values[path].boolean {
				// true or false is a placeholder someone left, not a
				// credential worth encrypting and rotating.
				n.warn(WarnWrongType, line, path, "%s holds %s, a yes/no value, not a credential; it was ignored", path, raw)
				continue
			}
			val := strings.TrimSpace(raw)
			if strings.ContainsFunc(val, unicode.IsControl) {
				// A "\0" or "\e" escape or a line break inside: not a key
				// anyone issued, and Postgres cannot even hold its hint.
				n.warn(WarnWrongType, line, path, "%s holds control characters (a NUL, an escape or a line break), which no credential has; it was ignored (its value is not shown)", path)
				continue
			}
			sec := Secret{Name: src.name, Line: line}
			switch {
			case secrets.IsEnvRef(val):
				sec.EnvRef = val
			case strings.HasPrefix(val, "$"):
				n.warn(WarnBrokenEnvRef, line, path, "%s looks like an environment reference but is not of the form ${NAME}; it was taken as a plain-text value (encrypted, and to rotate). If it names a variable, write it as ${NAME} and import again with --update", path)
				sec.Value = secrets.NewValue(val)
			default:
				sec.Value = secrets.NewValue(val)
			}
			found = append(found, sec)
			if path != src.paths[0] {
				n.warn(WarnLayout, line, path, "%s is read as %s; the export writes it there", path, src.paths[0])
			}
		}
		switch len(found) {
		case 0:
			missing = append(missing, src.paths[0])
			continue
		case 2:
			if found[0].EnvRef != found[1].EnvRef || !found[0].Value.Equal(found[1].Value) {
				n.warn(WarnConflict, found[1].Line, src.paths[1], "%s and %s hold different values; used %s", src.paths[0], src.paths[1], src.paths[0])
			}
		}
		c.Secrets = append(c.Secrets, found[0])
		c.Lines[src.paths[0]] = found[0].Line
	}
	if len(missing) > 0 {
		n.warn(WarnMissingSecret, 0, "infrastructure", "no value for %s; the tenant is imported without %s", strings.Join(missing, ", "), plural(len(missing), "this credential", "these credentials"))
	}
	if plain := c.PlainTextSecrets(); len(plain) > 0 {
		first, _ := c.Secret(plain[0])
		n.warn(WarnPlainSecret, first.Line, "infrastructure", "%d %s in plain text (%s): rotate %s, this file has exposed %s; the database only ever stores %s encrypted",
			len(plain), plural(len(plain), "credential is", "credentials are"), strings.Join(plain, ", "),
			plural(len(plain), "it", "them"), plural(len(plain), "it", "them"), plural(len(plain), "it", "them"))
	}
}

// lookalike points at a key written another way than path's (Client:,
// ID:, short-name:): YAML, and so the old runtime, took it for another key.
func (n *normalizer) lookalike(path string) string {
	key := lastKey(path)
	for _, x := range n.d.extras {
		if parentOf(x.Path) == parentOf(path) && normKey(lastKey(x.Path)) == key {
			return fmt.Sprintf(" (line %d has %s:, which is another key: keys are case-sensitive, write %s:)", x.Line, lastKey(x.Path), key)
		}
	}
	return ""
}

func (n *normalizer) hasProblemAt(path string) bool {
	for _, p := range n.p.problems {
		if p.Field == path {
			return true
		}
	}
	return false
}

func plural(count int, one, many string) string {
	if count == 1 {
		return one
	}
	return many
}

// quote shows a value in a message, cut short when long: messages quote
// what was written so an admin can find it, never a whole blob.
func quote(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return strconv.Quote(s)
}
