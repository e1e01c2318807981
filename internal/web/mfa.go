package web

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/auth/gotrue"
	authviews "github.com/tenant-console/console/views/auth"
	"github.com/tenant-console/console/views/layout"
)

// The second factor (docs/design.md §13). The console session records the
// access token's assurance level and the person's verified TOTP factor;
// every route but the ones below sends a person whose second factor is due
// to the page that asks for it.
const (
	// sessGoTrueAAL is the access token's aal claim: gotrue.AAL1 or AAL2.
	sessGoTrueAAL = "gotrue_aal"
	// sessTOTPFactor is the id of the person's verified TOTP factor, ""
	// when they have none (as GoTrue last listed their factors).
	sessTOTPFactor = "totp_factor"
	// sessTOTPEnrolling is the factor the enrolment page showed.
	sessTOTPEnrolling = "totp_enrolling"
)

// The pages of the second factor.
const (
	pathCode  = "/auth/mfa"
	pathEnrol = "/auth/mfa/enrol"
)

// secondFactorStep is where a signed-in person must go before any other
// page, or "": the code page when they have a verified factor and the
// session is not aal2 yet; the enrolment page for staff without one (or
// whose factor an admin removed) when STAFF_MFA is required.
func (s *server) secondFactorStep(ctx context.Context, p auth.Principal) string {
	aal2 := s.Sessions.GetString(ctx, sessGoTrueAAL) == gotrue.AAL2
	factor := s.Sessions.GetString(ctx, sessTOTPFactor)
	switch {
	case factor != "" && !aal2:
		return pathCode
	case s.StaffMFA && p.Staff != "" && (factor == "" || !aal2):
		return pathEnrol
	}
	return ""
}

// toSecondFactor sends a person to their second-factor step, coming back
// afterwards.
func (s *server) toSecondFactor(c echo.Context, step string) error {
	req := c.Request()
	to := step
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		to += "?next=" + url.QueryEscape(req.URL.RequestURI())
	}
	if htmxOf(c).Request {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusUnauthorized)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// noteFactors records the person's verified TOTP factor from a user object
// GoTrue answered (sign-in, refresh, check, verify).
func (s *server) noteFactors(ctx context.Context, u gotrue.User) {
	if u.ID == "" {
		return
	}
	f, _ := gotrue.VerifiedTOTP(u.Factors)
	if s.Sessions.GetString(ctx, sessTOTPFactor) != f.ID {
		s.Sessions.Put(ctx, sessTOTPFactor, f.ID)
	}
}

// goTrueSession is the GoTrue session the console session holds.
func (s *server) goTrueSession(ctx context.Context) gotrue.Session {
	return gotrue.Session{
		AccessToken:  s.Sessions.GetString(ctx, sessGoTrueToken),
		RefreshToken: s.Sessions.GetString(ctx, sessGoTrueRefresh),
		ExpiresAt:    time.Unix(s.Sessions.GetInt64(ctx, sessGoTrueExpiry), 0),
		AAL:          s.Sessions.GetString(ctx, sessGoTrueAAL),
		User:         gotrue.User{ID: s.Sessions.GetString(ctx, sessUserID), Email: s.Sessions.GetString(ctx, sessEmail)},
	}
}

// afterSignIn is where a person goes once signed in with a password (or a
// code): their second-factor step if one is due, else next or their
// landing page.
func (s *server) afterSignIn(ctx context.Context, p auth.Principal, next string) string {
	if step := s.secondFactorStep(ctx, p); step != "" {
		if next != "" {
			step += "?next=" + url.QueryEscape(next)
		}
		return step
	}
	if next == "" {
		next = landing(p)
	}
	return next
}

// codeForm is GET /auth/mfa: the code of the person's authenticator app.
func (s *server) codeForm(c echo.Context) error {
	p, _ := principalOf(c)
	next := localPath(c.QueryParam("next"))
	if s.secondFactorStep(c.Request().Context(), p) != pathCode {
		return c.Redirect(http.StatusSeeOther, s.afterSignIn(c.Request().Context(), p, next))
	}
	return render(c, http.StatusOK, authviews.CodePage(authviews.CodeProps{
		Chrome: s.stepChrome(c, "Enter your code"), Next: next, Errors: map[string]string{},
	}))
}

// code is POST /auth/mfa: GoTrue checks the code; a right one raises the
// session to aal2 and the person goes on.
func (s *server) code(c echo.Context) error {
	ctx := c.Request().Context()
	p, _ := principalOf(c)
	next := localPath(c.FormValue("next"))
	factor := s.Sessions.GetString(ctx, sessTOTPFactor)
	if s.secondFactorStep(ctx, p) != pathCode || factor == "" {
		return c.Redirect(http.StatusSeeOther, s.afterSignIn(ctx, p, next))
	}
	props := authviews.CodeProps{Chrome: s.stepChrome(c, "Enter your code"), Next: next, Errors: map[string]string{}}
	raised, err := s.Auth.VerifyCode(ctx, s.goTrueSession(ctx), factor, c.FormValue("code"), c.RealIP())
	if err != nil {
		return s.codeRefused(c, err, codePageAgain(c, props))
	}
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.putGoTrueSession(ctx, raised)
	s.log.InfoContext(ctx, "second factor verified", slog.String("user_id", p.UserID))
	return c.Redirect(http.StatusSeeOther, s.afterSignIn(ctx, p, next))
}

