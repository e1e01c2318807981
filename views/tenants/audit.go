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
	Page       tenant.AuditPage
	Base       string         // /audit or /tenants/{id}/audit
	Location   *time.Location // the viewer's time zone for "when"
	TenantID   string         // set on a tenant's own log
	TenantName string
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

func localTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 Jan 2006 15:04:05 MST")
}

func utcTitle(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func auditActor(ev tenant.AuditEvent) string { return actorLabel(ev) }

func zoneName(loc *time.Location) string {
	if loc == nil {
		return "UTC"
	}
	return loc.String()
}
