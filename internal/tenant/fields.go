package tenant

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/secrets"
)

// A Field is the one rule for a kind of value a person can type: how it is
// normalised, what it may hold, the message they read when it may not, and
// the database columns (and so the CHECKs) it guards. Every entry point —
// web forms, the CLI, the legacy importer, search — cleans input through
// these rules; nothing else validates a field. The property test
// (fields_db_test.go) proves against the migrated schema that every value a
// rule accepts passes the CHECKs of its Columns, and that every CHECK on a
// column people type into has a rule.
//
// What every rule does, in order (Clean):
//
//  1. refuses text Postgres cannot store or that would mislead a reader:
//     invalid UTF-8, NUL and the other control characters (tab and line
//     breaks are white space, see 3), and the bidirectional embedding,
//     override and isolate controls (U+202A–U+202E, U+2066–U+2069) that can
//     make a name display as something else;
//  2. puts the text in Unicode NFC, so "é" typed as e + U+0301 and as one
//     letter are one value (and one length);
//  3. trims white space and invisible format characters (zero-width
//     spaces, direction marks, a stray BOM) from both ends; free text also
//     collapses inner runs of white space to one space, while a one-word
//     value (an e-mail address, a URL, a code) may hold none inside;
//  4. applies the field's case (e-mail and short names lower, currency and
//     colours upper, the scheme and host of a URL lower) and shape;
//  5. checks the result: required, at least one visible character, the
//     length, the field's own condition — at least as strict as its CHECK.
//
// Direction marks (U+200E, U+200F, U+061C) and zero-width joiners inside
// free text are kept: right-to-left names and emoji sequences need them.
type Field struct {
	// Key is the form field (and error key) the rule is usually shown
	// beside; a form with two fields of one kind passes its own key to Into.
	Key string
	// Label names the field in messages that are not beside it.
	Label string
	// Columns are the "table.column"s whose CHECK constraints this rule
	// must be at least as strict as (proven by the property test).
	Columns []string
	// Optional: "" is accepted and stored as "".
	Optional bool
	// MaxRunes bounds the normalised value (0: no bound beyond the rule's).
	MaxRunes int
	// Truncate: a value over MaxRunes is cut to it instead of refused (a
	// search box, where the first 100 characters are as good a search).
	Truncate bool
	// Hint says what the field accepts, in one sentence: the message for a
	// value of the wrong shape, and what a person reads when the database
	// refuses a value anyway (see Refused).
	Hint string

	// word: one word, no white space inside (codes, addresses); otherwise
	// free text whose inner white space is collapsed.
	word bool
	// verbatim: no trimming, NFC or case (passwords); only step 1 applies.
	verbatim bool
	// normalize applies the field's case and shape after steps 1–3.
	normalize func(string) string
	// valid reports whether a normalised, non-empty value is acceptable
	// (Hint is the message otherwise).
	valid func(string) bool
	// problem, when set instead of valid, returns the message for a
	// normalised, non-empty value, or "" when it is acceptable.
	problem func(string) string
	// required is the message for an empty value of a required field.
	required string
}

// Messages of the text checks every rule shares.
const (
	msgNotText   = "This holds bytes that are not text (invalid UTF-8); type it again or paste it as plain text."
	msgControl   = "Remove the invisible control characters (such as NUL or text-direction overrides) from this field."
	msgInvisible = "This has no visible characters."
	msgSpaces    = "Remove the spaces from this field."
)

// Clean normalises raw and returns the value to store, or "" and the
// message a person reads when it cannot be stored.
func (f Field) Clean(raw string) (value, msg string) {
	if msg := textProblem(raw); msg != "" {
		return "", msg
	}
	if f.verbatim {
		return f.finish(raw)
	}
	v := norm.NFC.String(raw)
	if f.word {
		v = trimInvisible(v)
		if strings.ContainsFunc(v, unicode.IsSpace) {
			if f.Hint != "" {
				return "", f.Hint
			}
			return "", msgSpaces
		}
	} else {
		v = CleanText(v)
	}
	if f.normalize != nil {
		v = norm.NFC.String(f.normalize(v))
	}
	if v == "" && strings.TrimSpace(raw) != "" && !f.Optional {
		// Only invisible characters were typed: say so, not "enter it".
		return "", f.requiredMsg() + " " + msgInvisible
	}
	return f.finish(v)
}

func (f Field) finish(v string) (string, string) {
	if v == "" {
		if f.Optional {
			return "", ""
		}
		return "", f.requiredMsg()
	}
	if !f.word && !f.verbatim && !strings.ContainsFunc(v, visible) {
		return "", msgInvisible
	}
	if f.MaxRunes > 0 && utf8.RuneCountInString(v) > f.MaxRunes {
		if !f.Truncate {
			return "", fmt.Sprintf("Use at most %d characters.", f.MaxRunes)
		}
		v = CleanText(string([]rune(v)[:f.MaxRunes]))
	}
	if f.valid != nil && !f.valid(v) {
		return "", f.Hint
	}
	if f.problem != nil {
		if msg := f.problem(v); msg != "" {
			return "", msg
		}
	}
	return v, ""
}

