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
	"github.com/tenant-console/console/internal/tenant"
)

// A second factor (docs/design.md §13): a TOTP code from an authenticator
// app, checked by GoTrue's /factors API. The console never sees the secret
// after the enrolment page and keeps no code.

// What a person is told about a code.
const (
	MsgCodeMissing = "Type the 6-digit code your authenticator app shows."
	MsgCodeShape   = "A code is 6 digits, such as 123456."
	MsgCodeWrong   = "That code is not right. Type the code your app shows now; it changes every 30 seconds."
	// MsgCodeStale: the challenge or the enrolment went away meanwhile
	// (expired, or removed by an administrator).
	MsgCodeStale = "This sign-in step has expired. Start again."
)

// Where the console names itself: the issuer and the factor's name an
// authenticator app shows.
const (
	totpIssuer     = "Tenant Console"
	totpFactorName = "Tenant Console"
)

// mfaLimitKeys are the counters wrong codes for userID from remoteIP are
// held to, as wrong passwords are: a few for the account from one address,
// more for the account from anywhere, and the address's own ceiling (shared
// with wrong passwords).
func (a *Authenticator) mfaLimitKeys(userID, remoteIP string) []limitKey {
	l := a.limits()
	return []limitKey{
		{"code_account_and_address", "mfa:user+ip:" + pairKey(userID, remoteIP), l.PerEmail},
		{"code_account", "mfa:user:" + userID, l.PerIP},
		{"address", "fail:ip:" + remoteIP, l.PerIP},
	}
}

// cleanCode accepts what people type for a code: digits, perhaps with
// spaces between the groups.
func cleanCode(raw string) (string, error) {
	code := strings.Join(strings.Fields(raw), "")
	switch {
	case code == "":
		return "", &apperr.Error{Kind: apperr.Invalid, Message: MsgCodeMissing, Field: "code"}
	case len(code) != 6 || strings.Trim(code, "0123456789") != "":
		return "", &apperr.Error{Kind: apperr.Invalid, Message: MsgCodeShape, Field: "code"}
	}
	return code, nil
}

// VerifyCode checks a code of factorID for the session s (a challenge and
// its answer at GoTrue) and returns the session GoTrue raised to aal2. A
// wrong code counts against the limits like a wrong password, and once they
// are reached codes are refused without asking GoTrue.
func (a *Authenticator) VerifyCode(ctx context.Context, s gotrue.Session, factorID, rawCode, remoteIP string) (gotrue.Session, error) {
	code, err := cleanCode(rawCode)
	if err != nil {
		return gotrue.Session{}, err
	}
	keys := a.mfaLimitKeys(s.User.ID, remoteIP)
	if err := a.checkLimits(ctx, keys); err != nil {
		return gotrue.Session{}, err
	}
	challenge, err := a.GoTrue.ChallengeFactor(ctx, s.AccessToken, factorID)
	if err != nil {
		return gotrue.Session{}, a.codeRefusal(ctx, err)
	}
	raised, err := a.GoTrue.VerifyFactor(ctx, s.AccessToken, factorID, challenge, code)
	if gotrue.HasCode(err, "mfa_verification_failed") {
		if err := a.countFailure(ctx, keys); err != nil {
			return gotrue.Session{}, err
		}
		a.Log.InfoContext(ctx, "second factor: wrong code", slog.String("user_id", s.User.ID))
		return gotrue.Session{}, &apperr.Error{Kind: apperr.Invalid, Message: MsgCodeWrong, Field: "code", Err: err}
	}
	if err != nil {
		return gotrue.Session{}, a.codeRefusal(ctx, err)
	}
	if raised.User.ID != s.User.ID {
		return gotrue.Session{}, fmt.Errorf("verify code: GoTrue answered for another user")
	}
	return raised, nil
}

// codeRefusal maps GoTrue's other answers about factors.
func (a *Authenticator) codeRefusal(ctx context.Context, err error) error {
	var ge *gotrue.Error
	if no := a.outage(ctx, "for a second factor", err); no != nil {
		return no
	}
	switch {
	case errors.As(err, &ge) && ge.Status == http.StatusTooManyRequests:
		return refused(apperr.RateLimited, MsgRateLimited, err)
	case gotrue.HasCode(err, "mfa_factor_not_found"), gotrue.HasCode(err, "mfa_challenge_expired"),
		gotrue.HasCode(err, "mfa_ip_address_mismatch"), gotrue.HasCode(err, "insufficient_aal"):
		a.Log.InfoContext(ctx, "second factor: step no longer valid", slog.String("code", ge.Code))
		return &apperr.Error{Kind: apperr.Conflict, Message: MsgCodeStale, Code: "mfa-stale", Err: err}
	case gotrue.HasCode(err, "session_not_found"), gotrue.HasCode(err, "user_banned"), gotrue.HasCode(err, "user_not_found"):
		return sessionEnded(err)
	}
	return fmt.Errorf("second factor: %w", err)
}

