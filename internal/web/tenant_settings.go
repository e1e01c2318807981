package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
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
		Nav:   s.tenantNav(c, page.Tenant, tenantviews.SectionSettings),
		Input: tenant.SettingsInputOf(page.Settings), CanEdit: page.CanEdit,
		Notice: s.Sessions.PopString(ctx, sessTenantNotice),
	}))
}

// tenantSettingsSave is POST /tenants/:id/settings (see saveEdit).
func (s *server) tenantSettingsSave(c echo.Context) error {
	return saveEdit(s, c, editForm[tenant.SettingsInput]{
		what:   "Settings",
		decode: settingsInputFromForm,
		save:   s.Tenants.EditSettings,
		action: tenantviews.SettingsURL,
		done:   tenantviews.SettingsURL,
		refused: func(c echo.Context, id string, in tenant.SettingsInput, errs *apperr.ValidationError) error {
			page, err := s.Tenants.GetSettings(c.Request().Context(), s.actor(c), id)
			if err != nil {
				return err
			}
			return render(c, http.StatusUnprocessableEntity, tenantviews.SettingsPage(tenantviews.SettingsProps{
				Chrome: s.chrome(c, "Settings · "+page.Tenant.Name, "tenants"), Tenant: page.Tenant,
				Nav:   s.tenantNav(c, page.Tenant, tenantviews.SectionSettings),
				Input: in, Errors: errs, CanEdit: page.CanEdit,
			}))
		},
	})
}

// settingsInputFromForm reads a submitted settings form.
func settingsInputFromForm(v url.Values) tenant.SettingsInput {
	return tenant.SettingsInput{
		CompanyName: v.Get("company_name"), SupportEmail: v.Get("support_email"),
		SupportPhone: v.Get("support_phone"), Website: v.Get("website"), Currency: v.Get("currency"),
		Timezone: v.Get("timezone"), EmailFromName: v.Get("email_from_name"),
		EmailFromEmail: v.Get("email_from_email"), FormState: formStateOf(v, tenant.SettingsFields),
	}
}
