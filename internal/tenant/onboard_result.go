package tenant

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tenant-console/console/internal/apperr"
)

// What onboarding made: the rows to write, the audit event, the result page
// and the messages for failures that are not about one field.

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
	case errors.Is(err, apperr.ErrRefused):
		return msgRefused + " Nothing was created."
	case errors.Is(err, ErrOnboardNotSaved):
		return "The tenant could not be saved, so nothing was created. Submit the form again; " +
			"an owner account made by this attempt will be linked."
	case errors.Is(err, apperr.ErrUnavailable):
		return "The sign-in service cannot be reached right now, so nothing was created. Try again shortly."
	}
	return "Something went wrong and the tenant was not created. Try again; if it keeps failing, tell the platform team."
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
			{"tenants", fmt.Sprintf("The organization %s, short name %s, on the %s plan (%d users, %d quotes a month, %d GB)",
				id, v.ShortName, planWord(v.Plan), v.Quotas.MaxUsers, v.Quotas.MaxMonthlyQuotes, v.Quotas.MaxStorageGB)},
			{"tenant_settings", fmt.Sprintf("Company settings (support %s, %s, %s)",
				v.Settings.SupportEmail, v.Settings.Currency, v.Settings.Timezone)},
			{"tenant_branding", fmt.Sprintf("Branding (%s: %s, %s, %s)",
				theme, v.Branding.ColorPrimary, v.Branding.ColorSecondary, v.Branding.ColorAccent)},
			{"tenant_prompts", "Default inbound assistant prompt for " + v.Name},
			{"organization_users", "Owner membership for " + v.OwnerEmail},
			{"audit_events", "An entry in the audit log saying who onboarded it"},
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

// planWord is a plan's name in a sentence ("Pro").
func planWord(p Plan) string {
	if p == "" {
		return ""
	}
	return strings.ToUpper(string(p[:1])) + string(p[1:])
}