func (f Field) requiredMsg() string {
	if f.required != "" {
		return f.required
	}
	return fmt.Sprintf("Enter the %s.", f.Label)
}

// Into cleans raw and records its message under key (f.Key when key is "")
// in errs; it returns the cleaned value ("" when refused).
func (f Field) Into(errs *apperr.ValidationError, key, raw string) string {
	if key == "" {
		key = f.Key
	}
	v, msg := f.Clean(raw)
	if msg != "" {
		errs.Add(key, msg)
	}
	return v
}

// OK reports whether raw is acceptable and the normalised value to store.
func (f Field) OK(raw string) (string, bool) {
	v, msg := f.Clean(raw)
	return v, msg == ""
}

// Blank reports whether raw holds nothing but white space and invisible
// characters: what forms treat as "not given" (and fill with a default).
func Blank(raw string) bool {
	return utf8.ValidString(raw) && trimInvisible(raw) == ""
}

// Refused is what a person reads beside the field when the database
// refused its value although the rule accepted it (a constraint the rule
// does not know yet, or a trigger).
func (f Field) Refused() string {
	if f.Hint != "" {
		return "This value could not be saved. " + f.Hint
	}
	return fmt.Sprintf("This value could not be saved as the %s; change it and try again.", f.Label)
}

// RefusalMessage is what a person reads beside the field holding column
// ("table.column") when the database refused its value.
func RefusalMessage(column string) string {
	if f, ok := FieldForColumn(column); ok {
		return f.Refused()
	}
	return msgRefused
}

// refusalBesideColumn turns the database's refusal of a column into a
// message beside the form field named as the column (the edit forms name
// their fields so); any other error is returned as it is.
func refusalBesideColumn(err error) error {
	r, ok := apperr.AsRefused(err)
	if !ok || r.Field == "" {
		return err
	}
	_, key, _ := strings.Cut(r.Field, ".")
	errs := apperr.NewValidation()
	errs.Add(key, RefusalMessage(r.Field))
	return errs
}

// msgRefused: the database refused a value and did not say which.
const msgRefused = "A value could not be saved: check the form for hidden characters or unusual values and try again."

// FieldForColumn returns the rule guarding "table.column".
func FieldForColumn(column string) (Field, bool) {
	for _, f := range Fields {
		for _, c := range f.Columns {
			if c == column {
				return f, true
			}
		}
	}
	return Field{}, false
}

// Storable reports whether Postgres can hold s as text: valid UTF-8 without
// a NUL byte.
func Storable(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// textProblem is step 1 of every rule: "" when s is text a rule may read.
func textProblem(s string) string {
	if !utf8.ValidString(s) {
		return msgNotText
	}
	if strings.ContainsFunc(s, forbiddenRune) {
		return msgControl
	}
	return ""
}

// Strip removes what step 1 of every rule refuses — control characters
// other than white space, and the bidi overrides — and replaces invalid
// UTF-8 by U+FFFD; dropped reports whether it removed or replaced anything.
// It is for readers that must be tolerant (the legacy importer) and warn
// instead of refusing; what they keep still goes through the rules.
func Strip(s string) (clean string, dropped bool) {
	if !utf8.ValidString(s) {
		s, dropped = strings.ToValidUTF8(s, "\uFFFD"), true
	}
	clean = strings.Map(func(r rune) rune {
		if forbiddenRune(r) {
			dropped = true
			return -1
		}
		return r
	}, s)
	return clean, dropped
}

// forbiddenRune: control characters other than white space, and the bidi
// embedding/override/isolate controls.
func forbiddenRune(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return !unicode.IsSpace(r)
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// invisibleEdge is what step 3 trims: white space and format characters.
func invisibleEdge(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }

func trimInvisible(s string) string { return strings.TrimFunc(s, invisibleEdge) }

// visible: a letter, digit, symbol or punctuation mark.
func visible(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.S, unicode.P)
}

// graphicWord reports whether s has only visible characters: no white
// space and no invisible format characters inside (an e-mail address or URL
// with a zero-width space in it looks right and reaches nobody).
func graphicWord(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsGraphic(r) || unicode.IsSpace(r) })
}

// CleanText is the free-text normalisation of every rule (steps 2 and 3):
// NFC, white space collapsed to single spaces, and white space and
// invisible format characters trimmed from both ends. It checks nothing.
func CleanText(s string) string {
	s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	return trimInvisible(s)
}

