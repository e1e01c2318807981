package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth/gotrue"
)

// The messages of product.md §4.1: what a person is told when sign-in fails.
const (
	MsgInvalidCredentials = "Email or password is incorrect."
	MsgEmailNotConfirmed  = "Confirm your email address first."
	MsgBanned             = "This account is disabled. Contact your administrator."
	MsgRateLimited        = "Too many attempts. Try again in a minute."
	MsgUnavailable        = "Sign-in is unavailable right now. Try again shortly."
	MsgServiceError       = "The sign-in service had an error. Try again shortly; if it keeps happening, tell the platform team."
	MsgNoAccess           = "This account has no access to the console."
	MsgSuspended          = "Your organization's account is suspended. Contact support."
)

// SignInError is a refused sign-in: the message for the person and the
// HTTP status of the answer. The cause stays for the log, never the page.
type SignInError struct {
	Status  int
	Message string
	Cause   error
}

func (e *SignInError) Error() string {
	if e.Cause != nil {
		return "sign-in refused: " + e.Message + ": " + e.Cause.Error()
	}
	return "sign-in refused: " + e.Message
}

func (e *SignInError) Unwrap() error { return e.Cause }

// Limits bound sign-in attempts per window, per e-mail and per client address.
type Limits struct {
	PerEmail      int
	PerIP         int
	WindowSeconds int
}

// DefaultLimits allow a person a few typos and a shared office address more.
var DefaultLimits = Limits{PerEmail: 5, PerIP: 30, WindowSeconds: 60}

// Authenticator signs people in with GoTrue's password grant.
type Authenticator struct {
	GoTrue *gotrue.Client
	Store  AccessStore
	Limits Limits
	Log    *slog.Logger
}

// SignIn checks the attempt limits, asks GoTrue, and loads the person's
// roles. Every refusal is a *SignInError carrying a §4.1 message; the
// returned access token lets sign-out end the GoTrue session too.
func (a *Authenticator) SignIn(ctx context.Context, email, password, remoteIP string) (Principal, string, error) {
	email = strings.TrimSpace(email)
	if err := a.checkLimits(ctx, email, remoteIP); err != nil {
		return Principal{}, "", err
	}
	session, err := a.GoTrue.SignIn(ctx, email, password)
	if err != nil {
		return Principal{}, "", a.refusal(ctx, err)
	}
	p, err := Resolve(ctx, a.Store, session.User.ID, session.User.Email)
	if err != nil {
		// The GoTrue session is of no use to someone the console refuses.
		_ = a.GoTrue.SignOut(ctx, session.AccessToken)
		switch {
		case errors.Is(err, ErrNoAccess):
			return Principal{}, "", &SignInError{http.StatusForbidden, MsgNoAccess, err}
		case errors.Is(err, ErrTenantSuspended):
			return Principal{}, "", &SignInError{http.StatusForbidden, MsgSuspended, err}
		}
		return Principal{}, "", fmt.Errorf("sign in: load roles: %w", err)
	}
	return p, session.AccessToken, nil
}

func (a *Authenticator) checkLimits(ctx context.Context, email, remoteIP string) error {
	limits := a.Limits
	if limits.WindowSeconds == 0 {
		limits = DefaultLimits
	}
	for _, c := range []struct {
		key   string
		limit int
	}{
		{"email:" + strings.ToLower(email), limits.PerEmail},
		{"ip:" + remoteIP, limits.PerIP},
	} {
		n, err := a.Store.CountAttempt(ctx, c.key, limits.WindowSeconds)
		if err != nil {
			return fmt.Errorf("sign in: count attempts: %w", err)
		}
		if n > c.limit {
			a.Log.WarnContext(ctx, "sign-in attempts over the limit", slog.String("limit", strings.SplitN(c.key, ":", 2)[0]))
			return &SignInError{http.StatusTooManyRequests, MsgRateLimited, nil}
		}
	}
	return nil
}

// refusal maps what GoTrue said to what the person is told, by error_code.
func (a *Authenticator) refusal(ctx context.Context, err error) error {
	var ge *gotrue.Error
	switch {
	case errors.Is(err, apperr.ErrUnavailable):
		a.Log.ErrorContext(ctx, "GoTrue unavailable at sign-in", slog.Any("error", err))
		return &SignInError{http.StatusServiceUnavailable, MsgUnavailable, err}
	case errors.Is(err, apperr.ErrUpstream):
		// GoTrue answered, with its own failure: a 502 (bad gateway is
		// what the console is to the person), not "cannot be reached".
		a.Log.ErrorContext(ctx, "GoTrue failed at sign-in", append(gotrue.LogAttrs(err), slog.Any("error", err))...)
		return &SignInError{http.StatusBadGateway, MsgServiceError, err}
	case gotrue.HasCode(err, "email_not_confirmed"), legacyNotConfirmed(err):
		return &SignInError{http.StatusForbidden, MsgEmailNotConfirmed, err}
	case gotrue.HasCode(err, "invalid_credentials"), gotrue.HasCode(err, "invalid_grant"):
		return &SignInError{http.StatusUnauthorized, MsgInvalidCredentials, err}
	case gotrue.HasCode(err, "user_banned"):
		return &SignInError{http.StatusForbidden, MsgBanned, err}
	case gotrue.HasCode(err, "over_request_rate_limit"), gotrue.HasCode(err, "over_email_send_rate_limit"),
		errors.As(err, &ge) && ge.Status == http.StatusTooManyRequests:
		return &SignInError{http.StatusTooManyRequests, MsgRateLimited, err}
	case gotrue.HasCode(err, "validation_failed"):
		// e.g. an empty or malformed e-mail: the same answer as a wrong one.
		return &SignInError{http.StatusUnauthorized, MsgInvalidCredentials, err}
	}
	// Anything else GoTrue refuses is logged in full and shown as unavailable:
	// never a silent failure, never GoTrue's raw text. These are the server's
	// set-up, not the person's doing: email_provider_disabled (email logins
	// off), captcha_failed (CAPTCHA on, which a server-side sign-in cannot
	// pass), bad_json, a hook's failure, or a gateway's 401 for a wrong
	// apikey.
	a.Log.ErrorContext(ctx, "GoTrue refused sign-in unexpectedly", slog.Any("error", err))
	return &SignInError{http.StatusServiceUnavailable, MsgUnavailable, err}
}

// legacyNotConfirmed is how a GoTrue from before error codes refused an
// unconfirmed email: {"error":"invalid_grant","error_description":"Email not
// confirmed"}. Servers with error codes say email_not_confirmed instead.
func legacyNotConfirmed(err error) bool {
	var ge *gotrue.Error
	return errors.As(err, &ge) && ge.Code == "invalid_grant" && strings.EqualFold(ge.Message, "Email not confirmed")
}
