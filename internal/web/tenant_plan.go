package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// tenantPlan is POST /tenants/:id/plan: a platform admin sets the plan and
// quotas from the tenant page. Refused values come back on the tenant page
// beside their fields (422); a stale form gets the side-by-side page (409).
func (s *server) tenantPlan(c echo.Context) error {
	ctx := c.Request().Context()
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest).SetInternal(err)
	}
	actor, id := s.actor(c), c.Param("id")
	in := tenant.PlanInputFromForm(form)
	res, err := s.Tenants.ChangePlan(ctx, actor, id, in)
	if err == nil {
		s.Sessions.Put(ctx, sessTenantNotice, savedNotice("Plan and quotas", res))
		return c.Redirect(http.StatusSeeOther, planCard(id))
	}
	if stale, ok := tenant.AsStale(err); ok {
		return s.conflictPage(c, id, "plan and quotas", tenantviews.PlanURL(id), planCard(id), stale)
	}
	verr, ok := apperr.AsValidation(err)
	if !ok {
		return err
	}
	d, err := s.Tenants.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusUnprocessableEntity, tenantviews.ShowPage(tenantviews.ShowProps{
		Chrome: s.chrome(c, d.Tenant.Name, "tenants"), Detail: d, IsStaff: actor.IsStaff(),
		Edit:   s.showEdit(actor, d.Tenant, &in, verr),
		Offers: actor.Offers(d.Tenant.Status), CanSeeAudit: actor.MaySeeAudit(d.Tenant.ID),
	}))
}

// planCard is the plan form's place on the tenant page.
func planCard(id string) string { return "/tenants/" + url.PathEscape(id) + "#plan-card" }

// showEdit is what the tenant page offers to edit: links to the settings
// and branding pages, and the plan form for platform admins (with what was
// typed and its errors after a refused save).
func (s *server) showEdit(actor tenant.Actor, t tenant.Tenant, typed *tenant.PlanInput, errs *apperr.ValidationError) tenantviews.ShowEdit {
	e := tenantviews.ShowEdit{
		CanEdit:     actor.CanEdit(t.ID),
		CanRead:     actor.CanReadEdits(t.ID),
		CanEditPlan: actor.IsPlatformAdmin(),
		PlanErrors:  errs,
	}
	if e.CanEditPlan {
		e.Plan = tenant.PlanInputOf(t)
		if typed != nil {
			e.Plan = *typed
		}
	}
	return e
}
