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
	"time"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/tenant"
)

// What a person is told about an e-mail link (docs/design.md §12).
const (
	// MsgLinkExpired: GoTrue cannot tell an expired link from a used one,
	// and a link's e-mail does not say whether it was an invitation.
	MsgLinkExpired = "This link has expired or has already been used: ask whoever invited you " +
		"(an owner or admin of your organization, or a platform admin) to send the invitation again, " +
		"or ask for a new password link below."
	// MsgLinkInvalid: the link's tokens are not GoTrue's, or were changed.
	MsgLinkInvalid = "This link cannot be used: it is incomplete or was changed. Open it again from the e-mail, " +
		"or ask for a new one."
	// MsgLinkSessionEnded: the session a link started ended before the
	// password was chosen.
	MsgLinkSessionEnded = "The session this link started has ended. Ask for a new link."
	MsgSamePassword     = "Choose a password different from your current one."
	// MsgLinkCodeDue heads the code step of a link whose account has a
	// second factor.
	MsgLinkCodeDue = "Your account has a second factor: type the code from your authenticator app " +
		"before you choose a new password."
	// MsgRecoverySent is the one answer to "Forgot your password?",
	// whatever the address.
	MsgRecoverySent = "If an account exists for that address, we have sent it a link to choose a new password. " +
		"Check your inbox."
)

// Link codes of *apperr.Error, for the pages that answer a link.
const (
	CodeLinkExpired = "link-expired"
	CodeLinkInvalid = "link-invalid"
	// CodeLinkCodeDue: GoTrue wants the link's session raised to aal2 (the
	// account has a verified second factor) before the password changes.
	CodeLinkCodeDue = "link-code-due"
)

// CallbackPath is where GoTrue sends a person back from an e-mail link.
const CallbackPath = "/auth/callback"

// CallbackURL is the redirect_to of every call that makes GoTrue send a
// link: the console's callback under publicURL.
func CallbackURL(publicURL string) string {
	return strings.TrimRight(publicURL, "/") + CallbackPath
}

// AccountAudit records what people do to their own accounts.
type AccountAudit interface {
	RecordAudit(ctx context.Context, ev tenant.AuditEvent) error
}

// LinkKindOK reports whether kind is a link the console finishes.
func LinkKindOK(kind string) bool { return kind == gotrue.LinkInvite || kind == gotrue.LinkRecovery }

// LinkSession checks the tokens an e-mail link put in the browser's URL
// fragment with GoTrue and returns their session. Tokens GoTrue does not
// accept (forged, from another GoTrue, ended) are CodeLinkInvalid.
func (a *Authenticator) LinkSession(ctx context.Context, accessToken, refreshToken string) (gotrue.Session, error) {
	if accessToken == "" || refreshToken == "" {
		return gotrue.Session{}, linkErr(CodeLinkInvalid, MsgLinkInvalid, nil)
	}
	s, err := a.GoTrue.SessionFrom(ctx, accessToken, refreshToken)
	if err != nil {
		return gotrue.Session{}, a.linkRefusal(ctx, err)
	}
	return s, nil
}

// VerifyLink uses up the token of a link that leads to the console
// directly (token_hash) and returns the session GoTrue starts for it.
func (a *Authenticator) VerifyLink(ctx context.Context, kind, tokenHash string) (gotrue.Session, error) {
	if !LinkKindOK(kind) || tokenHash == "" {
		return gotrue.Session{}, linkErr(CodeLinkInvalid, MsgLinkInvalid, nil)
	}
	s, err := a.GoTrue.VerifyTokenHash(ctx, kind, tokenHash)
	if err != nil {
		return gotrue.Session{}, a.linkRefusal(ctx, err)
	}
	return s, nil
}

func linkErr(code, msg string, cause error) error {
	kind := apperr.Invalid
	if code == CodeLinkExpired {
		kind = apperr.Conflict
	}
	return &apperr.Error{Kind: kind, Message: msg, Code: code, Err: cause}
}

