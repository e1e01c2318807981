package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/tenant"
)

// What a person changes on their own account from "Your account".

// MsgCurrentPasswordWrong: the current password typed is not the account's.
const MsgCurrentPasswordWrong = "That is not your current password."

// ChangePassword sets a new password for the signed-in person: the current
// one is checked first with a password grant (counted like a sign-in: a
// wrong one is a failure against the same limits), then GoTrue sets the
// new one (PUT /user), which ends the account's other sessions. The new
// password must already pass tenant.CheckPassword. The change is audited.
func (a *Authenticator) ChangePassword(ctx context.Context, actor tenant.Actor, s gotrue.Session, current, next, remoteIP string) error {
	keys := a.limitKeys(actor.Email, remoteIP)
	if err := a.checkLimits(ctx, keys); err != nil {
		return err
	}
	check, err := a.GoTrue.SignIn(ctx, actor.Email, current)
	if err != nil {
		no := a.refusal(ctx, err)
		if apperr.MessageOf(no) != MsgInvalidCredentials {
			return no
		}
		if err := a.countFailure(ctx, keys); err != nil {
			return err
		}
		return &apperr.Error{Kind: apperr.Invalid, Message: MsgCurrentPasswordWrong, Field: "current_password", Err: err}
	}
	if check.User.ID != actor.UserID {
		_ = a.GoTrue.SignOut(ctx, check.AccessToken)
		return fmt.Errorf("change password: the e-mail signs in another account")
	}
	// The check's own session is of no further use.
	if err := a.GoTrue.SignOut(ctx, check.AccessToken); err != nil {
		a.Log.WarnContext(ctx, "ending the password check's session failed", slog.Any("error", err))
	}
	if _, err := a.GoTrue.UpdatePassword(ctx, s.AccessToken, next); err != nil {
		var ae *apperr.Error
		if mapped := a.passwordRefusal(ctx, err); errors.As(mapped, &ae) && ae.Field == "password" {
			return mapped
		}
		if gotrue.HasCode(err, "session_not_found") || gotrue.HasCode(err, "user_banned") {
			return sessionEnded(err)
		}
		return a.codeRefusal(ctx, err)
	}
	a.audit(ctx, actor, tenant.ActionPasswordChanged, nil)
	a.Log.InfoContext(ctx, "password changed", slog.String("user_id", actor.UserID))
	return nil
}

// SignOutEverywhere ends every GoTrue session of the signed-in person
// (scope=global). Their console sessions in other browsers end at their
// next request, when the console asks GoTrue about them (the sign-in page
// then says the session has ended). The caller ends this browser's.
func (a *Authenticator) SignOutEverywhere(ctx context.Context, actor tenant.Actor, s gotrue.Session) error {
	err := a.GoTrue.SignOutEverywhere(ctx, s.AccessToken)
	switch {
	case err == nil:
	case gotrue.HasCode(err, "session_not_found"):
		// This session had ended already; the others may not have. There
		// is no token left to end them with: say so rather than pretend.
		return sessionEnded(err)
	default:
		return a.codeRefusal(ctx, err)
	}
	a.audit(ctx, actor, tenant.ActionSignedOutEverywhere, nil)
	a.Log.InfoContext(ctx, "signed out everywhere", slog.String("user_id", actor.UserID))
	return nil
}
