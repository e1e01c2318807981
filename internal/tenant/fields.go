package tenant

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tenant-console/console/internal/apperr"
)

// A Field is the one rule for a kind of value a person can type: how it is
// normalised, what it may hold, the message they read when it may not, and
// the database columns (and so the CHECKs) it guards. Every entry point —
// web forms, the CLI, the legacy importer, search — cleans input through
// these rules; nothing else validates a field.
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

	normalize func(string) string
	// check returns "" when the normalised value is acceptable, else the
	// message a person reads.
	check func(string) string
	// required is the message for an empty value of a required field.
	required string
}

// Clean normalises raw and returns the value to store, or "" and the
// message a person reads when it cannot be stored.
func (f Field) Clean(raw string) (value, msg string) {
	if !Storable(raw) {
		return "", "Remove the invisible control characters (such as NUL) from this field."
	}
	v := raw
	if f.normalize != nil {
		v = f.normalize(raw)
	}
	if v == "" {
		if f.Optional {
			return "", ""
		}
		if f.required != "" {
			return "", f.required
		}
		return "", fmt.Sprintf("Enter the %s.", f.Label)
	}
	if f.MaxRunes > 0 && utf8.RuneCountInString(v) > f.MaxRunes {
		return "", fmt.Sprintf("Use at most %d characters.", f.MaxRunes)
	}
	if f.check != nil {
		if m := f.check(v); m != "" {
			return "", m
		}
	}
	return v, ""
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

// Storable reports whether Postgres can hold s as text: valid UTF-8 without
// a NUL byte.
func Storable(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// okIf turns a Normalize* function's verdict into a check.
func okIf(normalize func(string) (string, bool), msg string) func(string) string {
	return func(v string) string {
		if _, ok := normalize(v); !ok {
			return msg
		}
		return ""
	}
}

// firstOf returns the normalised half of a Normalize* function.
func firstOf(normalize func(string) (string, bool)) func(string) string {
	return func(s string) string { v, _ := normalize(s); return v }
}

// The field rules. Fields lists them all (the property test walks it).
var (
	FieldTenantName = Field{
		Key: "name", Label: "company's name", MaxRunes: maxNameLen,
		Columns:   []string{"tenants.name", "tenant_settings.company_name"},
		normalize: CleanText, required: "Enter the company's name.",
	}
	FieldShortName = Field{
		Key: "short_name", Label: "short name", Columns: []string{"tenants.short_name"},
		normalize: firstOf(NormalizeShortName),
		check:     okIf(NormalizeShortName, "Use lower-case letters, digits and single hyphens (e.g. kruger-safaris), at most 63 characters."),
	}
	FieldEmail = Field{
		Key: "email", Label: "e-mail address",
		Columns: []string{
			"tenant_settings.support_email", "tenant_settings.email_from_email", "staff.email",
			"organization_users.email", "user_invitations.email",
		},
		normalize: firstOf(NormalizeEmail), check: okIf(NormalizeEmail, msgEmail), required: msgEmail,
	}
	FieldPhone = Field{
		Key: "support_phone", Label: "phone number", Optional: true, Columns: []string{"tenant_settings.support_phone"},
		normalize: CleanText, check: okIf(NormalizePhone, "Enter a phone number like +27 21 555 0100."),
	}
	FieldHTTPSURL = Field{
		Key: "website", Label: "address", Optional: true, MaxRunes: maxURLLen,
		Columns:   []string{"tenant_settings.website", "tenant_branding.logo_url"},
		normalize: strings.TrimSpace, check: okIf(NormalizeHTTPSURL, msgHTTPS),
	}
	FieldCurrency = Field{
		Key: "currency", Label: "currency", Columns: []string{"tenant_settings.currency"},
		normalize: firstOf(NormalizeCurrency), check: okIf(NormalizeCurrency, msgCurrency), required: msgCurrency,
	}
	FieldTimezone = Field{
		Key: "timezone", Label: "time zone", Columns: []string{"tenant_settings.timezone"},
		normalize: strings.TrimSpace, check: okIf(NormalizeTimezone, msgTimezone), required: msgTimezone,
	}
	FieldColor = Field{
		Key: "color_primary", Label: "colour",
		Columns:   []string{"tenant_branding.color_primary", "tenant_branding.color_secondary", "tenant_branding.color_accent"},
		normalize: firstOf(NormalizeColor), check: okIf(NormalizeColor, msgColor), required: msgColor,
	}
	FieldSenderName = Field{
		Key: "email_from_name", Label: "sender name", Optional: true, MaxRunes: maxNameLen,
		Columns: []string{"tenant_settings.email_from_name"}, normalize: CleanText,
	}
	FieldPersonName = Field{
		Key: "owner_name", Label: "name", Optional: true, MaxRunes: maxNameLen,
		Columns: []string{"organization_users.display_name"}, normalize: CleanText,
	}
	// FieldReason is why a status changed (suspend, delete, reactivate).
	FieldReason = Field{
		Key: "reason", Label: "reason", MaxRunes: 500,
		Columns:   []string{"tenants.suspended_reason", "tenants.deleted_reason"},
		normalize: CleanText, required: "Enter the reason; it is kept in the audit log.",
	}
	// FieldPlan is a commercial plan (lite, pro, enterprise).
	FieldPlan = Field{
		Key: "plan", Label: "plan", Columns: []string{"tenants.plan"},
		normalize: func(s string) string { return strings.ToLower(strings.TrimSpace(s)) },
		check: func(v string) string {
			if !Plan(v).Valid() {
				return msgPlan
			}
			return ""
		},
		required: msgPlan,
	}
	// FieldQuota is one of a tenant's quotas: a whole number, 0 or more;
	// "5,000" and "5 000" are read as 5000.
	FieldQuota = Field{
		Key: "max_users", Label: "quota",
		Columns: []string{"tenants.max_users", "tenants.max_monthly_quotes", "tenants.max_storage_gb"},
		normalize: func(s string) string {
			return strings.NewReplacer(",", "", "_", "", " ", "").Replace(strings.TrimSpace(s))
		},
		check: checkQuota, required: msgQuota,
	}
	// FieldTheme is one of the preset themes, by id.
	FieldTheme = Field{
		Key: "preset_theme", Label: "preset theme", Columns: []string{"tenant_branding.preset_theme"},
		normalize: strings.TrimSpace,
		check: func(v string) string {
			if _, ok := ThemeByID(v); !ok {
				return msgTheme
			}
			return ""
		},
		required: msgTheme,
	}
	// FieldReasonOptional is a reason where one is welcome but not needed
	// (reactivate, restore).
	FieldReasonOptional = Field{
		Key: "reason", Label: "reason", MaxRunes: 500, Optional: true,
		Columns:   []string{"tenants.suspended_reason", "tenants.deleted_reason"},
		normalize: CleanText,
	}
)

const (
	msgPlan  = "Choose a plan: Lite, Pro or Enterprise."
	msgQuota = "Enter a whole number, 0 or more."
	msgTheme = "Choose one of the preset themes."
)

// checkQuota accepts the decimal digits of a number from 0 to maxQuota (the
// columns are 32-bit integers).
func checkQuota(v string) string {
	if len(v) > 10 || strings.Trim(v, "0123456789") != "" {
		return msgQuota
	}
	n, err := strconv.Atoi(v)
	if err != nil || n > maxQuota {
		return "Enter a number up to 1,000,000,000."
	}
	return ""
}

// Fields lists every field rule.
var Fields = []Field{
	FieldTenantName, FieldShortName, FieldEmail, FieldPhone, FieldHTTPSURL, FieldCurrency,
	FieldTimezone, FieldColor, FieldSenderName, FieldPersonName, FieldReason,
	FieldPlan, FieldQuota, FieldTheme, FieldReasonOptional,
}
