package tenants

import (
	"fmt"
	"strings"

	"github.com/a-h/templ"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/views/components"
)

// The onboarding form's helpers. Every input's id is its field name
// (short_name, owner_email, …); its hint is <name>-hint and its error
// <name>-error. The owner_mode radios are owner_mode_password and
// owner_mode_invite.

// onboardLabels name the fields in the error summary.
var onboardLabels = map[string]string{
	"name":               "Company name",
	"short_name":         "Short name",
	"support_email":      "Support e-mail",
	"support_phone":      "Support phone",
	"website":            "Website",
	"currency":           "Currency",
	"timezone":           "Time zone",
	"preset_theme":       "Preset theme",
	"color_primary":      "Primary colour",
	"color_secondary":    "Secondary colour",
	"color_accent":       "Accent colour",
	"logo_url":           "Logo URL",
	"email_from_name":    "Sender name",
	"email_from_email":   "Sender address",
	"plan":               "Plan",
	"max_users":          "Users",
	"max_monthly_quotes": "Quotes a month",
	"max_storage_gb":     "Storage (GB)",
	"owner_email":        "Owner's e-mail",
	"owner_name":         "Owner's name",
	"owner_mode":         "How the owner signs in",
	"owner_password":     "Owner's password",
	"idempotency_key":    "Form key",
}

// field describes one labelled text input of the form.
type field struct {
	Name         string
	Label        string
	Type         string // "text" when empty
	Value        string
	Hint         string
	Autocomplete string // "off" when empty: these are someone else's details
	Required     bool   // the required attribute (the form is novalidate: for assistive tech)
	Optional     bool   // "(optional)" after the label
	Err          string
	Attrs        templ.Attributes // pattern, inputmode, list, placeholder, maxlength…
}

func (f field) inputType() string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

func (f field) autocomplete() string {
	if f.Autocomplete == "" {
		return "off"
	}
	return f.Autocomplete
}

func hintID(name string) string  { return name + "-hint" }
func errorID(name string) string { return name + "-error" }

// describedBy links an input to its hint and its error.
func describedBy(name string, hint bool, err string) string {
	var ids []string
	if hint {
		ids = append(ids, hintID(name))
	}
	if err != "" {
		ids = append(ids, errorID(name))
	}
	return strings.Join(ids, " ")
}

// errSuffix adds the error's id to an aria-describedby list that has one already.
func errSuffix(name, err string) string {
	if err == "" {
		return ""
	}
	return " " + errorID(name)
}

// summaryItem is one line of the error summary.
type summaryItem struct {
	Anchor  string // "" when the field has no input to jump to
	Label   string
	Message string
}

// errorSummary lists the errors in the order of the form.
func errorSummary(errs *apperr.ValidationError) []summaryItem {
	if errs == nil {
		return nil
	}
	var items []summaryItem
	seen := map[string]bool{}
	for _, name := range tenant.OnboardFields {
		msg := errs.Get(name)
		if msg == "" {
			continue
		}
		seen[name] = true
		item := summaryItem{Anchor: "#" + name, Label: onboardLabels[name], Message: msg}
		switch name {
		case "owner_mode":
			item.Anchor = "#owner_mode_password"
		case "idempotency_key":
			item.Anchor = ""
		}
		items = append(items, item)
	}
	for name, msg := range errs.Fields { // keys the form does not know: still shown
		if !seen[name] {
			items = append(items, summaryItem{Label: name, Message: msg})
		}
	}
	return items
}

func errorCountTitle(n int) string {
	if n == 1 {
		return "There is a problem with 1 field"
	}
	return fmt.Sprintf("There are problems with %d fields", n)
}

func selectedCurrency(in tenant.OnboardInput) string {
	c, _ := tenant.FieldCurrency.OK(in.Currency)
	return c
}

func knownCurrency(in tenant.OnboardInput) bool {
	_, ok := tenant.FieldCurrency.OK(in.Currency)
	return ok
}

func selectedTheme(in tenant.OnboardInput) string { return strings.TrimSpace(in.PresetTheme) }

func knownTheme(in tenant.OnboardInput) bool {
	_, ok := tenant.ThemeByID(selectedTheme(in))
	return ok
}

func selectedPlan(in tenant.OnboardInput) tenant.Plan {
	return tenant.Plan(strings.ToLower(strings.TrimSpace(in.Plan)))
}

func inviteMode(in tenant.OnboardInput) bool {
	return strings.EqualFold(strings.TrimSpace(in.OwnerMode), tenant.OwnerModeInvite)
}

// quotaHint lists every plan's default for one quota, since the plan can
// change without the page reloading.
func quotaHint(get func(tenant.Quotas) int) string {
	parts := make([]string, 0, len(tenant.Plans))
	for _, p := range tenant.Plans {
		parts = append(parts, components.PlanLabel(p)+" "+thousands(get(tenant.DefaultQuotas(p))))
	}
	return "Empty: the plan's default (" + strings.Join(parts, " · ") + ")."
}

func maxUsers(q tenant.Quotas) int         { return q.MaxUsers }
func maxMonthlyQuotes(q tenant.Quotas) int { return q.MaxMonthlyQuotes }
func maxStorageGB(q tenant.Quotas) int     { return q.MaxStorageGB }

func currencyLabel(c tenant.Currency) string { return c.Code + " — " + c.Name }

// signInAlertClass draws the eye to a linked account: its password was not set here.
func signInAlertClass(o tenant.AccountOutcome) string {
	if o == tenant.AccountLinked {
		return "alert alert-warning"
	}
	return "alert alert-success"
}