// StartTOTP begins an enrolment for the session's account: unverified TOTP
// factors left by an earlier enrolment page are removed first (GoTrue
// refuses a second factor with the same name), then GoTrue makes a new
// secret. Nothing of the answer may be logged.
func (a *Authenticator) StartTOTP(ctx context.Context, s gotrue.Session) (gotrue.TOTPEnrollment, error) {
	u, err := a.GoTrue.GetUser(ctx, s.AccessToken)
	if err != nil {
		return gotrue.TOTPEnrollment{}, a.codeRefusal(ctx, err)
	}
	for _, f := range u.Factors {
		if f.Type == gotrue.FactorTOTP && !f.Verified() {
			if err := a.GoTrue.UnenrollFactor(ctx, s.AccessToken, f.ID); err != nil && !gotrue.HasCode(err, "mfa_factor_not_found") {
				return gotrue.TOTPEnrollment{}, a.codeRefusal(ctx, err)
			}
		}
	}
	e, err := a.GoTrue.EnrollTOTP(ctx, s.AccessToken, totpFactorName, totpIssuer)
	if err != nil {
		return gotrue.TOTPEnrollment{}, a.codeRefusal(ctx, err)
	}
	return e, nil
}

// ConfirmTOTP verifies the first code of a factor StartTOTP made: the
// factor becomes verified, the session aal2, and the enrolment is audited.
func (a *Authenticator) ConfirmTOTP(ctx context.Context, actor tenant.Actor, s gotrue.Session, factorID, code, remoteIP string) (gotrue.Session, error) {
	raised, err := a.VerifyCode(ctx, s, factorID, code, remoteIP)
	if err != nil {
		return gotrue.Session{}, err
	}
	a.audit(ctx, actor, tenant.ActionMFAEnrolled, map[string]any{"factor_type": gotrue.FactorTOTP})
	a.Log.InfoContext(ctx, "second factor enrolled", slog.String("user_id", actor.UserID))
	return raised, nil
}

// audit records an account event; the change is made at GoTrue already,
// so a failure to record it is logged, not the person's problem.
func (a *Authenticator) audit(ctx context.Context, actor tenant.Actor, action string, after map[string]any) {
	if a.Audit == nil {
		return
	}
	ev := tenant.NewAuditEvent(actor, "", action)
	ev.After = after
	if err := a.Audit.RecordAudit(ctx, ev); err != nil {
		a.Log.ErrorContext(ctx, "recording an account event failed", slog.String("action", action),
			slog.String("user_id", actor.UserID), slog.Any("error", err))
	}
}

// ResetStaffFactors removes every second factor of a staff member (GoTrue's
// admin API), so they enrol again at their next sign-in; their sessions
// GoTrue had raised fall to aal1. Only a platform admin may, never on their
// own account, and with a reason; the reset is audited. It returns how many
// factors were removed (none: nothing changed, nothing audited).
func (a *Authenticator) ResetStaffFactors(ctx context.Context, actor tenant.Actor, target tenant.StaffMember, rawReason string) (int, error) {
	switch {
	case !actor.IsPlatformAdmin():
		return 0, fmt.Errorf("reset factors: %w", apperr.ErrForbidden)
	case target.UserID == actor.UserID:
		return 0, &apperr.Error{Kind: apperr.Forbidden, Message: MsgResetOwnFactors}
	}
	reason, msg := tenant.FieldReason.Clean(rawReason)
	if msg != "" {
		return 0, &apperr.Error{Kind: apperr.Invalid, Message: msg, Field: "reason"}
	}
	factors, err := a.GoTrue.AdminListFactors(ctx, target.UserID)
	if err != nil {
		return 0, a.adminRefusal(ctx, err)
	}
	removed := 0
	for _, f := range factors {
		err := a.GoTrue.AdminDeleteFactor(ctx, target.UserID, f.ID)
		if err != nil && !gotrue.HasCode(err, "mfa_factor_not_found") {
			return removed, a.adminRefusal(ctx, err)
		}
		if err == nil {
			removed++
		}
	}
	if removed > 0 {
		a.audit(ctx, actor, tenant.ActionMFAReset, map[string]any{
			"user_id": target.UserID, "email": target.Email, "factors_removed": removed, tenant.AuditReasonKey: reason,
		})
	}
	a.Log.InfoContext(ctx, "second factors reset", slog.String("user_id", target.UserID), slog.Int("removed", removed))
	return removed, nil
}

// MsgResetOwnFactors: a platform admin's own factor is reset by another.
const MsgResetOwnFactors = "You cannot reset your own second factor: ask another platform admin."

func (a *Authenticator) adminRefusal(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, apperr.ErrUnavailable):
		return refused(apperr.Unavailable, MsgUnavailable, err)
	case errors.Is(err, apperr.ErrNotFound), gotrue.HasCode(err, "user_not_found"):
		return fmt.Errorf("reset factors: %w", apperr.ErrNotFound)
	}
	a.Log.ErrorContext(ctx, "GoTrue refused a factor reset", slog.Any("error", err))
	return refused(apperr.Upstream, MsgServiceError, err)
}
