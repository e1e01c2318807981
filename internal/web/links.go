package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/tenant"
	authviews "github.com/tenant-console/console/views/auth"
)

// Session keys of a person an e-mail link signed in at GoTrue who has not
// chosen their password yet. They are not signed in to the console until
// then (identify only looks at sessUserID); GoTrue's tokens sit under the
// usual keys.
const (
	sessLinkUserID = "link_user_id"
	sessLinkEmail  = "link_email"
	sessLinkKind   = "link_kind" // gotrue.LinkInvite or gotrue.LinkRecovery
)

// linkCallback is GET /auth/callback, where GoTrue's /verify redirects with
// the session in the URL fragment; js/callback.js posts it.
func (s *server) linkCallback(c echo.Context) error {
	ch := s.chrome(c, "Finishing sign-in", "")
	ch.Scripts = []string{"js/callback.js"}
	// The console's Referrer-Policy (same-origin) never sends a fragment;
	// "no-referrer" would make the script's POST carry Origin: null, which
	// the same-origin check refuses.
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, http.StatusOK, authviews.CallbackPage(authviews.CallbackProps{Chrome: ch}))
}

// linkCallbackFinish is POST /auth/callback: the fragment's tokens, checked
// with GoTrue (GET /user) before anything is believed, or its error.
func (s *server) linkCallbackFinish(c echo.Context) error {
	ctx := c.Request().Context()
	if code := c.FormValue("error_code"); code != "" {
		s.log.InfoContext(ctx, "e-mail link refused by GoTrue", slog.String("error_code", code))
		msg, status := auth.MsgLinkInvalid, http.StatusBadRequest
		if code == "otp_expired" {
			msg, status = auth.MsgLinkExpired, http.StatusGone
		}
		return s.linkProblem(c, status, msg)
	}
	kind := c.FormValue("type")
	if !auth.LinkKindOK(kind) {
		return s.linkProblem(c, http.StatusBadRequest, auth.MsgLinkInvalid)
	}
	gt, err := s.Auth.LinkSession(ctx, c.FormValue("access_token"), c.FormValue("refresh_token"))
	if err != nil {
		return s.linkRefused(c, err)
	}
	return s.startLink(c, gt, kind)
}

// linkConfirm is GET /auth/confirm?token_hash=…&type=…, the link of e-mail
// templates that lead to the console directly: the server verifies it
// with GoTrue, no script needed.
func (s *server) linkConfirm(c echo.Context) error {
	kind, hash := c.QueryParam("type"), c.QueryParam("token_hash")
	if !auth.LinkKindOK(kind) || hash == "" {
		return s.linkProblem(c, http.StatusBadRequest, auth.MsgLinkInvalid)
	}
	if c.Request().Method == http.MethodHead {
		// A link checker's HEAD must not use the link up.
		return c.NoContent(http.StatusOK)
	}
	gt, err := s.Auth.VerifyLink(c.Request().Context(), kind, hash)
	if err != nil {
		return s.linkRefused(c, err)
	}
	return s.startLink(c, gt, kind)
}

// startLink keeps the link's GoTrue session in a fresh console session
// (whoever was signed in in this browser is not any more) and asks for the
// password.
func (s *server) startLink(c echo.Context, gt gotrue.Session, kind string) error {
	ctx := c.Request().Context()
	if err := s.Sessions.Destroy(ctx); err != nil {
		return err
	}
	s.Sessions.Put(ctx, sessLinkUserID, gt.User.ID)
	s.Sessions.Put(ctx, sessLinkEmail, gt.User.Email)
	s.Sessions.Put(ctx, sessLinkKind, kind)
	s.putGoTrueSession(ctx, gt)
	s.log.InfoContext(ctx, "e-mail link accepted", slog.String("user_id", gt.User.ID), slog.String("link", kind))
	return c.Redirect(http.StatusSeeOther, "/auth/password")
}

// linkRefused answers a link GoTrue did not accept: one sentence.
func (s *server) linkRefused(c echo.Context, err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Message == "" {
		return err
	}
	status := errStatus(err)
	switch ae.Code {
	case auth.CodeLinkExpired:
		status = http.StatusGone
	case auth.CodeLinkInvalid:
		status = http.StatusBadRequest
	}
	s.log.InfoContext(c.Request().Context(), "e-mail link refused", slog.Int("status", status), slog.Any("error", err))
	return s.linkProblem(c, status, ae.Message)
}

func (s *server) linkProblem(c echo.Context, status int, msg string) error {
	return render(c, status, authviews.LinkProblemPage(authviews.LinkProblemProps{
		Chrome: s.chrome(c, "This link did not work", ""), Message: msg,
	}))
}

