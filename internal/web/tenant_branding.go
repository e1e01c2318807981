package web

import (
	"net/http"
	"net/url"

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
		Nav:     s.tenantNav(c, page.Tenant, tenantviews.SectionBranding),
		Preview: tenant.PreviewOf(page.CompanyName, in, page.Branding), Errors: errs,
		CanEdit: page.CanEdit, Notice: notice,
	})
}

// tenantBrandingSave is POST /tenants/:id/branding (see saveEdit). The
// "use the theme's colours" button fills the chosen theme's colours in
// without saving, for browsers without JavaScript.
func (s *server) tenantBrandingSave(c echo.Context) error {
	if c.FormValue("apply_theme") != "" {
		return s.brandingApplyTheme(c)
	}
	return saveEdit(s, c, editForm[tenant.BrandingInput]{
		what:   "Branding",
		decode: brandingInputFromForm,
		save:   s.Tenants.EditBranding,
		action: tenantviews.BrandingURL,
		done:   tenantviews.BrandingURL,
		refused: func(c echo.Context, id string, in tenant.BrandingInput, errs *apperr.ValidationError) error {
			page, err := s.Tenants.GetBranding(c.Request().Context(), s.actor(c), id)
			if err != nil {
				return err
			}
			return render(c, http.StatusUnprocessableEntity, s.brandingPage(c, page, in, errs, ""))
		},
	})
}

// brandingApplyTheme is the form again with the chosen theme's colours.
func (s *server) brandingApplyTheme(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest).SetInternal(err)
	}
	page, err := s.Tenants.GetBranding(c.Request().Context(), s.actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	if !page.CanEdit {
		return apperr.ErrForbidden
	}
	in := brandingInputFromForm(form)
	return render(c, http.StatusOK, s.brandingPage(c, page, in.WithTheme(in.PresetTheme), nil,
		"The theme's colours are filled in; save to keep them."))
}

// brandingInputFromForm reads a submitted branding form, or the query of a
// preview.
func brandingInputFromForm(v url.Values) tenant.BrandingInput {
	return tenant.BrandingInput{
		PresetTheme: v.Get("preset_theme"), ColorPrimary: v.Get("color_primary"),
		ColorSecondary: v.Get("color_secondary"), ColorAccent: v.Get("color_accent"),
		LogoURL: v.Get("logo_url"), FormState: formStateOf(v, tenant.BrandingFields),
	}
}

// tenantBrandingPreview is GET /tenants/:id/branding/preview: the preview
// of the form as typed, for htmx to swap in while the person types. It
// writes nothing; a value its rule refuses is left out of the drawing.
func (s *server) tenantBrandingPreview(c echo.Context) error {
	page, err := s.Tenants.GetBranding(c.Request().Context(), s.actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	in := brandingInputFromForm(c.QueryParams())
	preview := tenant.PreviewOf(page.CompanyName, in, page.Branding)
	parts := []templ.Component{tenantviews.BrandingPreview(preview, false)}
	// What is wrong with a value goes beside its field, not in the preview.
	for _, key := range []string{"color_primary", "color_secondary", "color_accent", "logo_url"} {
		parts = append(parts, tenantviews.LiveProblem(key, preview.FieldProblems[key], true))
	}
	return render(c, http.StatusOK, templ.Join(parts...))
}

// tenantBrandingTheme is GET /tenants/:id/branding/theme: the colour fields
// filled with the chosen theme's colours, and the preview redrawn with them
// (out of band).
func (s *server) tenantBrandingTheme(c echo.Context) error {
	page, err := s.Tenants.GetBranding(c.Request().Context(), s.actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	in := brandingInputFromForm(c.QueryParams())
	in = in.WithTheme(in.PresetTheme)
	return render(c, http.StatusOK, templ.Join(
		tenantviews.BrandingColorFields(in, nil),
		tenantviews.BrandingPreview(tenant.PreviewOf(page.CompanyName, in, page.Branding), true),
	))
}
