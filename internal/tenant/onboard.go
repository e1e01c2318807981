package tenant

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenant-console/console/internal/apperr"
)

// Onboarding (product.md §4.3): one form, the owner's sign-in account first,
// then every row of the new tenant in one transaction.

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

// String keeps the password out of anything that prints an input.
func (in OnboardInput) String() string {
	in.OwnerPassword = redacted(in.OwnerPassword)
	type plain OnboardInput // without methods: no recursion
	return fmt.Sprintf("%+v", plain(in))
}

// GoString covers %#v, which String does not.
func (in OnboardInput) GoString() string { return "tenant.OnboardInput" + in.String() }

// LogValue keeps the password out of structured logs.
func (in OnboardInput) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, len(OnboardFields))
	for _, name := range OnboardFields {
		v := in.Get(name)
		if name == "owner_password" {
			v = redacted(v)
		}
		attrs = append(attrs, slog.String(name, v))
	}
	return slog.GroupValue(attrs...)
}

func redacted(s string) string {
	if s == "" {
		return ""
	}
	return "[redacted]"
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
		if c, ok := NormalizeColor(typed); ok {
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

// String keeps the password out of anything that prints the values.
func (v OnboardValues) String() string {
	v.OwnerPassword = redacted(v.OwnerPassword)
	type plain OnboardValues // without methods: no recursion
	return fmt.Sprintf("%+v", plain(v))
}

// GoString covers %#v.
func (v OnboardValues) GoString() string { return "tenant.OnboardValues" + v.String() }

// LogValue keeps the password out of structured logs.
func (v OnboardValues) LogValue() slog.Value { return slog.StringValue(v.String()) }

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

// CreatedItem is one row onboarding wrote, as the result page lists it.
type CreatedItem struct {
	Table   string `json:"table"`
	Summary string `json:"summary"`
}

// OnboardResult is what the result page and the CLI show. It is stored
// (without Replay) under the idempotency key, so it never holds a password.
type OnboardResult struct {
	TenantID    string         `json:"tenant_id"`
	TenantName  string         `json:"tenant_name"`
	ShortName   string         `json:"short_name"`
	Plan        Plan           `json:"plan"`
	Created     []CreatedItem  `json:"created"`
	OwnerEmail  string         `json:"owner_email"`
	OwnerName   string         `json:"owner_name,omitempty"`
	OwnerUserID string         `json:"owner_user_id"`
	Outcome     AccountOutcome `json:"outcome"`
	CreatedAt   time.Time      `json:"created_at"`
	CreatedBy   string         `json:"created_by"`
	// Replay: this request repeated one already completed (same idempotency
	// key); nothing new was created and this is the first request's result.
	Replay bool `json:"-"`
}

// SignInSummary says how the owner signs in, in one sentence.
func (r OnboardResult) SignInSummary() string {
	switch r.Outcome {
	case AccountInvited:
		return "An invitation e-mail was sent to " + r.OwnerEmail + "; they choose their own password when they accept it."
	case AccountLinked:
		return "An account for " + r.OwnerEmail + " already exists; it was made owner of this tenant and signs in with its existing password."
	default:
		return r.OwnerEmail + " signs in with the password you set."
	}
}

var (
	// ErrOnboardNotSaved: the database step of onboarding failed and rolled
	// back; nothing of the tenant exists. Submitting the same form again is
	// safe: an owner account made by the failed attempt is linked.
	ErrOnboardNotSaved = errors.New("the tenant could not be saved")
	// ErrShortNameTaken: another tenant has the short name (the store's
	// unique index said so).
	ErrShortNameTaken = errors.New("the short name is taken")

	errKeyCompleted = errors.New("idempotency key already completed")
)

// OnboardErrorMessage is the sentence a form or the CLI shows for an
// onboarding failure that is not about one field.
func OnboardErrorMessage(err error) string {
	switch {
	case errors.Is(err, apperr.ErrForbidden):
		return "Only a platform admin can onboard a tenant."
	case errors.Is(err, ErrOnboardNotSaved):
		return "The tenant could not be saved, so nothing was created. Submit the form again; " +
			"an owner account made by this attempt will be linked."
	case errors.Is(err, apperr.ErrUnavailable):
		return "The sign-in service cannot be reached right now, so nothing was created. Try again shortly."
	}
	return "Something went wrong and the tenant was not created. Try again; if it keeps failing, tell the platform team."
}

// Onboarding is the onboarding use case.
type Onboarding struct {
	store    Store
	accounts Accounts
	now      func() time.Time
}

// NewOnboarding returns the use case over store and the identity provider.
func NewOnboarding(store Store, accounts Accounts) *Onboarding {
	return &Onboarding{store: store, accounts: accounts, now: time.Now}
}

// Onboard creates a tenant from in, in the order of product.md §4.3:
//
//  1. validate every field (and that the short name is free);
//  2. get the owner's account: create it, or invite it, or — when the e-mail
//     already has one — link that one, never touching its password;
//  3. in one transaction: tenants, tenant_settings, tenant_branding,
//     tenant_prompts, organization_users, audit_events and the stored
//     result under the idempotency key.
//
// A key already completed returns that result with Replay set, without
// calling GoTrue; two concurrent requests with one key create one tenant and
// both return its result.
//
// Errors: apperr.ErrForbidden for anyone but a platform admin; a
// *apperr.ValidationError keyed by field; apperr.ErrUnavailable when GoTrue
// cannot be reached (nothing written); ErrOnboardNotSaved when the database
// failed (nothing written).
func (o *Onboarding) Onboard(ctx context.Context, actor Actor, in OnboardInput) (OnboardResult, error) {
	if !actor.IsPlatformAdmin() {
		return OnboardResult{}, fmt.Errorf("onboard: %w", apperr.ErrForbidden)
	}
	v, err := in.Validate()
	errs, _ := apperr.AsValidation(err)
	if errs == nil {
		errs = apperr.NewValidation()
	}

	// A retry of a completed request is answered before anything else: by
	// now its short name is taken (by itself) and its owner has an account.
	if !errs.Has("idempotency_key") {
		if res, ok, err := o.completed(ctx, v.IdempotencyKey); err != nil || ok {
			return res, err
		}
	}

	if v.ShortName != "" && !errs.Has("short_name") {
		owner, err := o.store.ShortNameOwner(ctx, v.ShortName)
		switch {
		case err == nil:
			// The tenant holding it may be this very request's, committed
			// by a twin submit since the check above: then it is a replay.
			if res, ok, err := o.completed(ctx, v.IdempotencyKey); err != nil || ok {
				return res, err
			}
			errs.Add("short_name", shortNameTaken(v, owner))
		case !errors.Is(err, apperr.ErrNotFound):
			return OnboardResult{}, fmt.Errorf("onboard: %w: %w", ErrOnboardNotSaved, err)
		}
	}
	if err := errs.OrNil(); err != nil {
		return OnboardResult{}, err
	}

	acct, outcome, err := EnsureAccount(ctx, o.accounts, v.OwnerEmail, v.OwnerPassword, v.OwnerName)
	if err != nil {
		if errors.Is(err, ErrAccountRejected) {
			errs.Add("owner_email", msgRejectedEmail)
			return OnboardResult{}, errs
		}
		var weak *PasswordRejectedError
		if errors.As(err, &weak) {
			errs.Add("owner_password", weak.Reason)
			return OnboardResult{}, errs
		}
		// Unavailability keeps matching apperr.ErrUnavailable.
		return OnboardResult{}, fmt.Errorf("onboard: owner account: %w", err)
	}

	rec, member, res := v.build(NewID(), actor, acct, outcome, o.now().UTC().Truncate(time.Microsecond))
	err = o.store.InTx(ctx, func(tx Tx) error {
		// Claimed first: a concurrent request with the same key waits here
		// until this transaction ends, then finds the key taken.
		if err := tx.SaveOnboardingResult(ctx, v.IdempotencyKey, res); err != nil {
			if errors.Is(err, apperr.ErrConflict) {
				return errKeyCompleted
			}
			return err
		}
		if err := tx.InsertRecord(ctx, rec); err != nil {
			return err
		}
		if err := tx.InsertMember(ctx, member, actor.Email); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, auditCreated(actor, rec, member, outcome))
	})
	switch {
	case err == nil:
		return res, nil
	case errors.Is(err, errKeyCompleted):
		res, ok, err := o.completed(ctx, v.IdempotencyKey)
		if err == nil && !ok {
			err = fmt.Errorf("onboard: %w: the idempotency key was taken but holds no result", ErrOnboardNotSaved)
		}
		return res, err
	case errors.Is(err, ErrShortNameTaken):
		// A concurrent request won the short name between the check and
		// the insert.
		owner, lookupErr := o.store.ShortNameOwner(ctx, v.ShortName)
		if lookupErr != nil {
			owner = "another tenant"
		}
		errs.Add("short_name", shortNameTaken(v, owner))
		return OnboardResult{}, errs
	}
	return OnboardResult{}, fmt.Errorf("onboard: %w: %w", ErrOnboardNotSaved, err)
}

// Result returns the result of a completed onboarding by its idempotency
// key, for a result page reached by a redirect (post/redirect/get); Replay
// is false. A key that never completed gives apperr.ErrNotFound.
func (o *Onboarding) Result(ctx context.Context, actor Actor, key string) (OnboardResult, error) {
	if !actor.IsPlatformAdmin() {
		return OnboardResult{}, fmt.Errorf("onboarding result: %w", apperr.ErrForbidden)
	}
	if len(key) < minKeyLen || len(key) > maxKeyLen || !keyPattern.MatchString(key) {
		return OnboardResult{}, fmt.Errorf("onboarding result: %w", apperr.ErrNotFound)
	}
	res, err := o.store.OnboardingResult(ctx, key)
	if err != nil {
		return OnboardResult{}, fmt.Errorf("onboarding result: %w", err)
	}
	return res, nil
}

// completed returns the stored result of a completed request with key.
func (o *Onboarding) completed(ctx context.Context, key string) (OnboardResult, bool, error) {
	res, err := o.store.OnboardingResult(ctx, key)
	switch {
	case err == nil:
		res.Replay = true
		return res, true, nil
	case errors.Is(err, apperr.ErrNotFound):
		return OnboardResult{}, false, nil
	}
	return OnboardResult{}, false, fmt.Errorf("onboard: %w: %w", ErrOnboardNotSaved, err)
}

func shortNameTaken(v OnboardValues, owner string) string {
	if v.ShortNameDerived {
		return "The short name made from the name, " + v.ShortName + ", is taken by " + owner + ". Enter another short name."
	}
	return "This short name is taken by " + owner + "."
}

// DefaultPromptName is the prompt every onboarded tenant starts with.
const DefaultPromptName = "inbound"

// build turns validated values into the rows to write and the result to show.
func (v OnboardValues) build(id string, actor Actor, acct Account, outcome AccountOutcome, now time.Time) (Record, Member, OnboardResult) {
	rec := Record{
		Tenant: Tenant{
			ID: id, Name: v.Name, ShortName: v.ShortName, Status: StatusActive, Plan: v.Plan,
			Quotas: v.Quotas, CreatedAt: now, CreatedBy: actor.Email, UpdatedAt: now,
			Source: SourceOnboarding, Version: 1,
		},
		Settings: v.Settings,
		Branding: v.Branding,
		Prompts: []Prompt{{
			Name: DefaultPromptName,
			Body: DefaultInboundPrompt(v.Name, v.Settings.SupportEmail, v.Settings.Currency),
		}},
	}
	for _, p := range []*string{&rec.Settings.UpdatedBy, &rec.Branding.UpdatedBy} {
		*p = actor.Email
	}
	rec.Settings.UpdatedAt, rec.Settings.Version = now, 1
	rec.Branding.UpdatedAt, rec.Branding.Version = now, 1

	member := Member{
		TenantID: id, UserID: acct.ID, Email: v.OwnerEmail, DisplayName: v.OwnerName,
		Role: MemberOwner, CreatedAt: now,
	}
	theme := rec.Branding.PresetTheme
	if t, ok := ThemeByID(theme); ok {
		theme = t.Name
	}
	res := OnboardResult{
		TenantID: id, TenantName: v.Name, ShortName: v.ShortName, Plan: v.Plan,
		OwnerEmail: v.OwnerEmail, OwnerName: v.OwnerName, OwnerUserID: acct.ID, Outcome: outcome,
		CreatedAt: now, CreatedBy: actor.Email,
		Created: []CreatedItem{
			{"tenants", fmt.Sprintf("Registry entry %s (short name %s, plan %s: %d users, %d quotes a month, %d GB)",
				id, v.ShortName, v.Plan, v.Quotas.MaxUsers, v.Quotas.MaxMonthlyQuotes, v.Quotas.MaxStorageGB)},
			{"tenant_settings", fmt.Sprintf("Company settings (support %s, %s, %s)",
				v.Settings.SupportEmail, v.Settings.Currency, v.Settings.Timezone)},
			{"tenant_branding", fmt.Sprintf("Branding (%s: %s, %s, %s)",
				theme, v.Branding.ColorPrimary, v.Branding.ColorSecondary, v.Branding.ColorAccent)},
			{"tenant_prompts", "Default inbound assistant prompt for " + v.Name},
			{"organization_users", "Owner membership for " + v.OwnerEmail},
			{"audit_events", "Audit event " + ActionTenantCreated},
		},
	}
	return rec, member, res
}

// auditCreated records what was created; never a password.
func auditCreated(actor Actor, rec Record, m Member, outcome AccountOutcome) AuditEvent {
	ev := NewAuditEvent(actor, rec.Tenant.ID, ActionTenantCreated)
	ev.After = rec.AuditFields()
	ev.After["owner_email"], ev.After["owner_user_id"], ev.After["owner_account"] = m.Email, m.UserID, string(outcome)
	return ev
}
