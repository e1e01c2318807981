package tenant

import (
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"strings"
)

// The onboarding form as typed: its fields, defaults and the blank form.

// Owner modes: how the new tenant's owner will sign in.
const (
	OwnerModePassword = "password" // the admin sets a password now
	OwnerModeInvite   = "invite"   // GoTrue sends an invitation e-mail
)

// PasswordPolicyHint describes what CheckPassword accepts, for forms and --help.
const PasswordPolicyHint = "At least 10 characters; not the e-mail address; not one character repeated."

// OnboardInput is the onboarding form exactly as it was typed, so a form can
// show it again beside its errors. Every field is the form field (and the
// CLI file key) named in its tags.
type OnboardInput struct {
	Name             string `form:"name" json:"name" yaml:"name"`
	ShortName        string `form:"short_name" json:"short_name" yaml:"short_name"`
	SupportEmail     string `form:"support_email" json:"support_email" yaml:"support_email"`
	SupportPhone     string `form:"support_phone" json:"support_phone" yaml:"support_phone"`
	Website          string `form:"website" json:"website" yaml:"website"`
	Currency         string `form:"currency" json:"currency" yaml:"currency"`
	Timezone         string `form:"timezone" json:"timezone" yaml:"timezone"`
	PresetTheme      string `form:"preset_theme" json:"preset_theme" yaml:"preset_theme"`
	ColorPrimary     string `form:"color_primary" json:"color_primary" yaml:"color_primary"`
	ColorSecondary   string `form:"color_secondary" json:"color_secondary" yaml:"color_secondary"`
	ColorAccent      string `form:"color_accent" json:"color_accent" yaml:"color_accent"`
	LogoURL          string `form:"logo_url" json:"logo_url" yaml:"logo_url"`
	EmailFromName    string `form:"email_from_name" json:"email_from_name" yaml:"email_from_name"`
	EmailFromEmail   string `form:"email_from_email" json:"email_from_email" yaml:"email_from_email"`
	Plan             string `form:"plan" json:"plan" yaml:"plan"`
	MaxUsers         string `form:"max_users" json:"max_users" yaml:"max_users"`
	MaxMonthlyQuotes string `form:"max_monthly_quotes" json:"max_monthly_quotes" yaml:"max_monthly_quotes"`
	MaxStorageGB     string `form:"max_storage_gb" json:"max_storage_gb" yaml:"max_storage_gb"`
	OwnerEmail       string `form:"owner_email" json:"owner_email" yaml:"owner_email"`
	OwnerName        string `form:"owner_name" json:"owner_name" yaml:"owner_name"`
	OwnerMode        string `form:"owner_mode" json:"owner_mode" yaml:"owner_mode"`
	OwnerPassword    string `form:"owner_password" json:"owner_password" yaml:"owner_password"`
	IdempotencyKey   string `form:"idempotency_key" json:"idempotency_key" yaml:"idempotency_key"`
}

// OnboardFields are the field names of OnboardInput in the order the form
// shows them: the order of an error summary.
var OnboardFields = []string{
	"name", "short_name", "support_email", "support_phone", "website", "currency", "timezone",
	"preset_theme", "color_primary", "color_secondary", "color_accent", "logo_url",
	"email_from_name", "email_from_email",
	"plan", "max_users", "max_monthly_quotes", "max_storage_gb",
	"owner_email", "owner_name", "owner_mode", "owner_password",
	"idempotency_key",
}

// field returns the address of the field called name, or nil.
func (in *OnboardInput) field(name string) *string {
	switch name {
	case "name":
		return &in.Name
	case "short_name":
		return &in.ShortName
	case "support_email":
		return &in.SupportEmail
	case "support_phone":
		return &in.SupportPhone
	case "website":
		return &in.Website
	case "currency":
		return &in.Currency
	case "timezone":
		return &in.Timezone
	case "preset_theme":
		return &in.PresetTheme
	case "color_primary":
		return &in.ColorPrimary
	case "color_secondary":
		return &in.ColorSecondary
	case "color_accent":
		return &in.ColorAccent
	case "logo_url":
		return &in.LogoURL
	case "email_from_name":
		return &in.EmailFromName
	case "email_from_email":
		return &in.EmailFromEmail
	case "plan":
		return &in.Plan
	case "max_users":
		return &in.MaxUsers
	case "max_monthly_quotes":
		return &in.MaxMonthlyQuotes
	case "max_storage_gb":
		return &in.MaxStorageGB
	case "owner_email":
		return &in.OwnerEmail
	case "owner_name":
		return &in.OwnerName
	case "owner_mode":
		return &in.OwnerMode
	case "owner_password":
		return &in.OwnerPassword
	case "idempotency_key":
		return &in.IdempotencyKey
	}
	return nil
}

// Get returns the value of the field called name ("" for an unknown name).
func (in OnboardInput) Get(name string) string {
	if p := in.field(name); p != nil {
		return *p
	}
	return ""
}

// Set sets the field called name and reports whether there is one.
func (in *OnboardInput) Set(name, value string) bool {
	p := in.field(name)
	if p == nil {
		return false
	}
	*p = value
	return true
}

// OnboardInputFromForm reads the form fields of a submitted onboarding form;
// anything else in v (such as _csrf) is ignored.
func OnboardInputFromForm(v url.Values) OnboardInput {
	var in OnboardInput
	for _, name := range OnboardFields {
		in.Set(name, v.Get(name))
	}
	return in
}

// Defaults of a blank onboarding form.
const (
	DefaultCurrency = "ZAR"
	DefaultTimezone = "Africa/Johannesburg"
)

// NewOnboardInput is the blank form: the default theme, the Lite plan, the
// platform's home currency and time zone, an owner with a password, and a
// fresh idempotency key.
//
// Colours and quotas are left empty on purpose: empty means "the theme's
// colour" and "the plan's default", so choosing another theme or plan in a
// browser without JavaScript still gives that theme's colours and that
// plan's quotas instead of silently keeping the first one's.
func NewOnboardInput() OnboardInput {
	return OnboardInput{
		Currency:       DefaultCurrency,
		Timezone:       DefaultTimezone,
		PresetTheme:    DefaultThemeID,
		Plan:           string(PlanLite),
		OwnerMode:      OwnerModePassword,
		IdempotencyKey: NewIdempotencyKey(),
	}
}

// WithTheme returns in with the preset theme id chosen and its three colours
// filled in (what choosing a theme in the form does). An unknown id changes
// only the theme field, which Validate then reports.
func (in OnboardInput) WithTheme(id string) OnboardInput {
	in.PresetTheme = id
	if t, ok := ThemeByID(strings.TrimSpace(id)); ok {
		in.ColorPrimary, in.ColorSecondary, in.ColorAccent = t.Primary, t.Secondary, t.Accent
	}
	return in
}

// EffectiveColors are the colours the tenant would get: each typed colour
// when it is one, else the chosen (or default) theme's. For previews.
func (in OnboardInput) EffectiveColors() (primary, secondary, accent string) {
	t, ok := ThemeByID(strings.TrimSpace(in.PresetTheme))
	if !ok {
		t = DefaultTheme()
	}
	pick := func(typed, preset string) string {
		if c, ok := FieldColor.OK(typed); ok {
			return c
		}
		return preset
	}
	return pick(in.ColorPrimary, t.Primary), pick(in.ColorSecondary, t.Secondary), pick(in.ColorAccent, t.Accent)
}

// NewIdempotencyKey returns a fresh random key for one onboarding form.
func NewIdempotencyKey() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("tenant: crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
