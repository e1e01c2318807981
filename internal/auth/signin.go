package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth/gotrue"
)

// The messages of docs/design.md §2: what a person is told when sign-in fails.
const (
	MsgInvalidCredentials = "Email or password is incorrect."
	MsgEmailNotConfirmed  = "Confirm your email address first."
	MsgBanned             = "This account is disabled. Contact your administrator."
	MsgRateLimited        = "Too many attempts. Try again in a minute."
	MsgUnavailable        = "Sign-in is unavailable right now. Try again shortly."
	MsgServiceError       = "The sign-in service had an error. Try again shortly; if it keeps happening, tell the platform team."
	MsgNoAccess           = "This account has no access to the console."
	MsgSuspended          = "Your organization's account is suspended. Contact support."
	// MsgSessionEnded: GoTrue no longer knows the session (the account was
	// deleted, or signed out everywhere).
	MsgSessionEnded = "Your session has ended. Sign in again."
)

// refused is a refused sign-in: its kind, the message for the person, and
// the cause, which stays for the log, never the page.
func refused(kind apperr.Kind, message string, cause error) error {
	return &apperr.Error{Kind: kind, Message: message, Code: "sign-in", Err: cause}
}

// Limits bound failed sign-ins per window. Only failures count (a wrong
// password or unknown e-mail), never attempts, and they are keyed so that
// an attacker cannot lock a person out:
//
//   - PerEmail: failures for one e-mail from one client address. An
//     attacker guessing admin@'s password from their address is stopped;
//     admin@ signing in from their own address is not.
//   - PerIP: failures from one client address, whatever the e-mail: the
//     ceiling for an address trying many accounts.
//
// While a limit is reached, sign-ins under it are refused without asking
// GoTrue, until the window that started with the first failure is over.
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
	// Invitations, when set, turns the person's pending invitations into
	// memberships before their roles are read: signing in is how an
	// invited person who set their password at GoTrue joins.
	Invitations InvitationAcceptor
	// Audit records the password changes e-mail links lead to.
	Audit AccountAudit
	// RecoveryLimits bound "Forgot your password?"; zero is
	// DefaultRecoveryLimits.
	RecoveryLimits Limits
	// RedirectTo is where recovery links lead: CallbackURL(PUBLIC_URL).
	RedirectTo string
}

// InvitationAcceptor accepts a signed-in person's pending invitations.
type InvitationAcceptor interface {
	AcceptInvitations(ctx context.Context, userID, email string) (int, error)
}

// SignIn checks the attempt limits, asks GoTrue, and loads the person's
// roles. Every refusal is an *apperr.Error carrying a docs/design.md §2 message; the
// returned access token lets sign-out end the GoTrue session too.
func (a *Authenticator) SignIn(ctx context.Context, email, password, remoteIP string) (Principal, string, error) {
	p, session, err := a.SignInSession(ctx, email, password, remoteIP)
	return p, session.AccessToken, err
}

// SignInSession is SignIn returning GoTrue's whole session: the refresh
// token and the access token's expiry let the console ask GoTrue again
// when the access token runs out (Refresh).
func (a *Authenticator) SignInSession(ctx context.Context, email, password, remoteIP string) (Principal, gotrue.Session, error) {
	email = strings.TrimSpace(email)
	if !utf8.ValidString(email) || strings.ContainsRune(email, 0) {
		// No account has such an address; GoTrue would fail storing it.
		return Principal{}, gotrue.Session{}, refused(apperr.Unauthenticated, MsgInvalidCredentials, nil)
	}
	keys := a.limitKeys(email, remoteIP)
	if err := a.checkLimits(ctx, keys); err != nil {
		return Principal{}, gotrue.Session{}, err
	}
	session, err := a.GoTrue.SignIn(ctx, email, password)
	if err != nil {
		no := a.refusal(ctx, err)
		if apperr.MessageOf(no) == MsgInvalidCredentials {
			if err := a.countFailure(ctx, keys); err != nil {
				return Principal{}, gotrue.Session{}, err
			}
		}
		return Principal{}, gotrue.Session{}, no
	}
	if a.Invitations != nil {
		if _, err := a.Invitations.AcceptInvitations(ctx, session.User.ID, session.User.Email); err != nil {
			// The invitations stay pending and are tried at the next sign-in.
			a.Log.WarnContext(ctx, "accepting invitations failed", slog.String("user_id", session.User.ID), slog.Any("error", err))
		}
	}
	p, err := Resolve(ctx, a.Store, session.User.ID, session.User.Email)
	if err != nil {
		// The GoTrue session is of no use to someone the console refuses.
		_ = a.GoTrue.SignOut(ctx, session.AccessToken)
		switch {
		case errors.Is(err, ErrNoAccess):
			return Principal{}, gotrue.Session{}, refused(apperr.Forbidden, MsgNoAccess, err)
		case errors.Is(err, ErrTenantSuspended):
			return Principal{}, gotrue.Session{}, refused(apperr.Forbidden, MsgSuspended, err)
		}
		return Principal{}, gotrue.Session{}, fmt.Errorf("sign in: load roles: %w", err)
	}
	return p, session, nil
}

