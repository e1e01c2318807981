package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// auditQueryFrom reads the audit log's filters from the URL, dates in loc.
func auditQueryFrom(c echo.Context, loc *time.Location) tenant.AuditQuery {
	return tenant.AuditQuery{
		Actor: c.QueryParam("actor"), Action: c.QueryParam("action"), TenantID: c.QueryParam("tenant"),
		From: c.QueryParam("from"), To: c.QueryParam("to"), After: c.QueryParam("after"),
	}.Normalize(loc)
}

// auditLog is GET /audit: every event, for staff, in UTC.
func (s *server) auditLog(c echo.Context) error {
	q := auditQueryFrom(c, time.UTC)
	page, err := s.Audit.Page(c.Request().Context(), s.actor(c), q, "")
	if err != nil {
		return err
	}
	return s.renderAudit(c, page, tenantviews.AuditProps{Base: "/audit", Location: time.UTC}, "Audit log")
}

// tenantAuditLog is GET /tenants/:id/audit: one tenant's events, shown in
// the tenant's time zone.
func (s *server) tenantAuditLog(c echo.Context) error {
	ctx := c.Request().Context()
	actor := s.actor(c)
	id := c.Param("id")
	d, err := s.Tenants.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	loc := tenantLocation(d)
	page, err := s.Audit.Page(ctx, actor, auditQueryFrom(c, loc), id)
	if err != nil {
		return err
	}
	return s.renderAudit(c, page, tenantviews.AuditProps{Base: "/tenants/" + id + "/audit", Location: loc,
		TenantID: id, TenantName: d.Tenant.Name, Nav: s.tenantNav(c, d.Tenant, tenantviews.SectionAudit)},
		"Audit log · "+d.Tenant.Name)
}

func tenantLocation(d tenant.Detail) *time.Location {
	if d.Settings != nil {
		if loc, err := time.LoadLocation(d.Settings.Timezone); err == nil {
			return loc
		}
	}
	return time.UTC
}

func (s *server) renderAudit(c echo.Context, page tenant.AuditPage, p tenantviews.AuditProps, title string) error {
	p.Chrome, p.Page, p.Now = s.chrome(c, title, "audit"), page, time.Now()
	if htmxOf(c).wantsFragment() {
		c.Response().Header().Set("HX-Push-Url", tenantviews.AuditURL(p.Base, page.Query, page.Query.After))
	}
	return renderPageOrFragment(c, http.StatusOK, tenantviews.AuditLogPage(p), tenantviews.AuditResults(p))
}

// auditExport is GET /audit.csv: the current filter, streamed.
func (s *server) auditExport(c echo.Context) error {
	return s.streamAudit(c, "", time.UTC, "audit.csv")
}

// tenantAuditExport is GET /tenants/:id/audit.csv.
func (s *server) tenantAuditExport(c echo.Context) error {
	d, err := s.Tenants.Get(c.Request().Context(), s.actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return s.streamAudit(c, d.Tenant.ID, tenantLocation(d), "audit-"+d.Tenant.ID+".csv")
}

var auditCSVHeader = []string{"id", "occurred_at_utc", "actor_email", "actor_role", "actor_id", "tenant_id",
	"action", "reason", "before", "after", "request_id", "client_address"}

func (s *server) streamAudit(c echo.Context, scope string, loc *time.Location, filename string) error {
	out := s.newCSV(c, filename, append([]string(nil), auditCSVHeader...))
	err := s.Audit.Each(c.Request().Context(), s.actor(c), auditQueryFrom(c, loc), scope, func(ev tenant.AuditEvent) error {
		return out.write([]string{
			strconv.FormatInt(ev.ID, 10), ev.OccurredAt.UTC().Format(time.RFC3339), ev.ActorEmail, ev.ActorRole,
			ev.ActorID, ev.TenantID, ev.Action, ev.Reason(), auditJSON(ev.Before), auditJSON(ev.After),
			ev.RequestID, ev.RemoteAddr,
		})
	})
	return out.finish(err)
}

// auditJSON is a before/after map for the CSV, credentials masked.
func auditJSON(m map[string]any) string {
	if len(m) == 0 {
		return ""
	}
	m = tenant.MaskedAudit(m)
	delete(m, tenant.AuditReasonKey)
	b, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	return string(b)
}

var tenantCSVHeader = []string{"id", "name", "short_name", "status", "plan", "support_email",
	"created_at_utc", "deleted_at_utc", "purge_date_utc", "source"}

// tenantExport is GET /tenants/export.csv: every tenant of the list's
// current filter (all pages), streamed.
func (s *server) tenantExport(c echo.Context) error {
	out := s.newCSV(c, "tenants.csv", append([]string(nil), tenantCSVHeader...))
	err := s.Tenants.EachListed(c.Request().Context(), s.actor(c), listQueryFrom(c), func(it tenant.ListItem) error {
		deleted, purge := "", ""
		if it.DeletedAt != nil {
			deleted, purge = it.DeletedAt.UTC().Format(time.RFC3339), it.PurgeDate().UTC().Format(time.RFC3339)
		}
		return out.write([]string{it.ID, it.Name, it.ShortName, string(it.Status), string(it.Plan), it.SupportEmail,
			it.CreatedAt.UTC().Format(time.RFC3339), deleted, purge, string(it.Source)})
	})
	return out.finish(err)
}
