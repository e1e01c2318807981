package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/tenant"
)

// answering is a GoTrue that answers every request with status and body,
// and the body's error_code in X-Sb-Error-Code as GoTrue does.
func answering(t *testing.T, status int, code, body string) *gotrue.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if code != "" {
			w.Header().Set("X-Sb-Error-Code", code)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return gotrue.New(gotrue.Config{URL: srv.URL, AnonKey: "anon", ServiceRoleKey: "svc"})
}

func goTrueError(status int, code, msg string) string {
	return fmt.Sprintf(`{"code":%d,"error_code":%q,"msg":%q}`, status, code, msg)
}

// noAttempts is an AccessStore that counts nothing and grants nothing.
type noAttempts struct{}

func (noAttempts) LoadAccess(context.Context, string) (Access, error) { return Access{}, nil }
func (noAttempts) CountAttempt(context.Context, string, int) (int, error) {
	return 1, nil
}
func (noAttempts) Attempts(context.Context, string, int) (int, error) { return 0, nil }

func TestSignInRefusalsFollowGoTruesCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		code, body  string
		wantStatus  int
		wantMessage string
	}{
		{"wrong password", 400, "invalid_credentials", goTrueError(400, "invalid_credentials", "Invalid login credentials"),
			http.StatusUnauthorized, MsgInvalidCredentials},
		{"not confirmed", 400, "email_not_confirmed", goTrueError(400, "email_not_confirmed", "Email not confirmed"),
			http.StatusForbidden, MsgEmailNotConfirmed},
		{"banned", 400, "user_banned", goTrueError(400, "user_banned", "User is banned"),
			http.StatusForbidden, MsgBanned},
		{"GoTrue's rate limit", 429, "over_request_rate_limit", goTrueError(429, "over_request_rate_limit", "Request rate limit reached"),
			http.StatusTooManyRequests, MsgRateLimited},
		{"a proxy's rate limit", 429, "", "<html>Too Many Requests</html>",
			http.StatusTooManyRequests, MsgRateLimited},
		{"validation", 400, "validation_failed", goTrueError(400, "validation_failed", "missing email or phone"),
			http.StatusUnauthorized, MsgInvalidCredentials},
		{"legacy wrong password", 400, "", `{"error":"invalid_grant","error_description":"Invalid login credentials"}`,
			http.StatusUnauthorized, MsgInvalidCredentials},
		{"legacy not confirmed", 400, "", `{"error":"invalid_grant","error_description":"Email not confirmed"}`,
			http.StatusForbidden, MsgEmailNotConfirmed},
		{"email logins off", 422, "email_provider_disabled", goTrueError(422, "email_provider_disabled", "Email logins are disabled"),
			http.StatusServiceUnavailable, MsgUnavailable},
		{"captcha on", 400, "captcha_failed", goTrueError(400, "captcha_failed", "captcha protection: request disallowed"),
			http.StatusServiceUnavailable, MsgUnavailable},
		{"gateway refuses the apikey", 401, "", `{"message":"Invalid API key"}`,
			http.StatusServiceUnavailable, MsgUnavailable},
		{"server failure", 500, "unexpected_failure", goTrueError(500, "unexpected_failure", "Database error querying schema"),
			http.StatusBadGateway, MsgServiceError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := &Authenticator{
				GoTrue: answering(t, tt.status, tt.code, tt.body),
				Store:  noAttempts{},
				Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
			}
			_, _, err := a.SignIn(t.Context(), "ada@example.com", "pw-123456", "192.0.2.1")
			// The statuses web/errors.go gives each kind.
			kinds := map[int]apperr.Kind{
				http.StatusUnauthorized: apperr.Unauthenticated, http.StatusForbidden: apperr.Forbidden,
				http.StatusTooManyRequests: apperr.RateLimited, http.StatusServiceUnavailable: apperr.Unavailable,
				http.StatusBadGateway: apperr.Upstream,
			}
			if kind, msg := apperr.KindOf(err), apperr.MessageOf(err); kind != kinds[tt.wantStatus] || msg != tt.wantMessage {
				t.Errorf("refusal = %s %q, want %s %q", kind, msg, kinds[tt.wantStatus], tt.wantMessage)
			}
		})
	}
}

