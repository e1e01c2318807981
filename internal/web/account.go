package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
	accountviews "github.com/tenant-console/console/views/account"
)

const sessAccountNotice = "account_notice"

// account is GET /account: "Your account" for every signed-in person.
func (s *server) account(c echo.Context) error {
	notice := s.Sessions.PopString(c.Request().Context(), sessAccountNotice)
	return s.accountPage(c, http.StatusOK, accountviews.Props{Notice: notice})
}

func (s *server) accountPage(c echo.Context, status int, props accountviews.Props) error {
	ctx := c.Request().Context()
	p, _ := principalOf(c)
	access, err := s.Access.LoadAccess(ctx, p.UserID)
	if err != nil {
		return err
	}
	props.Chrome = s.chrome(c, "Your account", "account")
	props.Email = p.Email
	props.StaffRole = string(p.Staff)
	props.Memberships = access.Memberships
	props.HasSecondFactor = s.Sessions.GetString(ctx, sessTOTPFactor) != ""
	props.Rules = tenant.PasswordRules
	if props.Errors == nil {
		props.Errors = map[string]string{}
	}
	return render(c, status, accountviews.Page(props))
}

// accountPassword is POST /account/password: the current password, then
// the new one twice (the console's rules, then GoTrue's).
func (s *server) accountPassword(c echo.Context) error {
	ctx := c.Request().Context()
	p, _ := principalOf(c)
	current, next, again := c.FormValue("current_password"), c.FormValue("password"), c.FormValue("password_confirm")
	errs := map[string]string{}
	if current == "" {
		errs["current_password"] = "Enter your current password."
	}
	switch {
	case next == "":
		errs["password"] = "Choose a new password."
	default:
		if msg := tenant.CheckPassword(next, p.Email); msg != "" {
			errs["password"] = msg
		}
	}
	if next != "" && again != next {
		errs["password_confirm"] = "The two passwords differ: type the same one twice."
	}
	if len(errs) > 0 {
		return s.accountPage(c, http.StatusUnprocessableEntity, accountviews.Props{Errors: errs})
	}
	err := s.Auth.ChangePassword(ctx, s.actor(c), s.goTrueSession(ctx), current, next, c.RealIP())
	if err != nil {
		return s.accountRefused(c, err)
	}
	// GoTrue ended the account's other sessions: their console sessions
	// end at their next request here.
	s.signouts.mark(p.UserID, s.now())
	s.Sessions.Put(ctx, sessAccountNotice, "Your password is changed. You stay signed in here; your other sessions have ended.")
	return c.Redirect(http.StatusSeeOther, "/account")
}

// accountSignOutEverywhere is POST /account/sign-out-everywhere: GoTrue
// ends every session of the person; this one ends now, the others at their
// next request.
func (s *server) accountSignOutEverywhere(c echo.Context) error {
	ctx := c.Request().Context()
	p, _ := principalOf(c)
	if err := s.Auth.SignOutEverywhere(ctx, s.actor(c), s.goTrueSession(ctx)); err != nil {
		return s.accountRefused(c, err)
	}
	s.signouts.mark(p.UserID, s.now())
	if err := s.Sessions.Destroy(ctx); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "signed out everywhere", slog.String("user_id", p.UserID))
	s.Sessions.Put(ctx, sessFlash, "You have signed out on every device.")
	return c.Redirect(http.StatusSeeOther, "/login")
}

// accountRefused answers a refused account change on the page, or at the
// sign-in page when GoTrue ended the session meanwhile.
func (s *server) accountRefused(c echo.Context, err error) error {
	ctx := c.Request().Context()
	var gone *auth.SessionEndedError
	var ae *apperr.Error
	switch {
	case errors.As(err, &gone):
		if err := s.Sessions.Destroy(ctx); err != nil {
			return err
		}
		s.Sessions.Put(ctx, sessFlash, gone.Message)
		return c.Redirect(http.StatusSeeOther, "/login")
	case errors.As(err, &ae) && ae.Field != "":
		return s.accountPage(c, http.StatusUnprocessableEntity, accountviews.Props{Errors: map[string]string{ae.Field: ae.Message}})
	case errors.As(err, &ae) && ae.Message != "":
		return s.accountPage(c, errStatus(err), accountviews.Props{Problem: ae.Message})
	}
	return err
}
