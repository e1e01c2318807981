package web

import (
	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// tenantNav is the head of t's pages for the person asking, on section here.
func (s *server) tenantNav(c echo.Context, t tenant.Tenant, here string) tenantviews.TenantNav {
	actor := s.actor(c)
	n := tenantviews.TenantNav{Tenant: t, Here: here,
		CanReadEdits: actor.CanReadEdits(t.ID), CanSeeAudit: actor.MaySeeAudit(t.ID)}
	switch {
	case actor.IsStaff():
		n.Back, n.BackLabel = "/tenants", "Tenants"
	case len(actor.Memberships) > 1:
		n.Back, n.BackLabel = "/", "Your organizations"
	}
	return n
}