// linkRefusal maps GoTrue's answer to a link's token to what the person
// reads: expired or used, not GoTrue's, or GoTrue unavailable.
func (a *Authenticator) linkRefusal(ctx context.Context, err error) error {
	var ge *gotrue.Error
	if no := a.outage(ctx, "for an e-mail link", err); no != nil {
		return no
	}
	switch {
	case gotrue.HasCode(err, "otp_expired"):
		return linkErr(CodeLinkExpired, MsgLinkExpired, err)
	case gotrue.HasCode(err, "user_banned"):
		return refused(apperr.Forbidden, MsgBanned, err)
	case errors.As(err, &ge) && ge.Status == http.StatusTooManyRequests:
		return refused(apperr.RateLimited, MsgRateLimited, err)
	case errors.As(err, &ge) && ge.Status < 500:
		a.Log.WarnContext(ctx, "GoTrue refused an e-mail link's token", slog.Int("status", ge.Status), slog.String("code", ge.Code))
		return linkErr(CodeLinkInvalid, MsgLinkInvalid, err)
	}
	return fmt.Errorf("e-mail link: %w", err)
}

// Requester is who asks, for the audit trail.
type Requester struct {
	RequestID  string
	RemoteAddr string
}

// FreshLinkSession returns the session a link started, renewed first when
// its access token is about to expire (the person may have read the
// password rules for a while). A session GoTrue ended is CodeLinkExpired.
func (a *Authenticator) FreshLinkSession(ctx context.Context, s gotrue.Session) (gotrue.Session, error) {
	if s.ExpiresAt.IsZero() || time.Now().Add(30*time.Second).Before(s.ExpiresAt) {
		return s, nil
	}
	fresh, err := a.Refresh(ctx, s.RefreshToken)
	var gone *SessionEndedError
	switch {
	case errors.As(err, &gone):
		return gotrue.Session{}, linkErr(CodeLinkExpired, MsgLinkSessionEnded, err)
	case err != nil:
		return gotrue.Session{}, a.linkRefusal(ctx, err)
	case fresh.User.ID != s.User.ID:
		return gotrue.Session{}, linkErr(CodeLinkExpired, MsgLinkSessionEnded, nil)
	}
	return fresh, nil
}

// SetPassword sets the password of the person a link signed in, then
// signs them in to the console: their pending invitations become
// memberships (once: accepting is idempotent) and their roles are read. A
// person whose tenants are all suspended or deleted, or who has no access,
// is refused with the sign-in page's message after the password is set.
// The returned session replaces the link's (it may have been refreshed).
func (a *Authenticator) SetPassword(ctx context.Context, s gotrue.Session, kind, password string, who Requester) (Principal, gotrue.Session, error) {
	s, err := a.FreshLinkSession(ctx, s)
	if err != nil {
		return Principal{}, gotrue.Session{}, err
	}
	u, err := a.GoTrue.UpdatePassword(ctx, s.AccessToken, password)
	if err != nil {
		return Principal{}, gotrue.Session{}, a.passwordRefusal(ctx, err)
	}
	s.User = u

	action := tenant.ActionPasswordSet
	if kind == gotrue.LinkRecovery {
		action = tenant.ActionPasswordRecovered
	}
	person := tenant.Actor{UserID: u.ID, Email: u.Email, RequestID: who.RequestID, RemoteAddr: who.RemoteAddr}
	if a.Audit != nil {
		if err := a.Audit.RecordAudit(ctx, tenant.NewAuditEvent(person, "", action)); err != nil {
			// The password is set at GoTrue already; the person goes on.
			a.Log.ErrorContext(ctx, "recording a password change failed", slog.String("user_id", u.ID), slog.Any("error", err))
		}
	}
	if a.Invitations != nil {
		if _, err := a.Invitations.AcceptInvitations(ctx, u.ID, u.Email); err != nil {
			a.Log.WarnContext(ctx, "accepting invitations failed", slog.String("user_id", u.ID), slog.Any("error", err))
		}
	}
	p, err := Resolve(ctx, a.Store, u.ID, u.Email)
	if err != nil {
		_ = a.GoTrue.SignOut(ctx, s.AccessToken)
		switch {
		case errors.Is(err, ErrNoAccess):
			return Principal{}, gotrue.Session{}, refused(apperr.Forbidden, MsgNoAccess, err)
		case errors.Is(err, ErrTenantSuspended):
			return Principal{}, gotrue.Session{}, refused(apperr.Forbidden, MsgSuspended, err)
		}
		return Principal{}, gotrue.Session{}, fmt.Errorf("set password: load roles: %w", err)
	}
	a.Log.InfoContext(ctx, "password chosen from an e-mail link", slog.String("user_id", u.ID), slog.String("link", kind))
	return p, s, nil
}

