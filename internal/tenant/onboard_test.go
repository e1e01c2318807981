package tenant

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/secrets"
)

// validInput is a complete, acceptable onboarding form.
func validInput() OnboardInput {
	in := NewOnboardInput()
	in.Name = "Kruger Safaris"
	in.SupportEmail = "help@krugersafaris.example"
	in.OwnerEmail = "thandi@krugersafaris.example"
	in.OwnerName = "Thandi Nkosi"
	in.OwnerPassword = "correct horse battery"
	return in
}

func TestNewOnboardInputIsTheBlankForm(t *testing.T) {
	t.Parallel()
	a, b := NewOnboardInput(), NewOnboardInput()
	if a.PresetTheme != DefaultThemeID || a.Plan != "lite" || a.Currency != "ZAR" ||
		a.Timezone != "Africa/Johannesburg" || a.OwnerMode != OwnerModePassword {
		t.Fatalf("defaults = %+v", a)
	}
	if a.IdempotencyKey == "" || a.IdempotencyKey == b.IdempotencyKey {
		t.Fatalf("keys %q and %q: want a fresh key per form", a.IdempotencyKey, b.IdempotencyKey)
	}
	p, s, ac := a.EffectiveColors()
	th := DefaultTheme()
	if p != th.Primary || s != th.Secondary || ac != th.Accent {
		t.Fatalf("effective colours of the blank form = %s %s %s, want the default theme's", p, s, ac)
	}
}

func TestValidateAppliesDefaults(t *testing.T) {
	t.Parallel()
	in := validInput()
	in.Name = "  Société   des Voyages Øresund "
	in.SupportEmail = " Help@Oresund.EXAMPLE "
	in.Plan = "pro"
	in.MaxStorageGB = "80"
	in.PresetTheme = "safari_gold"
	in.ColorAccent = "#abcdef"
	v, err := in.Validate()
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if v.Name != "Société des Voyages Øresund" || v.ShortName != "societe-des-voyages-oresund" || !v.ShortNameDerived {
		t.Errorf("name %q short name %q derived %v", v.Name, v.ShortName, v.ShortNameDerived)
	}
	if v.Settings.SupportEmail != "help@oresund.example" || v.Settings.EmailFromEmail != "help@oresund.example" {
		t.Errorf("support %q sender %q: the sender defaults to the support e-mail", v.Settings.SupportEmail, v.Settings.EmailFromEmail)
	}
	if v.Settings.EmailFromName != v.Name || v.Settings.CompanyName != v.Name {
		t.Errorf("sender name %q company %q", v.Settings.EmailFromName, v.Settings.CompanyName)
	}
	want := Quotas{MaxUsers: 25, MaxMonthlyQuotes: 5000, MaxStorageGB: 80}
	if v.Plan != PlanPro || v.Quotas != want {
		t.Errorf("plan %s quotas %+v, want pro %+v", v.Plan, v.Quotas, want)
	}
	gold, _ := ThemeByID("safari_gold")
	if v.Branding.ColorPrimary != gold.Primary || v.Branding.ColorSecondary != gold.Secondary || v.Branding.ColorAccent != "#ABCDEF" {
		t.Errorf("branding %+v: blank colours are the theme's, typed ones upper-cased", v.Branding)
	}
	if v.Settings.Currency != "ZAR" || v.Settings.Timezone != "Africa/Johannesburg" {
		t.Errorf("settings %+v", v.Settings)
	}
	if v.Invite || v.OwnerPassword != in.OwnerPassword || v.IdempotencyKey != in.IdempotencyKey {
		t.Errorf("owner: invite %v, key %q", v.Invite, v.IdempotencyKey)
	}
}

func TestValidateInviteModeDropsThePassword(t *testing.T) {
	t.Parallel()
	in := validInput()
	in.OwnerMode = OwnerModeInvite
	in.OwnerPassword = "short"
	v, err := in.Validate()
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if !v.Invite || v.OwnerPassword != "" {
		t.Fatalf("invite %v password %q: an invited owner gets no password", v.Invite, v.OwnerPassword)
	}
}

func TestValidateBlankKeyGetsOne(t *testing.T) {
	t.Parallel()
	in := validInput()
	in.IdempotencyKey = ""
	v, err := in.Validate()
	if err != nil || len(v.IdempotencyKey) < 16 {
		t.Fatalf("key %q err %v", v.IdempotencyKey, err)
	}
}

