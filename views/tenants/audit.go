package tenants

import (
	"net/url"
	"time"

	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/views/layout"
)

// AuditProps is what an audit log page shows.
type AuditProps struct {
	Chrome     layout.Chrome
	Nav        TenantNav // on a tenant's own log
	Page       tenant.AuditPage
	Base       string         // /audit or /tenants/{id}/audit
	Location   *time.Location // the viewer's time zone for "when"
	TenantID   string         // set on a tenant's own log
	TenantName string
	Now        time.Time // what "3 hours ago" counts from
}

// AuditURL is the shareable URL of an audit log state at cursor after ("":
// the newest page).
func AuditURL(base string, q tenant.AuditQuery, after string) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("actor", q.Actor)
	set("action", q.Action)
	if base == "/audit" {
		set("tenant", q.TenantID)
	}
	set("from", q.From)
	set("to", q.To)
	set("after", after)
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

func auditCSVURL(base string, q tenant.AuditQuery) string {
	u := AuditURL(base, q, "")
	if i := len(base); len(u) >= i {
		return base + ".csv" + u[i:]
	}
	return base + ".csv"
}

func zoneName(loc *time.Location) string {
	if loc == nil {
		return "UTC"
	}
	return loc.String()
}
