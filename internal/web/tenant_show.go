package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	tenantviews "github.com/tenant-console/console/views/tenants"
)

// tenantShow is GET /tenants/:id, the read-only tenant page.
func (s *server) tenantShow(c echo.Context) error {
	actor := s.actor(c)
	d, err := s.Tenants.Get(c.Request().Context(), actor, c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, tenantviews.ShowPage(tenantviews.ShowProps{
		Chrome:      s.chrome(c, d.Tenant.Name, "tenants"),
		Detail:      d,
		Notice:      s.Sessions.PopString(c.Request().Context(), sessTenantNotice),
		IsStaff:     actor.IsStaff(),
		Edit:        s.showEdit(actor, d.Tenant, nil, nil),
		Offers:      actor.Offers(d.Tenant.Status),
		CanSeeAudit: actor.MaySeeAudit(d.Tenant.ID),
	}))
}
