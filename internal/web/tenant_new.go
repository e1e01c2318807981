package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// tenantNew is GET /tenants/new: the blank onboarding form, with a fresh
// idempotency key.
func (s *server) tenantNew(c echo.Context) error {
	return render(c, http.StatusOK, tenantviews.NewPage(tenantviews.NewProps{
		Chrome: s.chrome(c, "Onboard a tenant", "new"),
		Input:  tenant.NewOnboardInput(),
	}))
}

// tenantNewTheme is GET /tenants/new/theme: the colour fields filled with a
// preset theme's colours, for htmx to swap in when the theme changes.
func (s *server) tenantNewTheme(c echo.Context) error {
	in := tenant.NewOnboardInput().WithTheme(c.QueryParam("preset_theme"))
	return render(c, http.StatusOK, tenantviews.BrandingColors(in, nil))
}

// tenantCreate is POST /tenants: onboard, then show the result by redirect
// (post/redirect/get), so a reload does not resubmit. Anything wrong comes
// back as the same form with what was typed and the message beside it.
func (s *server) tenantCreate(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest).SetInternal(err)
	}
	in := tenant.OnboardInputFromForm(form)
	res, err := s.Onboarding.Onboard(c.Request().Context(), s.actor(c), in)
	if err == nil {
		to := "/tenants/onboarded/" + url.PathEscape(in.IdempotencyKey)
		if res.Replay {
			to += "?again=1" // the page says nothing new was created
		}
		return c.Redirect(http.StatusSeeOther, to)
	}
	props := tenantviews.NewProps{Chrome: s.chrome(c, "Onboard a tenant", "new"), Input: in}
	if errors.Is(err, apperr.ErrForbidden) {
		return err
	}
	status := errStatus(err)
	if verr, ok := apperr.AsValidation(err); ok {
		props.Errors = verr
	} else {
		s.log.ErrorContext(c.Request().Context(), "onboarding failed",
			append(gotrue.LogAttrs(err), "error", err, "short_name", in.ShortName)...)
		props.Message = onboardErrorMessage(err)
	}
	if props.Input.IdempotencyKey == "" {
		props.Input.IdempotencyKey = tenant.NewIdempotencyKey()
	}
	return render(c, status, tenantviews.NewPage(props))
}

// msgAccountServiceError is onboarding's message when GoTrue answered with
// its own failure at the account step (not unreachable: it answered).
const msgAccountServiceError = "The sign-in service had an error while making the owner's account, so nothing " +
	"was created. Try again shortly; if it keeps happening, tell the platform team."

// onboardErrorMessage is the domain's message, told apart for GoTrue's own
// failures.
func onboardErrorMessage(err error) string {
	if errors.Is(err, apperr.ErrUpstream) {
		return msgAccountServiceError
	}
	return tenant.OnboardErrorMessage(err)
}

// tenantOnboarded is GET /tenants/onboarded/:key: what an onboarding made,
// found again by its idempotency key (a double submit lands here too).
func (s *server) tenantOnboarded(c echo.Context) error {
	res, err := s.Onboarding.Result(c.Request().Context(), s.actor(c), c.Param("key"))
	if err != nil {
		return err
	}
	res.Replay = c.QueryParam("again") == "1"
	return render(c, http.StatusOK, tenantviews.OnboardedPage(tenantviews.OnboardedProps{
		Chrome: s.chrome(c, "Tenant onboarded", "new"),
		Result: res,
	}))
}
