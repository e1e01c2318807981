package gotrue

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/apperr"
)

// libError is exactly how gotrue-go v1.2.0 reports a non-2xx answer.
func libError(status int, body string) error {
	return fmt.Errorf("response status code %d: %s", status, body)
}

func TestParseErrorReadsRecordedBodies(t *testing.T) {
	t.Parallel()
	const nginx502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
		"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

	tests := []struct {
		name        string
		in          error
		status      int
		code        string
		message     string
		reasons     []string
		unavailable bool
		failed      bool
	}{
		{
			name:   "invalid credentials",
			in:     libError(400, `{"code":400,"error_code":"invalid_credentials","msg":"Invalid login credentials"}`),
			status: 400, code: "invalid_credentials", message: "Invalid login credentials",
		},
		{
			name:   "invalid credentials, api version 2024-01-01",
			in:     libError(400, `{"code":"invalid_credentials","message":"Invalid login credentials"}`),
			status: 400, code: "invalid_credentials", message: "Invalid login credentials",
		},
		{
			name:   "email not confirmed",
			in:     libError(400, `{"code":400,"error_code":"email_not_confirmed","msg":"Email not confirmed"}`),
			status: 400, code: "email_not_confirmed", message: "Email not confirmed",
		},
		{
			name:   "user banned",
			in:     libError(400, `{"code":400,"error_code":"user_banned","msg":"User is banned"}`),
			status: 400, code: "user_banned", message: "User is banned",
		},
		{
			name:   "user banned on an existing token",
			in:     libError(403, `{"code":403,"error_code":"user_banned","msg":"User is banned"}`),
			status: 403, code: "user_banned", message: "User is banned",
		},
		{
			name: "form body instead of JSON",
			in: libError(400, `{"code":400,"error_code":"bad_json","msg":"Could not parse request body as JSON: `+
				`invalid character 'e' looking for beginning of value"}`),
			status: 400, code: "bad_json",
			message: "Could not parse request body as JSON: invalid character 'e' looking for beginning of value",
		},
		{
			name: "email exists",
			in: libError(422, `{"code":422,"error_code":"email_exists",`+
				`"msg":"A user with this email address has already been registered"}`),
			status: 422, code: "email_exists", message: "A user with this email address has already been registered",
		},
		{
			name: "email exists, api version 2024-01-01",
			in: libError(422, `{"code":"email_exists",`+
				`"message":"A user with this email address has already been registered"}`),
			status: 422, code: "email_exists", message: "A user with this email address has already been registered",
		},
		{
			name:   "user already exists",
			in:     libError(422, `{"code":422,"error_code":"user_already_exists","msg":"User already registered"}`),
			status: 422, code: "user_already_exists", message: "User already registered",
		},
		{
			name: "bad pagination",
			in: libError(400, `{"code":400,"error_code":"validation_failed",`+
				`"msg":"Bad Pagination Parameters: strconv.ParseUint: parsing \"abc\": invalid syntax"}`),
			status: 400, code: "validation_failed",
			message: `Bad Pagination Parameters: strconv.ParseUint: parsing "abc": invalid syntax`,
		},
		{
			name:   "unknown user id",
			in:     libError(404, `{"code":404,"error_code":"user_not_found","msg":"User not found"}`),
			status: 404, code: "user_not_found", message: "User not found",
		},
		{
			name:   "user id not a UUID",
			in:     libError(404, `{"code":404,"error_code":"validation_failed","msg":"user_id must be an UUID"}`),
			status: 404, code: "validation_failed", message: "user_id must be an UUID",
		},
		{
			name: "signed out session",
			in: libError(403, `{"code":403,"error_code":"session_not_found",`+
				`"msg":"Session from session_id claim in JWT does not exist"}`),
			status: 403, code: "session_not_found", message: "Session from session_id claim in JWT does not exist",
		},
		{
			name: "weak password carries reasons",
			in: libError(422, `{"code":422,"error_code":"weak_password","msg":"Password should be at least 6 characters.",`+
				`"weak_password":{"reasons":["length"]}}`),
			status: 422, code: "weak_password", message: "Password should be at least 6 characters.",
			reasons: []string{"length"},
		},
		{
			name: "weak password, api version 2024-01-01",
			in: libError(422, `{"code":"weak_password","message":"Password should be at least 6 characters.",`+
				`"weak_password":{"reasons":["length"]}}`),
			status: 422, code: "weak_password", message: "Password should be at least 6 characters.",
			reasons: []string{"length"},
		},
		{
			name: "no bearer on an admin route",
			in: libError(401, `{"code":401,"error_code":"no_authorization",`+
				`"msg":"This endpoint requires a valid Bearer token"}`),
			status: 401, code: "no_authorization", message: "This endpoint requires a valid Bearer token",
		},
		{
			name:   "anon key on an admin route",
			in:     libError(403, `{"code":403,"error_code":"not_admin","msg":"User not allowed"}`),
			status: 403, code: "not_admin", message: "User not allowed",
		},
		{
			name:   "rate limited",
			in:     libError(429, `{"code":429,"error_code":"over_request_rate_limit","msg":"Request rate limit reached"}`),
			status: 429, code: "over_request_rate_limit", message: "Request rate limit reached",
		},
		{
			name:   "legacy OAuth body",
			in:     libError(400, `{"error":"invalid_grant","error_description":"Invalid login credentials"}`),
			status: 400, code: "invalid_grant", message: "Invalid login credentials",
		},
		{
			name: "server failure",
			in: libError(500, `{"code":500,"error_code":"unexpected_failure",`+
				`"msg":"Unexpected failure, please check server logs for more information","error_id":"abc"}`),
			status: 500, code: "unexpected_failure",
			message: "Unexpected failure, please check server logs for more information",
			failed:  true,
		},
		{
			name:   "HTML page from a proxy",
			in:     libError(502, nginx502),
			status: 502, unavailable: true,
		},
		{
			name:   "plain-text 404 for an unknown route",
			in:     libError(404, "404 page not found\n"),
			status: 404,
		},
		{
			name:   "status without a body (gotrue-go could not read it)",
			in:     fmt.Errorf("response status code %d", 503),
			status: 503, unavailable: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ParseError(tt.in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseError() = %T %v, want *Error", err, err)
			}
			if e.Status != tt.status || e.Code != tt.code || e.Message != tt.message {
				t.Errorf("got {%d %q %q}, want {%d %q %q}", e.Status, e.Code, e.Message, tt.status, tt.code, tt.message)
			}
			if !slices.Equal(e.Reasons, tt.reasons) {
				t.Errorf("Reasons = %v, want %v", e.Reasons, tt.reasons)
			}
			if got := errors.Is(err, apperr.ErrUnavailable); got != tt.unavailable {
				t.Errorf("errors.Is(err, ErrUnavailable) = %v, want %v", got, tt.unavailable)
			}
			if got := errors.Is(err, apperr.ErrUpstream); got != tt.failed {
				t.Errorf("errors.Is(err, ErrUpstream) = %v, want %v", got, tt.failed)
			}
			if tt.code != "" && !HasCode(fmt.Errorf("wrapped: %w", err), tt.code) {
				t.Errorf("HasCode(wrapped, %q) = false", tt.code)
			}
			if strings.Contains(err.Error(), "<html>") {
				t.Errorf("Error() = %q carries the raw body", err.Error())
			}
		})
	}
}