// pendingLink is the GoTrue session a link started, from the console
// session; ok is false when there is none.
func (s *server) pendingLink(c echo.Context) (gt gotrue.Session, kind string, ok bool) {
	ctx := c.Request().Context()
	userID := s.Sessions.GetString(ctx, sessLinkUserID)
	if userID == "" {
		return gotrue.Session{}, "", false
	}
	gt = gotrue.Session{
		AccessToken:  s.Sessions.GetString(ctx, sessGoTrueToken),
		RefreshToken: s.Sessions.GetString(ctx, sessGoTrueRefresh),
		ExpiresAt:    time.Unix(s.Sessions.GetInt64(ctx, sessGoTrueExpiry), 0),
		AAL:          s.Sessions.GetString(ctx, sessGoTrueAAL),
		User:         gotrue.User{ID: userID, Email: s.Sessions.GetString(ctx, sessLinkEmail)},
	}
	return gt, s.Sessions.GetString(ctx, sessLinkKind), true
}

// linkCodeDue reports whether the person a link signed in has a verified
// second factor not yet answered in the link's session: GoTrue refuses a
// new password from it until a code raises it to aal2 (docs/design.md §13).
func (s *server) linkCodeDue(ctx context.Context) bool {
	return s.Sessions.GetString(ctx, sessTOTPFactor) != "" && s.Sessions.GetString(ctx, sessGoTrueAAL) != gotrue.AAL2
}

func (s *server) linkCodeProps(c echo.Context) authviews.CodeProps {
	return authviews.CodeProps{Chrome: s.chrome(c, "Enter your code", ""), BeforePassword: true, Errors: map[string]string{}}
}

func (s *server) passwordProps(c echo.Context, gt gotrue.Session, kind string) authviews.PasswordProps {
	recovery := kind == gotrue.LinkRecovery
	title := "Choose your password"
	if recovery {
		title = "Choose a new password"
	}
	return authviews.PasswordProps{
		Chrome: s.chrome(c, title, ""), Recovery: recovery, Email: gt.User.Email,
		Rules: tenant.PasswordRules, Errors: map[string]string{},
	}
}