// limitKey is one counter and its ceiling.
type limitKey struct {
	name  string // for the log: which limit
	key   string
	limit int
}

func (a *Authenticator) limits() Limits {
	if a.Limits.WindowSeconds == 0 {
		return DefaultLimits
	}
	return a.Limits
}

// limitKeys are the counters a sign-in by email from remoteIP is held to.
func (a *Authenticator) limitKeys(email, remoteIP string) []limitKey {
	l := a.limits()
	return []limitKey{
		{"email_and_address", "fail:email+ip:" + pairKey(email, remoteIP), l.PerEmail},
		{"address", "fail:ip:" + remoteIP, l.PerIP},
	}
}

// pairKey names an e-mail and an address together: a hash, so that the
// counters table holds no e-mail addresses and any text typed as an e-mail
// (even one Postgres cannot store) makes a valid key.
func pairKey(email, remoteIP string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email) + "\n" + remoteIP))
	return hex.EncodeToString(sum[:])
}

// checkLimits refuses a sign-in whose counters have reached their limits.
func (a *Authenticator) checkLimits(ctx context.Context, keys []limitKey) error {
	window := a.limits().WindowSeconds
	for _, k := range keys {
		n, err := a.Store.Attempts(ctx, k.key, window)
		if err != nil {
			return fmt.Errorf("sign in: read failed attempts: %w", err)
		}
		if n >= k.limit {
			a.Log.WarnContext(ctx, "sign-in refused: too many failures", slog.String("limit", k.name), slog.Int("failures", n))
			return refused(apperr.RateLimited, MsgRateLimited, nil)
		}
	}
	return nil
}

// countFailure records a wrong password (or unknown e-mail) under every key.
func (a *Authenticator) countFailure(ctx context.Context, keys []limitKey) error {
	for _, k := range keys {
		if _, err := a.Store.CountAttempt(ctx, k.key, a.limits().WindowSeconds); err != nil {
			return fmt.Errorf("sign in: count the failure: %w", err)
		}
	}
	return nil
}

// outage is GoTrue unreachable (503) or failing on its own (502: bad
// gateway is what the console is to the person), logged with what the
// console was doing; nil for any other answer.
func (a *Authenticator) outage(ctx context.Context, doing string, err error) error {
	switch {
	case errors.Is(err, apperr.ErrUnavailable):
		a.Log.ErrorContext(ctx, "GoTrue unavailable "+doing, slog.Any("error", err))
		return refused(apperr.Unavailable, MsgUnavailable, err)
	case errors.Is(err, apperr.ErrUpstream):
		a.Log.ErrorContext(ctx, "GoTrue failed "+doing, append(gotrue.LogAttrs(err), slog.Any("error", err))...)
		return refused(apperr.Upstream, MsgServiceError, err)
	}
	return nil
}

