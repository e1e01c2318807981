package tenant

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tenant-console/console/internal/apperr"
)

// Validation of the onboarding form: every field through its rule in
// fields.go, then the defaults.

// OnboardValues is an OnboardInput that passed Validate: normalised, with
// every default applied.
type OnboardValues struct {
	Name      string
	ShortName string
	// ShortNameDerived: the short name was made from the name, not typed.
	ShortNameDerived bool
	Plan             Plan
	Quotas           Quotas
	Settings         Settings
	Branding         Branding
	OwnerEmail       string
	OwnerName        string
	OwnerPassword    string // "" when Invite
	Invite           bool
	IdempotencyKey   string
}

// Limits of the free-text fields.
const (
	maxNameLen = 200
	maxURLLen  = 2000
	maxQuota   = 1_000_000_000 // the columns are 32-bit integers
	minKeyLen  = 8
	maxKeyLen  = 100
)

var (
	keyPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]+$`)
)

// Messages shown beside fields; shared with the web form and the CLI.
const (
	msgEmail         = "Enter an e-mail address like name@example.com."
	msgColor         = "Use a colour like #1E40AF."
	msgTimezone      = "Choose a time zone from the list (e.g. Africa/Johannesburg)."
	msgHTTPS         = "Use an https:// address."
	msgCurrency      = "Choose a currency from the list (ISO 4217, e.g. ZAR)."
	msgRejectedEmail = "The sign-in service refused this e-mail address."
)

// Validate checks every field of in, applying the defaults (blank short name:
// made from the name; blank colour: the theme's; blank sender address: the
// support e-mail; blank quota: the plan's). It returns the normalised values
// and, when anything is wrong, a *apperr.ValidationError keyed by field name
// (the error is nil otherwise). Whether the short name is free is checked by
// Onboarding.Onboard, which needs the database.
func (in OnboardInput) Validate() (OnboardValues, error) {
	var v OnboardValues
	errs := apperr.NewValidation()

	// Company.
	v.Name = CleanText(in.Name)
	switch {
	case v.Name == "":
		errs.Add("name", "Enter the company's name.")
	case utf8.RuneCountInString(v.Name) > maxNameLen:
		errs.Add("name", "Use at most 200 characters.")
	}

	if strings.TrimSpace(in.ShortName) == "" {
		if !errs.Has("name") {
			v.ShortName, v.ShortNameDerived = ShortNameFrom(v.Name), true
			if v.ShortName == "" {
				errs.Add("short_name", "Enter a short name: the name has no letters or digits to make one from.")
			}
		}
	} else {
		var ok bool
		if v.ShortName, ok = NormalizeShortName(in.ShortName); !ok {
			errs.Add("short_name", "Use lower-case letters, digits and single hyphens (e.g. kruger-safaris), at most 63 characters.")
		}
	}

	supportEmail, ok := NormalizeEmail(in.SupportEmail)
	if !ok {
		errs.Add("support_email", msgEmail)
	}
	phone, ok := NormalizePhone(in.SupportPhone)
	if !ok {
		errs.Add("support_phone", "Enter a phone number like +27 21 555 0100.")
	}
	website, ok := NormalizeHTTPSURL(in.Website)
	if !ok || len(website) > maxURLLen {
		errs.Add("website", msgHTTPS)
	}
	currency, ok := NormalizeCurrency(in.Currency)
	if !ok {
		errs.Add("currency", msgCurrency)
	}
	timezone, ok := NormalizeTimezone(in.Timezone)
	if !ok {
		errs.Add("timezone", msgTimezone)
	}

	// Branding.
	themeID := strings.TrimSpace(in.PresetTheme)
	if themeID == "" {
		themeID = DefaultThemeID
	}
	theme, ok := ThemeByID(themeID)
	if !ok {
		errs.Add("preset_theme", "Choose one of the preset themes.")
		theme = DefaultTheme()
	}
	color := func(field, typed, preset string) string {
		if strings.TrimSpace(typed) == "" {
			return preset
		}
		c, ok := NormalizeColor(typed)
		if !ok {
			errs.Add(field, msgColor)
		}
		return c
	}
	logo, ok := NormalizeHTTPSURL(in.LogoURL)
	if !ok || len(logo) > maxURLLen {
		errs.Add("logo_url", msgHTTPS)
	}
	v.Branding = Branding{
		PresetTheme:    theme.ID,
		LogoURL:        logo,
		ColorPrimary:   color("color_primary", in.ColorPrimary, theme.Primary),
		ColorSecondary: color("color_secondary", in.ColorSecondary, theme.Secondary),
		ColorAccent:    color("color_accent", in.ColorAccent, theme.Accent),
	}

	// E-mail sender.
	fromName := CleanText(in.EmailFromName)
	if utf8.RuneCountInString(fromName) > maxNameLen {
		errs.Add("email_from_name", "Use at most 200 characters.")
	}
	if fromName == "" {
		fromName = v.Name
	}
	fromEmail := supportEmail
	if strings.TrimSpace(in.EmailFromEmail) != "" {
		if fromEmail, ok = NormalizeEmail(in.EmailFromEmail); !ok {
			errs.Add("email_from_email", msgEmail)
		}
	}
	v.Settings = Settings{
		CompanyName: v.Name, SupportEmail: supportEmail, SupportPhone: phone, Website: website,
		Currency: currency, Timezone: timezone, EmailFromName: fromName, EmailFromEmail: fromEmail,
	}

	// Plan and quotas.
	v.Plan = Plan(strings.ToLower(strings.TrimSpace(in.Plan)))
	if v.Plan == "" {
		v.Plan = PlanLite
	}
	if !v.Plan.Valid() {
		errs.Add("plan", "Choose a plan: Lite, Pro or Enterprise.")
		v.Plan = PlanLite
	}
	defaults := DefaultQuotas(v.Plan)
	v.Quotas = Quotas{
		MaxUsers:         quota(errs, "max_users", in.MaxUsers, defaults.MaxUsers),
		MaxMonthlyQuotes: quota(errs, "max_monthly_quotes", in.MaxMonthlyQuotes, defaults.MaxMonthlyQuotes),
		MaxStorageGB:     quota(errs, "max_storage_gb", in.MaxStorageGB, defaults.MaxStorageGB),
	}

	// Owner.
	if v.OwnerEmail, ok = NormalizeEmail(in.OwnerEmail); !ok {
		errs.Add("owner_email", msgEmail)
	}
	v.OwnerName = CleanText(in.OwnerName)
	if utf8.RuneCountInString(v.OwnerName) > maxNameLen {
		errs.Add("owner_name", "Use at most 200 characters.")
	}
	switch strings.ToLower(strings.TrimSpace(in.OwnerMode)) {
	case OwnerModePassword, "":
		switch {
		case in.OwnerPassword == "":
			errs.Add("owner_password", "Enter a password for the owner, or choose to send an invitation.")
		default:
			if msg := CheckPassword(in.OwnerPassword, v.OwnerEmail); msg != "" {
				errs.Add("owner_password", msg)
			}
		}
		v.OwnerPassword = in.OwnerPassword
	case OwnerModeInvite:
		// A password typed before switching to the invitation is dropped:
		// an invited owner chooses their own.
		v.Invite = true
	default:
		errs.Add("owner_mode", "Choose how the owner signs in: a password now, or an invitation e-mail.")
	}

	v.IdempotencyKey = strings.TrimSpace(in.IdempotencyKey)
	switch {
	case v.IdempotencyKey == "":
		v.IdempotencyKey = NewIdempotencyKey() // no retry protection asked for
	case len(v.IdempotencyKey) < minKeyLen || len(v.IdempotencyKey) > maxKeyLen || !keyPattern.MatchString(v.IdempotencyKey):
		errs.Add("idempotency_key", "Use 8 to 100 letters, digits or . _ : - as the idempotency key (reload the form to get a new one).")
	}
	return v, errs.OrNil()
}

// quota parses a typed quota; blank gives the plan's default.
func quota(errs *apperr.ValidationError, field, typed string, def int) int {
	s := strings.TrimSpace(typed)
	if s == "" {
		return def
	}
	s = strings.NewReplacer(",", "", "_", "", " ", "").Replace(s) // "5,000"
	n, err := strconv.Atoi(s)
	switch {
	case err != nil || n < 0:
		errs.Add(field, "Enter a whole number, 0 or more (leave it empty for the plan's default).")
	case n > maxQuota:
		errs.Add(field, "Enter a number up to 1,000,000,000.")
	}
	return n
}
