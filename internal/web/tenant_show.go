package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"

	tenantviews "github.com/tenant-console/console/views/tenants"
)

// tenantShow is GET /tenants/:id, the read-only tenant page.
func (s *server) tenantShow(c echo.Context) error {
	actor := s.actor(c)
	d, err := s.Tenants.Get(c.Request().Context(), actor, c.Param("id"))
	if err != nil {
		return err
	}
	p := s.showProps(c, d, nil, nil)
	p.Notice = s.Sessions.PopString(c.Request().Context(), sessTenantNotice)
	return render(c, http.StatusOK, tenantviews.ShowPage(p))
}

// showProps is the tenant page of d for the person asking, with the plan
// form as typed and its errors after a refused save.
func (s *server) showProps(c echo.Context, d tenant.Detail, typed *tenant.PlanInput, errs *apperr.ValidationError) tenantviews.ShowProps {
	actor := s.actor(c)
	return tenantviews.ShowProps{
		Chrome:      s.chrome(c, d.Tenant.Name, "tenants"),
		Nav:         s.tenantNav(c, d.Tenant, tenantviews.SectionOverview),
		Detail:      d,
		IsStaff:     actor.IsStaff(),
		Edit:        s.showEdit(actor, d.Tenant, typed, errs),
		Offers:      actor.Offers(d.Tenant.Status),
		CanSeeAudit: actor.MaySeeAudit(d.Tenant.ID),
		Location:    tenantLocation(d),
		Now:         time.Now(),
	}
}
