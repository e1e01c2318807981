package web

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// tenantBranding is GET /tenants/:id/branding: the branding form with the
// preview of what is saved (read-only for support).
func (s *server) tenantBranding(c echo.Context) error {
	ctx := c.Request().Context()
	page, err := s.Tenants.GetBranding(ctx, s.actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	in := tenant.BrandingInputOf(page.Branding)
	return render(c, http.StatusOK, s.brandingPage(c, page, in, nil, s.Sessions.PopString(ctx, sessTenantNotice)))
}

func (s *server) brandingPage(c echo.Context, page tenant.BrandingPage, in tenant.BrandingInput, errs *apperr.ValidationError, notice string) templ.Component {
	return tenantviews.BrandingPage(tenantviews.BrandingProps{
		Chrome: s.chrome(c, "Branding · "+page.Tenant.Name, "tenants"), Tenant: page.Tenant, Input: in,
		Preview: tenant.PreviewOf(page.CompanyName, in, page.Branding), Errors: errs,
		CanEdit: page.CanEdit, Notice: notice,
	})
}

// tenantBrandingSave is POST /tenants/:id/branding (see tenantSettingsSave).
// The "use the theme's colours" button fills the chosen theme's colours in
// without saving, for browsers without JavaScript.
func (s *server) tenantBrandingSave(c echo.Context) error {
	ctx := c.Request().Context()
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest).SetInternal(err)
	}
	actor, id := s.actor(c), c.Param("id")
	in := tenant.BrandingInputFromForm(form)
	if form.Get("apply_theme") != "" {
		page, err := s.Tenants.GetBranding(ctx, actor, id)
		if err != nil {
			return err
		}
		if !page.CanEdit {
			return apperr.ErrForbidden
		}
		return render(c, http.StatusOK, s.brandingPage(c, page, in.WithTheme(in.PresetTheme), nil,
			"The theme's colours are filled in; save to keep them."))
	}
	res, err := s.Tenants.EditBranding(ctx, actor, id, in)
	if err == nil {
		s.Sessions.Put(ctx, sessTenantNotice, savedNotice("Branding", res))
		return c.Redirect(http.StatusSeeOther, tenantviews.BrandingURL(id))
	}
	if stale, ok := tenant.AsStale(err); ok {
		return s.conflictPage(c, id, "branding", tenantviews.BrandingURL(id), tenantviews.BrandingURL(id), stale)
	}
	verr, ok := apperr.AsValidation(err)
	if !ok {
		return err
	}
	page, err := s.Tenants.GetBranding(ctx, actor, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusUnprocessableEntity, s.brandingPage(c, page, in, verr, ""))
}

// tenantBrandingPreview is GET /tenants/:id/branding/preview: the preview
// of the form as typed, for htmx to swap in while the person types. It
// writes nothing; a value its rule refuses is left out of the drawing.
func (s *server) tenantBrandingPreview(c echo.Context) error {
	page, err := s.Tenants.GetBranding(c.Request().Context(), s.actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	in := tenant.BrandingInputFromForm(c.QueryParams())
	return render(c, http.StatusOK, tenantviews.BrandingPreview(tenant.PreviewOf(page.CompanyName, in, page.Branding), false))
}

// tenantBrandingTheme is GET /tenants/:id/branding/theme: the colour fields
// filled with the chosen theme's colours, and the preview redrawn with them
// (out of band).
func (s *server) tenantBrandingTheme(c echo.Context) error {
	page, err := s.Tenants.GetBranding(c.Request().Context(), s.actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	in := tenant.BrandingInputFromForm(c.QueryParams())
	in = in.WithTheme(in.PresetTheme)
	return render(c, http.StatusOK, templ.Join(
		tenantviews.BrandingColorFields(in, nil),
		tenantviews.BrandingPreview(tenant.PreviewOf(page.CompanyName, in, page.Branding), true),
	))
}
