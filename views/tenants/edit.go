package tenants

import (
	"strings"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/views/layout"
)

// The edit pages of a tenant (settings, branding, plan) and the page a
// stale form gets.

// editLabels name the edit forms' fields.
var editLabels = map[string]string{
	"company_name":       "Company name",
	"support_email":      "Support e-mail",
	"support_phone":      "Support phone",
	"website":            "Website",
	"currency":           "Currency",
	"timezone":           "Time zone",
	"email_from_name":    "Sender name",
	"email_from_email":   "Sender address",
	"preset_theme":       "Preset theme",
	"color_primary":      "Primary colour",
	"color_secondary":    "Secondary colour",
	"color_accent":       "Accent colour",
	"logo_url":           "Logo URL",
	"plan":               "Plan",
	"max_users":          "Users",
	"max_monthly_quotes": "Quotes a month",
	"max_storage_gb":     "Storage (GB)",
	"version":            "Form version",
}

// EditLabel names an edit form's field for people.
func EditLabel(key string) string {
	if l, ok := editLabels[key]; ok {
		return l
	}
	return key
}

// editSummary lists the errors of an edit form in the form's order.
func editSummary(keys []string, errs *apperr.ValidationError) []summaryItem {
	if errs == nil {
		return nil
	}
	var items []summaryItem
	for _, k := range append(append([]string{}, keys...), "version") {
		if msg := errs.Get(k); msg != "" {
			anchor := "#" + k
			if k == "version" {
				anchor = ""
			}
			items = append(items, summaryItem{Anchor: anchor, Label: EditLabel(k), Message: msg})
		}
	}
	return items
}

// SettingsProps is what the settings page shows.
type SettingsProps struct {
	Chrome  layout.Chrome
	Nav     TenantNav
	Tenant  tenant.Tenant
	Input   tenant.SettingsInput
	Errors  *apperr.ValidationError
	CanEdit bool   // false: read-only (support, or a deleted tenant)
	Notice  string // after a save: what it did
}

// BrandingProps is what the branding page shows.
type BrandingProps struct {
	Chrome  layout.Chrome
	Nav     TenantNav
	Tenant  tenant.Tenant
	Input   tenant.BrandingInput
	Preview tenant.Preview
	Errors  *apperr.ValidationError
	CanEdit bool
	Notice  string
}

// ConflictProps is the page a stale form gets: every field that differs,
// saved beside typed, to keep either.
type ConflictProps struct {
	Chrome layout.Chrome
	Tenant tenant.Tenant
	What   string // "settings", "branding", "plan and quotas"
	Action string // where the form posts
	Back   string // the edit page, to start again from what is saved
	Stale  *tenant.StaleError
}

func settingsURL(id string) string { return string(tenantURL(id)) + "/settings" }
func brandingURL(id string) string { return string(tenantURL(id)) + "/branding" }
func planURL(id string) string     { return string(tenantURL(id)) + "/plan" }

// SettingsURL, BrandingURL and PlanURL are the edit addresses of a tenant.
func SettingsURL(id string) string { return settingsURL(id) }
func BrandingURL(id string) string { return brandingURL(id) }
func PlanURL(id string) string     { return planURL(id) }

func isColorKey(k string) bool {
	return k == "color_primary" || k == "color_secondary" || k == "color_accent"
}

// themeName names a theme id, or shows the id as typed.
func themeName(id string) string { return themeLabel(id) }

// textOn is the text colour (white or black) that reads best on color.
func textOn(color string) string {
	c, ok := tenant.ContrastOn(color)
	if !ok {
		return "#000000"
	}
	return c.TextColor()
}

func textName(c tenant.Contrast) string {
	if c.TextColor() == "#FFFFFF" {
		return "white"
	}
	return "black"
}

// pickerValue is what a colour picker starts at: the typed colour when it is
// one (pickers want lower case), else black.
func pickerValue(typed string) string {
	if c, msg := tenant.FieldColor.Clean(typed); msg == "" {
		return strings.ToLower(c)
	}
	return "#000000"
}

// clipText shortens s to n characters for the preview's fixed width.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// ShowEdit is what the tenant page offers the person to change.
type ShowEdit struct {
	CanEdit     bool // settings and branding
	CanRead     bool // their pages, read-only (support)
	CanEditPlan bool // platform admins
	Plan        tenant.PlanInput
	PlanErrors  *apperr.ValidationError
}

// conflictAsks counts the fields of a stale form the person has to choose.
func conflictAsks(s *tenant.StaleError) int {
	n := 0
	for _, f := range s.Fields {
		if f.Resolution() == tenant.ResolveAsk {
			n++
		}
	}
	return n
}

// resolutionName names how a field was merged, for the page's markup.
func resolutionName(r tenant.Resolution) string {
	switch r {
	case tenant.ResolveTheirs:
		return "theirs"
	case tenant.ResolveYours:
		return "yours"
	case tenant.ResolveAsk:
		return "ask"
	}
	return "same"
}