// Each field's mistake is reported on that field, with a message a person
// can act on, and on no other field.
func TestValidateReportsEachField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		field, value, want string
	}{
		{"name", "   ", "Enter the company's name."},
		{"name", strings.Repeat("x", 201), "Use at most 200 characters."},
		{"short_name", "Kruger Safaris!", "Use lower-case letters, digits and single hyphens (e.g. kruger-safaris), at most 63 characters."},
		{"short_name", "double--hyphen", "Use lower-case letters"},
		{"support_email", "help-at-kruger", "Enter an e-mail address like name@example.com."},
		{"support_phone", "call us", "Enter a phone number like +27 21 555 0100."},
		{"support_phone", "+27", "Enter a phone number like +27 21 555 0100."},
		{"website", "http://krugersafaris.example", "Use an https:// address."},
		{"website", "krugersafaris.example", "Use an https:// address."},
		{"currency", "XYZ", "Choose a currency from the list (ISO 4217, e.g. ZAR)."},
		{"currency", "", "Choose a currency from the list"},
		{"timezone", "Mars/Olympus_Mons", "Choose a time zone from the list (e.g. Africa/Johannesburg)."},
		{"timezone", "", "Choose a time zone from the list"},
		{"timezone", "Local", "Choose a time zone from the list"},
		{"preset_theme", "neon", "Choose one of the preset themes."},
		{"color_primary", "blue", "Use a colour like #1E40AF."},
		{"color_secondary", "#FFF", "Use a colour like #1E40AF."},
		{"color_accent", "1E40AF", "Use a colour like #1E40AF."},
		{"logo_url", "ftp://cdn.example/logo.png", "Use an https:// address."},
		{"email_from_email", "bookings@", "Enter an e-mail address like name@example.com."},
		{"plan", "gold", "Choose a plan: Lite, Pro or Enterprise."},
		{"max_users", "-1", "Enter a whole number, 0 or more."},
		{"max_monthly_quotes", "lots", "Enter a whole number, 0 or more"},
		{"max_storage_gb", "2.5", "Enter a whole number, 0 or more"},
		{"max_storage_gb", "5000000000", "Enter a number up to 1,000,000,000."},
		{"owner_email", "", "Enter an e-mail address like name@example.com."},
		{"owner_name", strings.Repeat("n", 201), "Use at most 200 characters."},
		{"owner_mode", "telepathy", "Choose how the owner signs in"},
		{"owner_password", "", "Enter a password for the owner, or choose to send an invitation."},
		{"owner_password", "short", "Use at least 10 characters."},
		{"owner_password", "aaaaaaaaaaaa", "Use more than one repeated character."},
		{"owner_password", "thandi@krugersafaris.example", "Do not use your e-mail address as your password."},
		{"idempotency_key", "bad key with spaces", "Use 8 to 100 letters, digits or . _ : -"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s=%q", c.field, c.value), func(t *testing.T) {
			in := validInput()
			if !in.Set(c.field, c.value) {
				t.Fatalf("no field %q", c.field)
			}
			_, err := in.Validate()
			verr, ok := apperr.AsValidation(err)
			if !ok {
				t.Fatalf("err = %v, want a validation error", err)
			}
			if got := verr.Get(c.field); !strings.HasPrefix(got, c.want) {
				t.Errorf("message on %s = %q, want %q", c.field, got, c.want)
			}
			if len(verr.Fields) != 1 {
				t.Errorf("errors on other fields too: %v", verr.Fields)
			}
		})
	}
}

func TestValidateNameWithoutLettersNeedsAShortName(t *testing.T) {
	t.Parallel()
	in := validInput()
	in.Name = "東京"
	_, err := in.Validate()
	verr, _ := apperr.AsValidation(err)
	if verr.Get("short_name") == "" {
		t.Fatalf("errors %v: want a message asking for a short name", err)
	}
	in.ShortName = "tokyo-tours"
	if _, err := in.Validate(); err != nil {
		t.Fatalf("with a typed short name: %v", err)
	}
}

func TestValidateAcceptsGoodOptionalValues(t *testing.T) {
	t.Parallel()
	in := validInput()
	in.ShortName = " Kruger-Safaris "
	in.SupportPhone = "+27 (21) 555-0100"
	in.Website = "https://krugersafaris.example"
	in.LogoURL = "https://cdn.krugersafaris.example/logo.svg"
	in.EmailFromName = "Kruger Safaris Bookings"
	in.EmailFromEmail = "Bookings@KrugerSafaris.example"
	in.MaxUsers = "0"
	in.MaxMonthlyQuotes = "12,000"
	in.Currency = "usd"
	in.Timezone = "Europe/Oslo"
	v, err := in.Validate()
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if v.ShortName != "kruger-safaris" || v.ShortNameDerived || v.Quotas.MaxUsers != 0 || v.Quotas.MaxMonthlyQuotes != 12000 ||
		v.Settings.EmailFromEmail != "bookings@krugersafaris.example" || v.Settings.Currency != "USD" {
		t.Fatalf("values = %+v", v)
	}
}