// codePageAgain renders the code page again with a refusal beside its
// field, or above the form when it has none.
func codePageAgain(c echo.Context, props authviews.CodeProps) func(status int, field, problem string) error {
	return func(status int, field, problem string) error {
		if field != "" {
			props.Errors[field] = problem
		} else {
			props.Problem = problem
		}
		return render(c, status, authviews.CodePage(props))
	}
}

// codeRefused answers a refused code: beside the field (a wrong or
// malformed code), as the page's problem (limits, GoTrue unavailable, the
// step expired), or at the sign-in page when GoTrue ended the session.
func (s *server) codeRefused(c echo.Context, err error, page func(status int, field, problem string) error) error {
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
		return page(http.StatusUnprocessableEntity, ae.Field, ae.Message)
	case errors.As(err, &ae) && ae.Message != "":
		return page(errStatus(err), "", ae.Message)
	}
	return err
}

// enrolForm is GET /auth/mfa/enrol: GoTrue makes a TOTP secret; the page
// shows its QR code and the secret as text, once.
func (s *server) enrolForm(c echo.Context) error {
	ctx := c.Request().Context()
	p, _ := principalOf(c)
	next := localPath(c.QueryParam("next"))
	if s.Sessions.GetString(ctx, sessTOTPFactor) != "" {
		// A factor is set up already: its code, or on.
		return c.Redirect(http.StatusSeeOther, s.afterSignIn(ctx, p, next))
	}
	if c.Request().Method == http.MethodHead {
		// A HEAD must not start an enrolment.
		return c.NoContent(http.StatusOK)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	props := s.enrolProps(c, p, next)
	e, err := s.Auth.StartTOTP(ctx, s.goTrueSession(ctx))
	if err != nil {
		return s.codeRefused(c, err, func(status int, _, problem string) error {
			props.Problem = problem
			return render(c, status, authviews.EnrolPage(props))
		})
	}
	s.Sessions.Put(ctx, sessTOTPEnrolling, e.FactorID)
	props.QRCode, props.Secret = qrDataURI(e.QRCode), e.Secret
	return render(c, http.StatusOK, authviews.EnrolPage(props))
}

func (s *server) enrolProps(c echo.Context, p auth.Principal, next string) authviews.EnrolProps {
	props := authviews.EnrolProps{
		Chrome: s.chrome(c, "Set up a second factor", "account"), Next: next, Errors: map[string]string{},
		Required: s.StaffMFA && p.Staff != "",
	}
	if props.Required {
		props.Chrome = s.stepChrome(c, "Set up a second factor")
	}
	return props
}

// stepChrome is the shell of a page a person must pass before any other:
// no navigation, which would only lead back to it.
func (s *server) stepChrome(c echo.Context, title string) layout.Chrome {
	ch := s.chrome(c, title, "")
	ch.User = nil
	return ch
}

// enrol is POST /auth/mfa/enrol: the first code from the app verifies the
// factor and raises the session to aal2.
func (s *server) enrol(c echo.Context) error {
	ctx := c.Request().Context()
	p, _ := principalOf(c)
	next := localPath(c.FormValue("next"))
	factor := s.Sessions.GetString(ctx, sessTOTPEnrolling)
	if factor == "" || s.Sessions.GetString(ctx, sessTOTPFactor) != "" {
		return c.Redirect(http.StatusSeeOther, pathEnrol)
	}
	props := s.enrolProps(c, p, next)
	props.Retry = true
	raised, err := s.Auth.ConfirmTOTP(ctx, s.actor(c), s.goTrueSession(ctx), factor, c.FormValue("code"), c.RealIP())
	if err != nil {
		return s.codeRefused(c, err, func(status int, field, problem string) error {
			if field != "" {
				props.Errors[field] = problem
			} else {
				props.Problem = problem
			}
			return render(c, status, authviews.EnrolPage(props))
		})
	}
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.Sessions.Remove(ctx, sessTOTPEnrolling)
	s.putGoTrueSession(ctx, raised)
	s.Sessions.Put(ctx, sessAccountNotice, "Your second factor is set up: every sign-in now asks for a code from your app.")
	if next == "" && p.Staff == "" {
		next = "/account"
	}
	return c.Redirect(http.StatusSeeOther, s.afterSignIn(ctx, p, next))
}

// qrDataURI makes the QR code GoTrue sent into an image address: GoTrue
// sends an SVG document (older servers a data: URI with the SVG as text
// after the comma). Base64 keeps every character of it inside the address.
func qrDataURI(qr string) string {
	if strings.HasPrefix(qr, "data:") {
		if _, svg, ok := strings.Cut(qr, ","); ok {
			qr = svg
		}
	}
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(qr))
}

// signouts remembers, in this process, when each person signed out
// everywhere or changed their password: their other sessions' GoTrue
// sessions have ended, so the next request of any of their sessions asks
// GoTrue instead of resting on its last word. Other console processes
// notice within AUTH_RECHECK_INTERVAL (their next write at once).
type signouts struct {
	mu sync.Mutex
	at map[string]time.Time
}

// maxSignouts bounds the memory; past it the oldest marks go (their
// sessions still end within the recheck interval).
const maxSignouts = 10_000

func (m *signouts) mark(userID string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.at == nil || len(m.at) >= maxSignouts {
		m.at = map[string]time.Time{}
	}
	m.at[userID] = at
}

// since reports whether userID signed out at a time the session was not
// vouched for since (stale reports that of a time).
func (m *signouts) since(userID string, stale func(time.Time) bool) bool {
	m.mu.Lock()
	at, ok := m.at[userID]
	m.mu.Unlock()
	return ok && stale(at)
}
