package tenants

import "github.com/tenant-console/console/internal/tenant"

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