// passwordForm is GET /auth/password: "Choose your password" after an
// invitation, "Choose a new password" after a recovery link.
func (s *server) passwordForm(c echo.Context) error {
	gt, kind, ok := s.pendingLink(c)
	if !ok {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	if s.linkCodeDue(c.Request().Context()) {
		return render(c, http.StatusOK, authviews.CodePage(s.linkCodeProps(c)))
	}
	return render(c, http.StatusOK, authviews.PasswordPage(s.passwordProps(c, gt, kind)))
}

// linkCode is POST /auth/password/code: the code of the second factor of
// the person a link signed in. A right one raises the link's session to
// aal2, and the password form follows. Wrong codes count as at sign-in.
func (s *server) linkCode(c echo.Context) error {
	ctx := c.Request().Context()
	gt, _, ok := s.pendingLink(c)
	if !ok {
		s.Sessions.Put(ctx, sessFlash, auth.MsgSessionEnded)
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	if !s.linkCodeDue(ctx) {
		return c.Redirect(http.StatusSeeOther, "/auth/password")
	}
	fresh, err := s.Auth.FreshLinkSession(ctx, gt)
	if err != nil {
		if err := s.Sessions.Destroy(ctx); err != nil {
			return err
		}
		return s.linkRefused(c, err)
	}
	if fresh.AccessToken != gt.AccessToken {
		s.putGoTrueSession(ctx, fresh)
	}
	props := s.linkCodeProps(c)
	raised, err := s.Auth.VerifyCode(ctx, fresh, s.Sessions.GetString(ctx, sessTOTPFactor), c.FormValue("code"), c.RealIP())
	if err != nil {
		return s.codeRefused(c, err, codePageAgain(c, props))
	}
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.putGoTrueSession(ctx, raised)
	s.log.InfoContext(ctx, "second factor verified for an e-mail link", slog.String("user_id", gt.User.ID))
	return c.Redirect(http.StatusSeeOther, "/auth/password")
}

// linkFactorsAgain asks GoTrue for the link's account again when it wants
// a code the console did not know of (a factor verified after the link
// was followed): the code step follows if GoTrue lists the factor.
func (s *server) linkFactorsAgain(c echo.Context, gt gotrue.Session, refusal error) error {
	ctx := c.Request().Context()
	again, err := s.Auth.LinkSession(ctx, gt.AccessToken, gt.RefreshToken)
	if err != nil {
		if err := s.Sessions.Destroy(ctx); err != nil {
			return err
		}
		return s.linkRefused(c, err)
	}
	s.noteFactors(ctx, again.User)
	if !s.linkCodeDue(ctx) {
		s.log.ErrorContext(ctx, "GoTrue wants a second factor the account does not list", slog.String("user_id", gt.User.ID))
		return s.linkRefused(c, refusal)
	}
	return c.Redirect(http.StatusSeeOther, "/auth/password")
}

// passwordSave is POST /auth/password: the console's password rules, the
// same password twice, then GoTrue (PUT /user) and the console session.
func (s *server) passwordSave(c echo.Context) error {
	ctx := c.Request().Context()
	gt, kind, ok := s.pendingLink(c)
	if !ok {
		s.Sessions.Put(ctx, sessFlash, auth.MsgSessionEnded)
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	if s.linkCodeDue(ctx) {
		return c.Redirect(http.StatusSeeOther, "/auth/password")
	}
	props := s.passwordProps(c, gt, kind)
	password, again := c.FormValue("password"), c.FormValue("password_confirm")
	switch {
	case password == "":
		props.Errors["password"] = "Choose a password."
	default:
		if msg := tenant.CheckPassword(password, gt.User.Email); msg != "" {
			props.Errors["password"] = msg
		}
	}
	if password != "" && again != password {
		props.Errors["password_confirm"] = "The two passwords differ: type the same one twice."
	}
	if len(props.Errors) > 0 {
		return render(c, http.StatusUnprocessableEntity, authviews.PasswordPage(props))
	}

	who := auth.Requester{RequestID: c.Response().Header().Get(echo.HeaderXRequestID), RemoteAddr: c.RealIP()}
	p, fresh, err := s.Auth.SetPassword(ctx, gt, kind, password, who)
	var ae *apperr.Error
	switch {
	case err == nil:
	case errors.As(err, &ae) && ae.Field == "password":
		props.Errors["password"] = ae.Message
		return render(c, http.StatusUnprocessableEntity, authviews.PasswordPage(props))
	case errors.As(err, &ae) && ae.Code == auth.CodeLinkCodeDue:
		return s.linkFactorsAgain(c, gt, err)
	case errors.As(err, &ae) && (ae.Code == auth.CodeLinkExpired || ae.Code == auth.CodeLinkInvalid):
		if err := s.Sessions.Destroy(ctx); err != nil {
			return err
		}
		return s.linkRefused(c, err)
	case errors.As(err, &ae) && ae.Kind == apperr.Forbidden:
		// Password set, but no console for them: the sign-in page says why.
		s.log.InfoContext(ctx, "password set; not signed in", slog.String("user_id", gt.User.ID), slog.String("reason", ae.Message))
		if err := s.Sessions.Destroy(ctx); err != nil {
			return err
		}
		s.Sessions.Put(ctx, sessFlash, ae.Message)
		return c.Redirect(http.StatusSeeOther, "/login")
	case errors.As(err, &ae) && ae.Message != "":
		props.Problem = ae.Message
		return render(c, errStatus(err), authviews.PasswordPage(props))
	default:
		return err
	}

	if err := s.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	for _, k := range []string{sessLinkUserID, sessLinkEmail, sessLinkKind} {
		s.Sessions.Remove(ctx, k)
	}
	s.Sessions.Put(ctx, sessUserID, p.UserID)
	s.Sessions.Put(ctx, sessEmail, p.Email)
	s.putGoTrueSession(ctx, fresh)
	s.log.InfoContext(ctx, "signed in after choosing a password", slog.String("user_id", p.UserID),
		slog.String("staff", string(p.Staff)), slog.Int("tenants", len(p.Memberships)))
	return c.Redirect(http.StatusSeeOther, s.afterSignIn(ctx, p, ""))
}

// forgotForm is GET /auth/forgot.
func (s *server) forgotForm(c echo.Context) error {
	return render(c, http.StatusOK, authviews.ForgotPage(authviews.ForgotProps{
		Chrome: s.chrome(c, "Forgot your password?", ""), Errors: map[string]string{},
	}))
}

// forgotSend is POST /auth/forgot. Its answer is the same whether or not
// the address has an account, and as quick: GoTrue is asked afterwards
// (docs/design.md §12).
func (s *server) forgotSend(c echo.Context) error {
	ctx := c.Request().Context()
	raw := strings.TrimSpace(c.FormValue("email"))
	props := authviews.ForgotProps{Chrome: s.chrome(c, "Forgot your password?", ""), Email: raw, Errors: map[string]string{}}
	email, msg := tenant.FieldEmail.Clean(raw)
	switch {
	case raw == "":
		props.Errors["email"] = "Enter your e-mail address."
	case msg != "":
		props.Errors["email"] = msg
	}
	if len(props.Errors) > 0 {
		return render(c, http.StatusUnprocessableEntity, authviews.ForgotPage(props))
	}
	if err := s.Auth.RequestRecovery(ctx, email, c.RealIP()); err != nil {
		if apperr.KindOf(err) != apperr.RateLimited {
			return err
		}
		props.Error = apperr.MessageOf(err)
		return render(c, http.StatusTooManyRequests, authviews.ForgotPage(props))
	}
	props.Email, props.Sent = "", auth.MsgRecoverySent
	return render(c, http.StatusOK, authviews.ForgotPage(props))
}
