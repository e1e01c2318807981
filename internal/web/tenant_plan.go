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
// quotas from the tenant page (see saveEdit). Refused values come back on
// the tenant page beside their fields.
func (s *server) tenantPlan(c echo.Context) error {
	return saveEdit(s, c, editForm[tenant.PlanInput]{
		what:   "Plan and quotas",
		decode: planInputFromForm,
		save:   s.Tenants.ChangePlan,
		action: tenantviews.PlanURL,
		done:   planCard,
		refused: func(c echo.Context, id string, in tenant.PlanInput, errs *apperr.ValidationError) error {
			d, err := s.Tenants.Get(c.Request().Context(), s.actor(c), id)
			if err != nil {
				return err
			}
			return render(c, http.StatusUnprocessableEntity, tenantviews.ShowPage(s.showProps(c, d, &in, errs)))
		},
	})
}

// planInputFromForm reads a submitted plan form. With defaults set (the
// "use the plan's defaults" button) the quotas are the chosen plan's.
func planInputFromForm(v url.Values) tenant.PlanInput {
	in := tenant.PlanInput{
		Plan: v.Get("plan"), MaxUsers: v.Get("max_users"), MaxMonthlyQuotes: v.Get("max_monthly_quotes"),
		MaxStorageGB: v.Get("max_storage_gb"), FormState: formStateOf(v, tenant.PlanFields),
	}
	if v.Get("defaults") != "" {
		in = in.WithPlanDefaults()
	}
	return in
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