// passwordRefusal maps GoTrue's answer to PUT /user.
func (a *Authenticator) passwordRefusal(ctx context.Context, err error) error {
	var ge *gotrue.Error
	switch {
	case errors.As(err, &ge) && ge.Code == "weak_password":
		return &apperr.Error{Kind: apperr.Invalid, Message: weakPasswordMessage(ge.Reasons), Field: "password", Err: err}
	case gotrue.HasCode(err, "same_password"):
		return &apperr.Error{Kind: apperr.Invalid, Message: MsgSamePassword, Field: "password", Err: err}
	case gotrue.HasCode(err, "session_not_found"), gotrue.HasCode(err, "bad_jwt"), gotrue.HasCode(err, "user_not_found"):
		return linkErr(CodeLinkExpired, MsgLinkSessionEnded, err)
	case gotrue.HasCode(err, "insufficient_aal"):
		return &apperr.Error{Kind: apperr.Conflict, Message: MsgLinkCodeDue, Code: CodeLinkCodeDue, Err: err}
	}
	return a.linkRefusal(ctx, err)
}

// DefaultRecoveryLimits bound "Forgot your password?": a few requests for
// one address (its owner mistyping, not a mail bomb) and more from one
// client address, per quarter hour.
var DefaultRecoveryLimits = Limits{PerEmail: 3, PerIP: 20, WindowSeconds: 900}

// recoveryCallTimeout bounds the call to GoTrue that sends a recovery link.
const recoveryCallTimeout = 30 * time.Second

// RequestRecovery asks GoTrue to send email a password-reset link, unless
// a limit is reached (apperr.RateLimited). Every request counts, whether or
// not the address has an account, so the limit reveals nothing. GoTrue is
// called after this returns: its answer (and the time it takes to send a
// mail, which only an existing account costs) never reaches the person, who
// is always told MsgRecoverySent; failures are logged.
func (a *Authenticator) RequestRecovery(ctx context.Context, email, remoteIP string) error {
	l := a.RecoveryLimits
	if l.WindowSeconds == 0 {
		l = DefaultRecoveryLimits
	}
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	keys := []limitKey{
		{"recovery_email", "recover:email:" + hex.EncodeToString(sum[:]), l.PerEmail},
		{"recovery_address", "recover:ip:" + remoteIP, l.PerIP},
	}
	for _, k := range keys {
		n, err := a.Store.CountAttempt(ctx, k.key, l.WindowSeconds)
		if err != nil {
			return fmt.Errorf("password recovery: count the request: %w", err)
		}
		if n > k.limit {
			a.Log.WarnContext(ctx, "password recovery refused: too many requests", slog.String("limit", k.name), slog.Int("requests", n))
			return refused(apperr.RateLimited, MsgRateLimited, nil)
		}
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recoveryCallTimeout)
		defer cancel()
		err := a.GoTrue.Recover(ctx, email, a.RedirectTo)
		switch {
		case err == nil:
			a.Log.InfoContext(ctx, "password recovery asked of GoTrue")
		case gotrue.HasCode(err, "over_email_send_rate_limit"):
			// GoTrue's own once-a-minute limit: a link went out just now.
			a.Log.InfoContext(ctx, "password recovery: GoTrue sent a link a moment ago")
		default:
			a.Log.ErrorContext(ctx, "password recovery: GoTrue did not send the link", slog.Any("error", err))
		}
	}()
	return nil
}