func TestAccountErrorsInDomainTerms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		code, body string
		check      func(error) bool
	}{
		{"exists", 422, "email_exists", goTrueError(422, "email_exists", "A user with this email address has already been registered"),
			func(err error) bool { return errors.Is(err, tenant.ErrAccountExists) }},
		{"malformed", 400, "validation_failed", goTrueError(400, "validation_failed", "Unable to validate email address: invalid format"),
			func(err error) bool { return errors.Is(err, tenant.ErrAccountRejected) }},
		{"not authorized", 400, "email_address_not_authorized",
			goTrueError(400, "email_address_not_authorized", `Email address "a@example.com" cannot be used as it is not authorized`),
			func(err error) bool { return errors.Is(err, tenant.ErrAccountRejected) }},
		{"undeliverable", 400, "email_address_invalid", goTrueError(400, "email_address_invalid", `Email address "a@example.com" is invalid`),
			func(err error) bool { return errors.Is(err, tenant.ErrAccountRejected) }},
		{"e-mail rate limit", 429, "over_email_send_rate_limit", goTrueError(429, "over_email_send_rate_limit", "email rate limit exceeded"),
			func(err error) bool { return errors.Is(err, apperr.ErrUnavailable) }},
		{"SMTP failure", 500, "unexpected_failure", goTrueError(500, "unexpected_failure", "Error sending invite email"),
			func(err error) bool {
				return errors.Is(err, apperr.ErrUpstream) && !errors.Is(err, apperr.ErrUnavailable)
			}},
		{"two requests for one new address", 500, "unexpected_failure",
			`{"code":"23505","message":"duplicate key value violates unique constraint \"users_email_partial_key\"","detail":"Key (email)=(a@example.com) already exists."}`,
			func(err error) bool {
				return errors.Is(err, tenant.ErrAccountExists) && !errors.Is(err, apperr.ErrUpstream)
			}},
		{"a proxy in front of GoTrue", 502, "", "<html><body>502 Bad Gateway</body></html>",
			func(err error) bool {
				return errors.Is(err, apperr.ErrUnavailable) && !errors.Is(err, apperr.ErrUpstream)
			}},
		{"weak password", 422, "weak_password",
			`{"code":422,"error_code":"weak_password","msg":"Password is known to be weak","weak_password":{"reasons":["pwned"]}}`,
			func(err error) bool {
				var weak *tenant.PasswordRejectedError
				return errors.As(err, &weak) && strings.Contains(weak.Reason, "data breach")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			acc := Accounts{Client: answering(t, tt.status, tt.code, tt.body)}
			_, createErr := acc.Create(t.Context(), "a@example.com", "a-long-password", "Ada")
			_, inviteErr := acc.Invite(t.Context(), "a@example.com", "Ada")
			for op, err := range map[string]error{"create": createErr, "invite": inviteErr} {
				if !tt.check(err) {
					t.Errorf("%s: %v", op, err)
				}
			}
		})
	}
}

func TestWeakPasswordMessages(t *testing.T) {
	t.Parallel()
	for reasons, want := range map[string]string{
		"length":     "The sign-in service requires a longer password.",
		"characters": "The sign-in service requires more kinds of characters in a password (lower- and upper-case letters, digits, symbols).",
		"pwned":      "The sign-in service refused this password: it is known from a data breach. Choose another.",
		"":           "The sign-in service refused this password as too weak.",
	} {
		var rs []string
		if reasons != "" {
			rs = []string{reasons}
		}
		if got := weakPasswordMessage(rs); got != want {
			t.Errorf("weakPasswordMessage(%v) = %q, want %q", rs, got, want)
		}
	}
}

func TestCheckUserEndsSessionsOnlyForTheAccountsOwnRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		code, body string
		ended      string // the message when the session ends
		unavail    bool   // else: GoTrue failing (ErrUpstream)
	}{
		{"banned", 403, "user_banned", goTrueError(403, "user_banned", "User is banned"), MsgBanned, false},
		{"deleted", 403, "user_not_found", goTrueError(403, "user_not_found", "User from sub claim in JWT does not exist"), MsgSessionEnded, false},
		{"signed out everywhere", 403, "session_not_found",
			goTrueError(403, "session_not_found", "Session from session_id claim in JWT does not exist"), MsgSessionEnded, false},
		{"gateway refuses the apikey", 401, "", `{"message":"Invalid API key"}`, "", false},
		{"expired by GoTrue's clock", 403, "bad_jwt", goTrueError(403, "bad_jwt", "invalid JWT: token is expired"), "", false},
		{"server failure", 500, "unexpected_failure", goTrueError(500, "unexpected_failure", "Database error"), "", false},
		{"gateway down", 503, "", "<html>Service Unavailable</html>", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := &Authenticator{GoTrue: answering(t, tt.status, tt.code, tt.body)}
			_, err := a.CheckUser(t.Context(), "a.b.c")
			var gone *SessionEndedError
			switch {
			case tt.ended != "":
				if !errors.As(err, &gone) || gone.Message != tt.ended {
					t.Fatalf("CheckUser() = %v, want the session ended with %q", err, tt.ended)
				}
			case errors.As(err, &gone):
				t.Fatalf("CheckUser() ended the session: %v", err)
			case tt.unavail && !errors.Is(err, apperr.ErrUnavailable):
				t.Fatalf("CheckUser() = %v, want unavailable", err)
			case !tt.unavail && !errors.Is(err, apperr.ErrUpstream):
				t.Fatalf("CheckUser() = %v, want GoTrue failing", err)
			}
		})
	}
}
