package tenant

import (
	"strings"

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

// msgRejectedEmail: GoTrue refused an address the rule accepted.
const msgRejectedEmail = "The sign-in service refused this e-mail address."

// Validate checks every field of in through its rule (fields.go), applying
// the defaults (blank short name: made from the name; blank colour: the
// theme's; blank sender address: the support e-mail; blank quota: the
// plan's). It returns the normalised values and, when anything is wrong, a
// *apperr.ValidationError keyed by field name (the error is nil otherwise).
// Every field is checked before anything leaves the console: a value the
// database or GoTrue cannot store is refused here, before an account is
// made. Whether the short name is free is checked by Onboarding.Onboard,
// which needs the database.
func (in OnboardInput) Validate() (OnboardValues, error) {
	var v OnboardValues
	errs := apperr.NewValidation()

	// Company.
	v.Name = FieldTenantName.Into(errs, "name", in.Name)
	if Blank(in.ShortName) {
		if !errs.Has("name") {
			v.ShortName, v.ShortNameDerived = ShortNameFrom(v.Name), true
			if v.ShortName == "" {
				errs.Add("short_name", "Enter a short name: the name has no letters or digits to make one from.")
			}
		}
	} else {
		v.ShortName = FieldShortName.Into(errs, "short_name", in.ShortName)
	}
	supportEmail := FieldEmail.Into(errs, "support_email", in.SupportEmail)
	phone := FieldPhone.Into(errs, "support_phone", in.SupportPhone)
	website := FieldHTTPSURL.Into(errs, "website", in.Website)
	currency := FieldCurrency.Into(errs, "currency", in.Currency)
	timezone := FieldTimezone.Into(errs, "timezone", in.Timezone)

	// Branding.
	theme := DefaultTheme()
	if !Blank(in.PresetTheme) {
		if id := FieldTheme.Into(errs, "preset_theme", in.PresetTheme); id != "" {
			theme, _ = ThemeByID(id)
		}
	}
	color := func(field, typed, preset string) string {
		if Blank(typed) {
			return preset
		}
		return FieldColor.Into(errs, field, typed)
	}
	v.Branding = Branding{
		PresetTheme:    theme.ID,
		LogoURL:        FieldHTTPSURL.Into(errs, "logo_url", in.LogoURL),
		ColorPrimary:   color("color_primary", in.ColorPrimary, theme.Primary),
		ColorSecondary: color("color_secondary", in.ColorSecondary, theme.Secondary),
		ColorAccent:    color("color_accent", in.ColorAccent, theme.Accent),
	}

	// E-mail sender.
	fromName := FieldSenderName.Into(errs, "email_from_name", in.EmailFromName)
	if fromName == "" {
		fromName = v.Name
	}
	fromEmail := supportEmail
	if !Blank(in.EmailFromEmail) {
		fromEmail = FieldEmail.Into(errs, "email_from_email", in.EmailFromEmail)
	}
	v.Settings = Settings{
		CompanyName: v.Name, SupportEmail: supportEmail, SupportPhone: phone, Website: website,
		Currency: currency, Timezone: timezone, EmailFromName: fromName, EmailFromEmail: fromEmail,
	}

	// Plan and quotas.
	v.Plan = PlanLite
	if !Blank(in.Plan) {
		if p := FieldPlan.Into(errs, "plan", in.Plan); p != "" {
			v.Plan = Plan(p)
		}
	}
	defaults := DefaultQuotas(v.Plan)
	v.Quotas = Quotas{
		MaxUsers:         quota(errs, "max_users", in.MaxUsers, defaults.MaxUsers),
		MaxMonthlyQuotes: quota(errs, "max_monthly_quotes", in.MaxMonthlyQuotes, defaults.MaxMonthlyQuotes),
		MaxStorageGB:     quota(errs, "max_storage_gb", in.MaxStorageGB, defaults.MaxStorageGB),
	}

	// Owner.
	v.OwnerEmail = FieldEmail.Into(errs, "owner_email", in.OwnerEmail)
	v.OwnerName = FieldPersonName.Into(errs, "owner_name", in.OwnerName)
	switch strings.ToLower(strings.TrimSpace(in.OwnerMode)) {
	case OwnerModePassword, "":
		switch pw, msg := FieldPassword.Clean(in.OwnerPassword); {
		case in.OwnerPassword == "":
			errs.Add("owner_password", "Enter a password for the owner, or choose to send an invitation.")
		case msg != "":
			errs.Add("owner_password", msg)
		default:
			if msg := CheckPassword(pw, v.OwnerEmail); msg != "" {
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

	if Blank(in.IdempotencyKey) {
		v.IdempotencyKey = NewIdempotencyKey() // no retry protection asked for
	} else {
		v.IdempotencyKey = FieldIdempotencyKey.Into(errs, "idempotency_key", in.IdempotencyKey)
	}
	return v, errs.OrNil()
}

// quota reads a typed quota through FieldQuota; blank gives the plan's
// default.
func quota(errs *apperr.ValidationError, field, typed string, def int) int {
	if Blank(typed) {
		return def
	}
	return FieldQuota.Int(FieldQuota.Into(errs, field, typed))
}
