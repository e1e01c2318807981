package tenant

// Theme is a preset of brand colours a tenant can start from.
type Theme struct {
	ID        string
	Name      string
	Primary   string
	Secondary string
	Accent    string
}

// DefaultThemeID is used when a tenant names no theme.
const DefaultThemeID = "professional_blue"

// Themes are the presets, in the order forms offer them.
var Themes = []Theme{
	{ID: "professional_blue", Name: "Professional blue", Primary: "#1E40AF", Secondary: "#1E293B", Accent: "#0EA5E9"},
	{ID: "safari_gold", Name: "Safari gold", Primary: "#92400E", Secondary: "#44403C", Accent: "#D97706"},
	{ID: "ocean_teal", Name: "Ocean teal", Primary: "#0F766E", Secondary: "#134E4A", Accent: "#06B6D4"},
	{ID: "sunset_orange", Name: "Sunset orange", Primary: "#C2410C", Secondary: "#7C2D12", Accent: "#F59E0B"},
	{ID: "forest_green", Name: "Forest green", Primary: "#166534", Secondary: "#14532D", Accent: "#65A30D"},
	{ID: "midnight_purple", Name: "Midnight purple", Primary: "#5B21B6", Secondary: "#1E1B4B", Accent: "#C026D3"},
	{ID: "minimal_gray", Name: "Minimal gray", Primary: "#374151", Secondary: "#111827", Accent: "#6B7280"},
}

// ThemeByID returns the preset with id.
func ThemeByID(id string) (Theme, bool) {
	for _, t := range Themes {
		if t.ID == id {
			return t, true
		}
	}
	return Theme{}, false
}

// DefaultTheme returns the preset used when none is given.
func DefaultTheme() Theme {
	t, _ := ThemeByID(DefaultThemeID)
	return t
}
