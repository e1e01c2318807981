package tenant

import (
	"context"
	"errors"
	"net/url"
	"strconv"

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
	Version        string
}

// SettingsFields are the settings form's fields in the order it shows them.
var SettingsFields = []string{
	"company_name", "support_email", "support_phone", "website", "currency", "timezone",
	"email_from_name", "email_from_email",
}

// SettingsInputFromForm reads a submitted settings form.
func SettingsInputFromForm(v url.Values) SettingsInput {
	return SettingsInput{
		CompanyName: v.Get("company_name"), SupportEmail: v.Get("support_email"),
		SupportPhone: v.Get("support_phone"), Website: v.Get("website"), Currency: v.Get("currency"),
		Timezone: v.Get("timezone"), EmailFromName: v.Get("email_from_name"),
		EmailFromEmail: v.Get("email_from_email"), Version: v.Get("version"),
	}
}

// SettingsInputOf is the form filled with what is saved (nil: none yet).
func SettingsInputOf(s *Settings) SettingsInput {
	if s == nil {
		return SettingsInput{Version: "0"}
	}
	return SettingsInput{
		CompanyName: s.CompanyName, SupportEmail: s.SupportEmail, SupportPhone: s.SupportPhone,
		Website: s.Website, Currency: s.Currency, Timezone: s.Timezone, EmailFromName: s.EmailFromName,
		EmailFromEmail: s.EmailFromEmail, Version: strconv.Itoa(s.Version),
	}
}

// Get returns the typed value of the field key.
func (in SettingsInput) Get(key string) string { return in.values()[key] }

func (in SettingsInput) values() map[string]string {
	return map[string]string{
		"company_name": in.CompanyName, "support_email": in.SupportEmail, "support_phone": in.SupportPhone,
		"website": in.Website, "currency": in.Currency, "timezone": in.Timezone,
		"email_from_name": in.EmailFromName, "email_from_email": in.EmailFromEmail,
	}
}

// clean validates every field through its rule; the result holds the
// values to store.
func (in SettingsInput) clean() (Settings, int, error) {
	errs := apperr.NewValidation()
	s := Settings{
		CompanyName:    FieldTenantName.Into(errs, "company_name", in.CompanyName),
		SupportEmail:   FieldEmail.Into(errs, "support_email", in.SupportEmail),
		SupportPhone:   FieldPhone.Into(errs, "support_phone", in.SupportPhone),
		Website:        FieldHTTPSURL.Into(errs, "website", in.Website),
		Currency:       FieldCurrency.Into(errs, "currency", in.Currency),
		Timezone:       FieldTimezone.Into(errs, "timezone", in.Timezone),
		EmailFromName:  FieldSenderName.Into(errs, "email_from_name", in.EmailFromName),
		EmailFromEmail: FieldEmail.Into(errs, "email_from_email", in.EmailFromEmail),
	}
	version := formVersion(errs, in.Version)
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

// fieldValues pairs saved and typed values, in form order.
func fieldValues(keys []string, saved, typed map[string]any) []FieldValue {
	out := make([]FieldValue, len(keys))
	for i, k := range keys {
		out[i] = FieldValue{Key: k, Saved: str(saved[k]), Yours: str(typed[k])}
	}
	return out
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	}
	return ""
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
	return SettingsPage{Tenant: d.Tenant, Settings: d.Settings, CanEdit: actor.CanEdit(id)}, nil
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
	return s.runEdit(ctx, edit{
		actor: actor, tenantID: id, action: ActionSettingsUpdated, version: version,
		lock: func(ctx context.Context, tx EditTx) (int, []FieldValue, map[string]any, map[string]any, error) {
			cur, err := tx.LockSettings(ctx, id)
			if err != nil {
				return 0, nil, nil, nil, err
			}
			saved, v := map[string]any{}, 0
			if cur != nil {
				saved, v = cur.auditValues(), cur.Version
			}
			t := typed.auditValues()
			return v, fieldValues(SettingsFields, saved, t), saved, t, nil
		},
		save: func(ctx context.Context, tx EditTx, v int) (int, error) {
			return tx.SaveSettings(ctx, id, typed, v, actorName(actor))
		},
	})
}
