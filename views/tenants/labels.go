package tenants

import (
	"sort"
	"strings"

	"github.com/tenant-console/console/internal/tenant"
)

func sourceLabel(s tenant.Source) string {
	switch s {
	case tenant.SourceOnboarding:
		return "Onboarded in the console"
	case tenant.SourceYAMLImport:
		return "Imported from legacy YAML"
	}
	return string(s)
}

func themeLabel(id string) string {
	if t, ok := tenant.ThemeByID(id); ok {
		return t.Name
	}
	return id
}

var secretLabels = map[string]string{
	"supabase_url":         "Supabase URL",
	"supabase_anon_key":    "Supabase anon key",
	"supabase_service_key": "Supabase service key",
	"sendgrid_api_key":     "SendGrid API key",
}

func secretLabel(name string) string {
	if l, ok := secretLabels[name]; ok {
		return l
	}
	return name
}

func actorLabel(ev tenant.AuditEvent) string {
	who := ev.ActorEmail
	if who == "" {
		who = "system"
	}
	if ev.ActorRole != "" {
		who += " (" + strings.ReplaceAll(ev.ActorRole, "_", " ") + ")"
	}
	return who
}

// changedFields names the fields an event touched, for the summary column.
func changedFields(ev tenant.AuditEvent) string {
	seen := map[string]bool{}
	for k := range ev.Before {
		seen[k] = true
	}
	for k := range ev.After {
		seen[k] = true
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 6 {
		return strings.Join(keys[:6], ", ") + ", …"
	}
	return strings.Join(keys, ", ")
}
