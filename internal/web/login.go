package web

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth"
	authviews "github.com/tenant-console/console/views/auth"
)

// loginForm is GET /login.
func (s *server) loginForm(c echo.Context) error {
	next := localPath(c.QueryParam("next"))
	if p, ok := principalOf(c); ok {
		if next == "" {
			next = landing(p)
		}
		return c.Redirect(http.StatusSeeOther, next)
	}
	notice := s.Sessions.PopString(c.Request().Context(), sessFlash)
	props := authviews.LoginProps{Chrome: s.chrome(c, "Sign in", ""), Next: next}
	// A flash is either a goodbye or the reason a session was ended.
	if notice == auth.MsgSuspended || notice == auth.MsgNoAccess || notice == auth.MsgBanned || notice == auth.MsgSessionEnded {
		props.Error = notice
	} else {
		props.Notice = notice
	}
	return render(c, http.StatusOK, authviews.LoginPage(props))
}

// login is POST /login: email + password through GoTrue, then a fresh
// session (the token is renewed, so a planted session id is worthless).
func (s *server) login(c echo.Context) error {
	ctx := c.Request().Context()
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	next := localPath(c.FormValue("next"))
	props := authviews.LoginProps{Chrome: s.chrome(c, "Sign in", ""), Email: email, Next: next, Missing: map[string]string{}}
	if email == "" {
		props.Missing["email"] = "Enter your e-mail address."
	}
	if password == "" {
		props.Missing["password"] = "Enter your password."
	}
	if len(props.Missing) > 0 {
		return render(c, http.StatusUnprocessableEntity, authviews.LoginPage(props))
	}

	p, gt, err := s.Auth.SignInSession(ctx, email, password, c.RealIP())
	if err != nil {
		props.Error = apperr.MessageOf(err)
		status := errStatus(err)
		if props.Error == "" || status == http.StatusInternalServerError {
			s.log.ErrorContext(ctx, "sign-in failed", slog.Any("error", err))
			props.Error, status = auth.MsgUnavailable, http.StatusServiceUnavailable
		}
		s.log.InfoContext(ctx, "sign-in refused", slog.Int("status", status), slog.String("reason", props.Error))
		return render(c, status, authviews.LoginPage(props))
	}

	if err := s.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.Sessions.Put(ctx, sessUserID, p.UserID)
	s.Sessions.Put(ctx, sessEmail, p.Email)
	s.putGoTrueSession(ctx, gt)
	s.log.InfoContext(ctx, "signed in", slog.String("user_id", p.UserID), slog.String("staff", string(p.Staff)),
		slog.Int("tenants", len(p.Memberships)))
	return c.Redirect(http.StatusSeeOther, s.afterSignIn(ctx, p, next))
}

// logout is POST /logout: the session is destroyed here and, as a courtesy,
// at GoTrue too.
func (s *server) logout(c echo.Context) error {
	ctx := c.Request().Context()
	token := s.Sessions.GetString(ctx, sessGoTrueToken)
	if err := s.Sessions.Destroy(ctx); err != nil {
		return err
	}
	if token != "" {
		if err := s.Auth.GoTrue.SignOut(ctx, token); err != nil {
			// The console session is gone either way; GoTrue's expires by itself.
			s.log.WarnContext(ctx, "GoTrue sign-out failed", slog.Any("error", err))
		}
	}
	s.Sessions.Put(ctx, sessFlash, "You have signed out.")
	return c.Redirect(http.StatusSeeOther, "/login")
}