func TestWithThemeFillsItsColours(t *testing.T) {
	t.Parallel()
	in := NewOnboardInput().WithTheme("ocean_teal")
	if in.PresetTheme != "ocean_teal" || in.ColorPrimary != "#0F766E" || in.ColorSecondary != "#134E4A" || in.ColorAccent != "#06B6D4" {
		t.Fatalf("after choosing ocean_teal: %+v", in)
	}
	in = in.WithTheme("neon")
	if in.PresetTheme != "neon" || in.ColorPrimary != "#0F766E" {
		t.Fatalf("an unknown theme changes only the theme field: %+v", in)
	}
}

func TestFormRoundTrip(t *testing.T) {
	t.Parallel()
	form := url.Values{"_csrf": {"token"}}
	for i, name := range OnboardFields {
		form.Set(name, fmt.Sprintf("value-%d", i))
	}
	in := OnboardInputFromForm(form)
	for i, name := range OnboardFields {
		if got := in.Get(name); got != fmt.Sprintf("value-%d", i) {
			t.Errorf("field %s = %q", name, got)
		}
	}
	if in.Set("_csrf", "x") || in.Get("_csrf") != "" {
		t.Error("an unknown field was accepted")
	}
}

func TestInputNeverPrintsThePassword(t *testing.T) {
	t.Parallel()
	in := validInput()
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("onboard", "input", in)
	v, err := in.Validate()
	if err != nil || v.OwnerPassword != in.OwnerPassword {
		t.Fatalf("Validate: %v", err)
	}
	slog.New(slog.NewTextHandler(&logged, nil)).Info("onboard", "values", v)
	for _, s := range []string{fmt.Sprint(in), fmt.Sprintf("%+v", in), fmt.Sprintf("%#v", in), in.String(),
		fmt.Sprint(v), fmt.Sprintf("%#v", v), logged.String()} {
		if strings.Contains(s, in.OwnerPassword) {
			t.Fatalf("password printed: %s", s)
		}
		if !strings.Contains(s, "thandi@krugersafaris.example") {
			t.Fatalf("owner e-mail missing from %s", s)
		}
	}
}

func TestSignInSummary(t *testing.T) {
	t.Parallel()
	r := OnboardResult{OwnerEmail: "x@y.example"}
	for outcome, want := range map[AccountOutcome]string{
		AccountCreated: "x@y.example signs in with the password you set.",
		AccountInvited: "An invitation e-mail was sent to x@y.example",
		AccountLinked:  "An account for x@y.example already exists; it was made owner of this tenant and signs in with its existing password.",
	} {
		r.Outcome = outcome
		if got := r.SignInSummary(); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q", outcome, got)
		}
	}
}

// Validate cleans every field through its rule: stored forms are the
// rules' normal forms, and text the database or GoTrue cannot take is
// refused before anything leaves the console.
func TestValidateUsesTheFieldRules(t *testing.T) {
	t.Parallel()
	in := validInput()
	in.Website, in.LogoURL = "HTTPS://Example.test/x", "https://CDN.example.test/Logo.png"
	in.Name = "  Socie\u0301te\u0301   des Voyages \u200b"
	in.MaxUsers, in.Plan, in.Timezone = "1 000", "PRO", "africa/johannesburg"
	v, err := in.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if v.Settings.Website != "https://example.test/x" || v.Branding.LogoURL != "https://cdn.example.test/Logo.png" {
		t.Errorf("website %q, logo %q", v.Settings.Website, v.Branding.LogoURL)
	}
	if v.Name != "Société des Voyages" || v.ShortName != "societe-des-voyages" {
		t.Errorf("name %q, short name %q", v.Name, v.ShortName)
	}
	if v.Quotas.MaxUsers != 1000 || v.Plan != PlanPro || v.Settings.Timezone != "Africa/Johannesburg" {
		t.Errorf("quota %d, plan %q, zone %q", v.Quotas.MaxUsers, v.Plan, v.Settings.Timezone)
	}

	for _, field := range OnboardFields {
		in := validInput()
		in.Set(field, "Kruger\x00Safaris")
		_, err := in.Validate()
		if verr, ok := apperr.AsValidation(err); !ok || verr.Get(field) == "" {
			t.Errorf("a NUL in %s: %v, want a message beside it", field, err)
		}
	}
}

func TestSecretValuesGoThroughTheRules(t *testing.T) {
	t.Parallel()
	if v, msg := cleanSecretValue(secrets.NameSupabaseURL, secrets.NewValue(" HTTPS://Abcd1234.Supabase.co ")); msg != "" || v != "https://abcd1234.supabase.co" {
		t.Errorf("Supabase URL: %q, %q", v, msg)
	}
	for _, bad := range []string{"http://abcd.supabase.co", "key\x00", "\xff", "${not valid}"} {
		if msg := CheckSecretValue(secrets.NameSupabaseURL, secrets.NewValue(bad)); msg == "" {
			t.Errorf("%q accepted", bad)
		}
	}
	if msg := CheckSecretValue(secrets.NameSendgridAPIKey, secrets.NewValue("${SENDGRID_KEY}")); msg != "" {
		t.Errorf("a reference refused: %s", msg)
	}
}