// refusal maps what GoTrue said to what the person is told, by error_code.
func (a *Authenticator) refusal(ctx context.Context, err error) error {
	var ge *gotrue.Error
	if no := a.outage(ctx, "at sign-in", err); no != nil {
		return no
	}
	switch {
	case gotrue.HasCode(err, "email_not_confirmed"), legacyNotConfirmed(err):
		return refused(apperr.Forbidden, MsgEmailNotConfirmed, err)
	case gotrue.HasCode(err, "invalid_credentials"), gotrue.HasCode(err, "invalid_grant"):
		return refused(apperr.Unauthenticated, MsgInvalidCredentials, err)
	case gotrue.HasCode(err, "user_banned"):
		return refused(apperr.Forbidden, MsgBanned, err)
	case gotrue.HasCode(err, "over_request_rate_limit"), gotrue.HasCode(err, "over_email_send_rate_limit"),
		errors.As(err, &ge) && ge.Status == http.StatusTooManyRequests:
		return refused(apperr.RateLimited, MsgRateLimited, err)
	case gotrue.HasCode(err, "validation_failed"):
		// e.g. an empty or malformed e-mail: the same answer as a wrong one.
		return refused(apperr.Unauthenticated, MsgInvalidCredentials, err)
	}
	// Anything else GoTrue refuses is logged in full and shown as unavailable:
	// never a silent failure, never GoTrue's raw text. These are the server's
	// set-up, not the person's doing: email_provider_disabled (email logins
	// off), captcha_failed (CAPTCHA on, which a server-side sign-in cannot
	// pass), bad_json, a hook's failure, or a gateway's 401 for a wrong
	// apikey.
	a.Log.ErrorContext(ctx, "GoTrue refused sign-in unexpectedly", slog.Any("error", err))
	return refused(apperr.Unavailable, MsgUnavailable, err)
}

// SessionEndedError means GoTrue refused a session (its refresh, or its
// access token): the person must sign in again, and Message (a
// docs/design.md §2 message) says why.
type SessionEndedError struct {
	Message string
	Cause   error
}

func (e *SessionEndedError) Error() string {
	return "session ended: " + e.Message + ": " + e.Cause.Error()
}
func (e *SessionEndedError) Unwrap() error { return e.Cause }

// Refresh trades a refresh token for a fresh GoTrue session. A refusal
// (banned, deleted, signed out everywhere, token used up) is a
// *SessionEndedError; GoTrue down or failing is returned as it is
// (apperr.ErrUnavailable / ErrUpstream): the session is neither renewed
// nor ended by that.
func (a *Authenticator) Refresh(ctx context.Context, refreshToken string) (gotrue.Session, error) {
	session, err := a.GoTrue.Refresh(ctx, refreshToken)
	if err != nil {
		return gotrue.Session{}, sessionEnded(err)
	}
	return session, nil
}

// CheckUser asks GoTrue whether an access token still stands (GET /user):
// a ban, a deleted account or a sign-out everywhere stop tokens already
// issued, and those refusals are a *SessionEndedError. Any other refusal
// (a gateway turning the apikey away, a token GoTrue's clock finds
// expired) is not the person's doing and must not end every session: it
// is GoTrue failing (apperr.ErrUpstream), like GoTrue down is unavailable.
func (a *Authenticator) CheckUser(ctx context.Context, accessToken string) (gotrue.User, error) {
	user, err := a.GoTrue.GetUser(ctx, accessToken)
	if err == nil {
		return user, nil
	}
	var ge *gotrue.Error
	if !errors.As(err, &ge) || ge.Status >= 500 || ge.Status == http.StatusTooManyRequests {
		return gotrue.User{}, err
	}
	switch ge.Code {
	case "user_banned", "user_not_found", "session_not_found":
		return gotrue.User{}, sessionEnded(err)
	}
	return gotrue.User{}, fmt.Errorf("%w: GoTrue refused the access token unexpectedly: %w", apperr.ErrUpstream, err)
}

// sessionEnded turns GoTrue's refusal of a session (a 4xx other than 429)
// into a *SessionEndedError with its docs/design.md §2 message; GoTrue down, failing or
// rate-limiting comes back unchanged.
func sessionEnded(err error) error {
	var ge *gotrue.Error
	if !errors.As(err, &ge) || ge.Status >= 500 || ge.Status == http.StatusTooManyRequests {
		return err
	}
	msg := MsgSessionEnded
	if ge.Code == "user_banned" {
		msg = MsgBanned
	}
	return &SessionEndedError{Message: msg, Cause: err}
}

// legacyNotConfirmed is how a GoTrue from before error codes refused an
// unconfirmed email: {"error":"invalid_grant","error_description":"Email not
// confirmed"}. Servers with error codes say email_not_confirmed instead.
func legacyNotConfirmed(err error) bool {
	var ge *gotrue.Error
	return errors.As(err, &ge) && ge.Code == "invalid_grant" && strings.EqualFold(ge.Message, "Email not confirmed")
}
