package tenant

import (
	"context"
	"errors"

	"github.com/tenant-console/console/internal/apperr"
)

// SettingsInput is the settings form as typed, so it can be shown again.
type SettingsInput struct {
	CompanyName    string
	SupportEmail   string
	SupportPhone   string
	Website        string
	Currency       string
	Timezone       string
	EmailFromName  string
	EmailFromEmail string
	FormState
}

// SettingsFields are the settings form's fields in the order it shows them.
var SettingsFields = []string{
	"company_name", "support_email", "support_phone", "website", "currency", "timezone",
	"email_from_name", "email_from_email",
}

// settingsRules clean the settings form's fields.
var settingsRules = map[string]Field{
	"company_name": FieldTenantName, "support_email": FieldEmail, "support_phone": FieldPhone,
	"website": FieldHTTPSURL, "currency": FieldCurrency, "timezone": FieldTimezone,
	"email_from_name": FieldSenderName, "email_from_email": FieldEmail,
}

// SettingsInputOf is the form filled with what is saved (nil: none yet).
func SettingsInputOf(s *Settings) SettingsInput {
	if s == nil {
		return SettingsInput{FormState: stateOf(0, nil, SettingsFields)}
	}
	in := SettingsInput{
		CompanyName: s.CompanyName, SupportEmail: s.SupportEmail, SupportPhone: s.SupportPhone,
		Website: s.Website, Currency: s.Currency, Timezone: s.Timezone, EmailFromName: s.EmailFromName,
		EmailFromEmail: s.EmailFromEmail,
	}
	in.FormState = stateOf(s.Version, s.auditValues(), SettingsFields)
	return in
}

// Get returns the typed value of the field key.
func (in SettingsInput) Get(key string) string {
	switch key {
	case "company_name":
		return in.CompanyName
	case "support_email":
		return in.SupportEmail
	case "support_phone":
		return in.SupportPhone
	case "website":
		return in.Website
	case "currency":
		return in.Currency
	case "timezone":
		return in.Timezone
	case "email_from_name":
		return in.EmailFromName
	case "email_from_email":
		return in.EmailFromEmail
	}
	return ""
}

// clean validates every field through its rule; the result holds the
// values to store.
func (in SettingsInput) clean() (Settings, int, error) {
	errs := apperr.NewValidation()
	v := func(key string) string { return settingsRules[key].Into(errs, key, in.Get(key)) }
	s := Settings{
		CompanyName: v("company_name"), SupportEmail: v("support_email"), SupportPhone: v("support_phone"),
		Website: v("website"), Currency: v("currency"), Timezone: v("timezone"),
		EmailFromName: v("email_from_name"), EmailFromEmail: v("email_from_email"),
	}
	version := checkState(errs, in.FormState)
	return s, version, errs.OrNil()
}

// auditValues are the settings by column name.
func (s Settings) auditValues() map[string]any {
	return map[string]any{
		"company_name": s.CompanyName, "support_email": s.SupportEmail, "support_phone": s.SupportPhone,
		"website": s.Website, "currency": s.Currency, "timezone": s.Timezone,
		"email_from_name": s.EmailFromName, "email_from_email": s.EmailFromEmail,
	}
}

// settingsEdit is how a settings form is saved.
var settingsEdit = editKind[Settings]{
	action: ActionSettingsUpdated,
	fields: SettingsFields,
	rules:  settingsRules,
	values: Settings.auditValues,
	lock: func(ctx context.Context, tx EditTx, id string) (*Settings, int, error) {
		cur, err := tx.LockSettings(ctx, id)
		if err != nil || cur == nil {
			return nil, 0, err
		}
		return cur, cur.Version, nil
	},
	save: func(ctx context.Context, tx EditTx, id string, s Settings, version int, by string) (int, error) {
		return tx.SaveSettings(ctx, id, s, version, by)
	},
}

// SettingsPage is what the settings page needs.
type SettingsPage struct {
	Tenant   Tenant
	Settings *Settings // nil: none yet
	CanEdit  bool      // false: read-only (support)
}

// GetSettings returns a tenant's settings for its edit page.
func (s *Service) GetSettings(ctx context.Context, actor Actor, id string) (SettingsPage, error) {
	if err := editAccess(actor, id); err != nil && !errors.Is(err, apperr.ErrForbidden) {
		return SettingsPage{}, err
	}
	d, err := s.store.GetDetail(ctx, id, 0)
	if err != nil {
		return SettingsPage{}, err
	}
	return SettingsPage{Tenant: d.Tenant, Settings: d.Settings, CanEdit: actor.CanEdit(id) && !d.Tenant.ReadOnly()}, nil
}

// EditSettings saves a tenant's settings form. A form read at an older
// version gets a *StaleError; one that changes nothing writes nothing.
func (s *Service) EditSettings(ctx context.Context, actor Actor, id string, in SettingsInput) (EditResult, error) {
	if err := editAccess(actor, id); err != nil {
		return EditResult{}, err
	}
	typed, version, err := in.clean()
	if err != nil {
		return EditResult{}, err
	}
	return runEdit(ctx, s, settingsEdit, actor, id, typed, version, in.Original)
}
