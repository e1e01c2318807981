// Package layout holds the page shell every full page renders inside.
package layout

import (
	"encoding/json"

	"github.com/tenant-console/console/internal/tenant"
)

// Chrome is what the shell needs around a page's content.
type Chrome struct {
	Title     string
	CSRFToken string
	Nav       string // the active section: "tenants", "new", …
	User      *User  // nil when nobody is signed in
	// Scripts are the page's own scripts under static/ (e.g.
	// "js/callback.js"), loaded after app.js.
	Scripts []string
}

// User is the signed-in person as the navigation shows them.
type User struct {
	Email          string
	RoleLabel      string
	CanOnboard     bool
	CanManageStaff bool
	Tenants        []tenant.Membership // for the tenant switcher
	CurrentTenant  string
	CanAudit       bool // staff: the global audit log
}

// htmxConfig keeps htmx within the Content-Security-Policy (no inline styles,
// no eval), lets 422 answers (forms with errors) swap in, and asks the server
// for a full page on back/forward instead of restoring a stale DOM snapshot.
var htmxConfig = func() string {
	b, _ := json.Marshal(map[string]any{
		"includeIndicatorStyles": false,
		"allowEval":              false,
		"allowScriptTags":        false,
		"historyCacheSize":       0,
		"selfRequestsOnly":       true,
		"responseHandling": []map[string]any{
			{"code": "204", "swap": false},
			{"code": "[23]..", "swap": true},
			{"code": "422", "swap": true},
			{"code": "409", "swap": true},
			{"code": "[45]..", "swap": false, "error": true},
		},
	})
	return string(b)
}()

func csrfHeaders(token string) string {
	if token == "" {
		return ""
	}
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": token})
	return string(b)
}
