package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// Messages after a save of an edit form.
const (
	msgNoChanges = "No changes: the form matched what is saved, so nothing was written."
)

// tenantSettings is GET /tenants/:id/settings: the settings form filled with
// what is saved (read-only for support).
func (s *server) tenantSettings(c echo.Context) error {
	ctx := c.Request().Context()
	page, err := s.Tenants.GetSettings(ctx, s.actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, tenantviews.SettingsPage(tenantviews.SettingsProps{
		Chrome: s.chrome(c, "Settings · "+page.Tenant.Name, "tenants"), Tenant: page.Tenant,
		Input: tenant.SettingsInputOf(page.Settings), CanEdit: page.CanEdit,
		Notice: s.Sessions.PopString(ctx, sessTenantNotice),
	}))
}

// tenantSettingsSave is POST /tenants/:id/settings. A saved or unchanged
// form is redirected back to the page with what happened (post/redirect/get);
// a refused one comes back with the messages beside its fields (422); a stale
// one gets the page to choose between saved and typed values (409).
func (s *server) tenantSettingsSave(c echo.Context) error {
	ctx := c.Request().Context()
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest).SetInternal(err)
	}
	actor, id := s.actor(c), c.Param("id")
	in := tenant.SettingsInputFromForm(form)
	res, err := s.Tenants.EditSettings(ctx, actor, id, in)
	if err == nil {
		s.Sessions.Put(ctx, sessTenantNotice, savedNotice("Settings", res))
		return c.Redirect(http.StatusSeeOther, tenantviews.SettingsURL(id))
	}
	if stale, ok := tenant.AsStale(err); ok {
		return s.conflictPage(c, id, "settings", tenantviews.SettingsURL(id), tenantviews.SettingsURL(id), stale)
	}
	verr, ok := apperr.AsValidation(err)
	if !ok {
		return err
	}
	page, err := s.Tenants.GetSettings(ctx, actor, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusUnprocessableEntity, tenantviews.SettingsPage(tenantviews.SettingsProps{
		Chrome: s.chrome(c, "Settings · "+page.Tenant.Name, "tenants"), Tenant: page.Tenant,
		Input: in, Errors: verr, CanEdit: page.CanEdit,
	}))
}

// savedNotice says what a save did.
func savedNotice(what string, res tenant.EditResult) string {
	if len(res.Changed) == 0 {
		return msgNoChanges
	}
	labels := ""
	for i, k := range res.Changed {
		if i > 0 {
			labels += ", "
		}
		labels += tenantviews.EditLabel(k)
	}
	return what + " saved: " + labels + "."
}

// conflictPage answers a stale form (409) with the saved and typed values
// side by side; action re-submits the form, back leaves it.
func (s *server) conflictPage(c echo.Context, id, what, action, back string, stale *tenant.StaleError) error {
	d, err := s.Tenants.Get(c.Request().Context(), s.actor(c), id)
	if err != nil {
		return err
	}
	return render(c, http.StatusConflict, tenantviews.ConflictPage(tenantviews.ConflictProps{
		Chrome: s.chrome(c, "Changed meanwhile · "+d.Tenant.Name, "tenants"), Tenant: d.Tenant,
		What: what, Action: action, Back: back, Stale: stale,
	}))
}