func TestParseErrorNetworkFailureIsUnreachable(t *testing.T) {
	t.Parallel()
	cause := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/token?grant_type=password", Err: context.DeadlineExceeded}
	err := ParseError(cause)
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("ParseError() = %T, want *UnreachableError", err)
	}
	if !errors.Is(err, apperr.ErrUnavailable) {
		t.Error("unreachable GoTrue does not match apperr.ErrUnavailable")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("the cause is lost")
	}
	if HasCode(err, "") {
		t.Error("an unreachable error has no GoTrue code")
	}
}

func TestParseErrorLeavesOtherErrorsAlone(t *testing.T) {
	t.Parallel()
	if ParseError(nil) != nil {
		t.Error("ParseError(nil) != nil")
	}
	other := errors.New("json: cannot unmarshal string into Go value of type types.User")
	if got := ParseError(other); got != other {
		t.Errorf("ParseError(other) = %v, want it unchanged", got)
	}
	already := &Error{Status: 400, Code: "bad_json"}
	if got := ParseError(fmt.Errorf("op: %w", already)); !errors.Is(got, already) {
		t.Errorf("an already parsed error was rebuilt: %v", got)
	}
}

func TestErrorTextNeverCarriesTokens(t *testing.T) {
	t.Parallel()
	const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
	err := ParseError(libError(403, `{"code":403,"error_code":"bad_jwt","msg":"invalid JWT `+token+`"}`))
	if strings.Contains(err.Error(), token) {
		t.Errorf("Error() = %q shows the token", err.Error())
	}
	if !HasCode(err, "bad_jwt") {
		t.Errorf("code lost: %v", err)
	}
}

func TestNotFoundAnswersMatchErrNotFound(t *testing.T) {
	t.Parallel()
	err := ParseError(libError(404, `{"code":404,"error_code":"user_not_found","msg":"User not found"}`))
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Error("user_not_found does not match apperr.ErrNotFound")
	}
	err = ParseError(libError(404, "404 page not found\n"))
	if errors.Is(err, apperr.ErrNotFound) {
		t.Error("an unknown route (a misconfigured URL) must not read as a missing user")
	}
}

// The race over one new address (see EmailTaken): GoTrue's answer is the
// Postgres error itself, or the same text in msg when something wraps it.
func TestEmailTakenReadsTheUniqueViolation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   error
		want bool
	}{
		{"Postgres body", libError(500, `{"code":"23505","message":"duplicate key value violates unique constraint \"users_email_partial_key\"","detail":"Key (email)=(chanda@zambezicanoe.example) already exists."}`), true},
		{"wrapped in msg", libError(500, `{"code":500,"error_code":"unexpected_failure","msg":"ERROR: duplicate key value violates unique constraint \"users_email_partial_key\" (SQLSTATE 23505)"}`), true},
		{"another index", libError(500, `{"code":"23505","message":"duplicate key value violates unique constraint \"identities_pkey\""}`), false},
		{"GoTrue's own failure", libError(500, `{"code":500,"error_code":"unexpected_failure","msg":"Database error saving new user"}`), false},
		{"email_exists", libError(422, `{"code":422,"error_code":"email_exists","msg":"A user with this email address has already been registered"}`), false},
		{"the text on another status", libError(400, `{"code":400,"error_code":"validation_failed","msg":"duplicate key value violates unique constraint \"users_email_partial_key\""}`), false},
	}
	for _, tt := range tests {
		if got := EmailTaken(fmt.Errorf("create user: %w", ParseError(tt.in))); got != tt.want {
			t.Errorf("%s: EmailTaken = %v, want %v", tt.name, got, tt.want)
		}
	}
}