// Limits of the free-text fields (the tenants.name CHECK allows 200).
const (
	maxNameLen   = 200
	maxURLLen    = 2000
	maxReasonLen = 500
	maxSearchLen = 100
	maxEmailLen  = 254 // RFC 5321's limit on a forward path
)

// Messages shown beside fields; shared with the web form and the CLI.
const (
	msgEmail     = "Enter an e-mail address like name@example.com."
	msgColor     = "Use a colour like #1E40AF."
	msgTimezone  = "Choose a time zone from the list (e.g. Africa/Johannesburg)."
	msgHTTPS     = "Use an https:// address."
	msgCurrency  = "Choose a currency from the list (ISO 4217, e.g. ZAR)."
	msgShortName = "Use lower-case letters, digits and single hyphens (e.g. kruger-safaris), at most 63 characters."
	msgPhone     = "Enter a phone number like +27 21 555 0100."
	msgQuota     = "Enter a whole number, 0 or more."
	msgPlan      = "Choose a plan: Lite, Pro or Enterprise."
	msgTheme     = "Choose one of the preset themes."
)

// The field rules. Fields lists them all (the property test walks it).
var (
	FieldTenantName = Field{
		Key: "name", Label: "company's name", MaxRunes: maxNameLen,
		Columns:  []string{"tenants.name", "tenant_settings.company_name"},
		required: "Enter the company's name.",
	}
	FieldShortName = Field{
		Key: "short_name", Label: "short name", Columns: []string{"tenants.short_name"},
		word: true, normalize: strings.ToLower, valid: validShortName, Hint: msgShortName,
	}
	// FieldTenantID is a tenant's id: a generated tn_… id or a legacy slug,
	// kept exactly as written (ids are never re-cased: a folder or URL
	// names them).
	FieldTenantID = Field{
		Key: "id", Label: "tenant id", Columns: []string{"tenants.id"}, word: true, valid: ValidID,
		Hint: "Use lower-case letters, digits, _ and - (starting with a letter or digit), at most 63 characters.",
	}
	FieldEmail = Field{
		Key: "email", Label: "e-mail address", MaxRunes: maxEmailLen,
		Columns: []string{
			"tenant_settings.support_email", "tenant_settings.email_from_email", "staff.email",
			"organization_users.email", "user_invitations.email",
		},
		word: true, normalize: strings.ToLower, valid: validEmail, Hint: msgEmail, required: msgEmail,
	}
	FieldPhone = Field{
		Key: "support_phone", Label: "phone number", Optional: true, Columns: []string{"tenant_settings.support_phone"},
		valid: validPhone, Hint: msgPhone,
	}
	// FieldHTTPSURL is a web address: https only, scheme and host compared
	// and stored in lower case (HTTPS://Example.test/X is stored as
	// https://example.test/X; the path keeps its case).
	FieldHTTPSURL = Field{
		Key: "website", Label: "address", Optional: true, MaxRunes: maxURLLen,
		Columns: []string{"tenant_settings.website", "tenant_branding.logo_url"},
		word:    true, normalize: lowerSchemeAndHost, valid: validHTTPSURL, Hint: msgHTTPS,
	}
	FieldCurrency = Field{
		Key: "currency", Label: "currency", Columns: []string{"tenant_settings.currency"},
		word: true, normalize: strings.ToUpper, valid: func(s string) bool { return currencyIndex[s] },
		Hint: msgCurrency, required: msgCurrency,
	}
	FieldTimezone = Field{
		Key: "timezone", Label: "time zone", Columns: []string{"tenant_settings.timezone"}, MaxRunes: 64,
		word: true, normalize: canonicalTimezone, valid: validTimezone, Hint: msgTimezone, required: msgTimezone,
	}
	FieldColor = Field{
		Key: "color_primary", Label: "colour",
		Columns: []string{"tenant_branding.color_primary", "tenant_branding.color_secondary", "tenant_branding.color_accent"},
		word:    true, normalize: strings.ToUpper, valid: colorPattern.MatchString, Hint: msgColor, required: msgColor,
	}
	// FieldTheme is one of the preset themes, by id.
	FieldTheme = Field{
		Key: "preset_theme", Label: "preset theme", Columns: []string{"tenant_branding.preset_theme"},
		word: true, normalize: strings.ToLower, valid: func(s string) bool { _, ok := ThemeByID(s); return ok },
		Hint: msgTheme, required: msgTheme,
	}
	FieldSenderName = Field{
		Key: "email_from_name", Label: "sender name", Optional: true, MaxRunes: maxNameLen,
		Columns: []string{"tenant_settings.email_from_name"},
	}
	FieldPersonName = Field{
		Key: "owner_name", Label: "name", Optional: true, MaxRunes: maxNameLen,
		Columns: []string{"organization_users.display_name"},
	}
	// FieldReason is why a status changed (suspend, delete, reactivate).
	FieldReason = Field{
		Key: "reason", Label: "reason", MaxRunes: maxReasonLen,
		Columns:  []string{"tenants.suspended_reason", "tenants.deleted_reason"},
		required: "Enter the reason; it is kept in the audit log.",
	}
	// FieldPlan is a commercial plan (lite, pro, enterprise).
	FieldPlan = Field{
		Key: "plan", Label: "plan", Columns: []string{"tenants.plan"},
		word: true, normalize: strings.ToLower, valid: func(s string) bool { return Plan(s).Valid() },
		Hint: msgPlan, required: msgPlan,
	}
	// FieldQuota is a quota typed as a whole number; "5,000", "5 000" and
	// "5_000" are 5000. The value is its decimal form (see Int).
	FieldQuota = Field{
		Key: "max_users", Label: "quota",
		Columns: []string{"tenants.max_users", "tenants.max_monthly_quotes", "tenants.max_storage_gb"},
		// The separators go before the one-word check: "5 000" is a number.
		normalize: normalizeQuota, problem: quotaProblem, Hint: msgQuota, required: msgQuota,
	}
	FieldPromptName = Field{
		Key: "prompt_name", Label: "prompt name", Columns: []string{"tenant_prompts.name"},
		word: true, valid: promptNamePattern.MatchString,
		Hint: "Use lower-case letters, digits, ., _ and - (starting with a letter or digit), at most 63 characters.",
	}
	FieldStaffRole = Field{
		Key: "role", Label: "staff role", Columns: []string{"staff.role"},
		word: true, normalize: strings.ToLower,
		valid: func(s string) bool { return s == string(RolePlatformAdmin) || s == string(RoleSupport) },
		Hint:  "Choose platform_admin or support.", required: "Choose platform_admin or support.",
	}
	FieldMemberRole = Field{
		Key: "role", Label: "role", Columns: []string{"organization_users.role", "user_invitations.role"},
		word: true, normalize: strings.ToLower, valid: func(s string) bool { return MemberRole(s).Valid() },
		Hint: "Choose owner, admin or member.", required: "Choose owner, admin or member.",
	}
	// FieldIdempotencyKey is the hidden key of an onboarding form (a blank
	// one is replaced by a fresh key before the rule is asked).
	FieldIdempotencyKey = Field{
		Key: "idempotency_key", Label: "idempotency key", Columns: []string{"onboarding_requests.key"},
		word: true, valid: validIdempotencyKey,
		Hint: "Use 8 to 100 letters, digits or . _ : - as the idempotency key (reload the form to get a new one).",
	}
	// FieldEnvRef is a credential given as a reference to an environment
	// variable instead of its value.
	FieldEnvRef = Field{
		Key: "value", Label: "reference", Columns: []string{"tenant_secrets.env_ref"},
		word: true, valid: secrets.IsEnvRef,
		Hint: "A reference to an environment variable is written ${NAME} (letters, digits and _).",
	}
	// FieldPassword is a password as typed: never trimmed or re-cased, only
	// refused when it holds what no sign-in service stores (CheckPassword
	// holds the policy).
	FieldPassword = Field{
		Key: "owner_password", Label: "password", verbatim: true,
		required: "Enter a password.",
	}
	// FieldSearch is what a person types into a list's search box. It
	// reaches SQL as a LIKE pattern, so it is checked for what Postgres can
	// take like every stored value.
	FieldSearch = Field{
		Key: "q", Label: "search", Optional: true, MaxRunes: maxSearchLen, Truncate: true,
	}
	// FieldReasonOptional is a reason where one is welcome but not needed
	// (reactivate, restore).
	FieldReasonOptional = Field{
		Key: "reason", Label: "reason", MaxRunes: 500, Optional: true,
		Columns:   []string{"tenants.suspended_reason", "tenants.deleted_reason"},
		normalize: CleanText,
	}
	// FieldAPITokenName names an API token after what uses it (runtime,
	// billing-sync): lower case, one word.
	FieldAPITokenName = Field{
		Key: "name", Label: "token name", Columns: []string{"api_tokens.name"},
		word: true, normalize: strings.ToLower, valid: promptNamePattern.MatchString,
		Hint:     "Use lower-case letters, digits, ., _ and - (starting with a letter or digit), at most 63 characters.",
		required: "Name the token after what will use it, e.g. runtime.",
	}
)

// Fields lists every field rule.
var Fields = []Field{
	FieldTenantName, FieldShortName, FieldTenantID, FieldEmail, FieldPhone, FieldHTTPSURL, FieldCurrency,
	FieldTimezone, FieldColor, FieldTheme, FieldSenderName, FieldPersonName, FieldReason, FieldPlan,
	FieldQuota, FieldPromptName, FieldStaffRole, FieldMemberRole, FieldIdempotencyKey, FieldEnvRef,
	FieldPassword, FieldSearch, FieldReasonOptional, FieldAPITokenName,
}
