package gotrue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/tenant-console/console/internal/apperr"
)

// Error is a non-2xx answer from GoTrue. Code is GoTrue's error_code (for
// example "invalid_credentials"); callers decide on Code, never on Message,
// which is free text that GoTrue may reword.
type Error struct {
	Status  int
	Code    string
	Message string
	// Reasons comes with weak_password (e.g. ["length"]).
	Reasons []string
}

func (e *Error) Error() string {
	code := e.Code
	if code == "" {
		code = "no error code"
	}
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("GoTrue answered %d %s: %s", e.Status, code, msg)
}

// Unavailable reports whether the answer means GoTrue cannot be reached or
// cannot answer in time: 502, 503 and 504, which a proxy or gateway in front
// of it sends when GoTrue is down (and GoTrue itself for its own timeout).
func (e *Error) Unavailable() bool {
	return e.Status == http.StatusBadGateway || e.Status == http.StatusServiceUnavailable ||
		e.Status == http.StatusGatewayTimeout
}

// Failed reports whether GoTrue answered that it failed itself: a 500 (its
// database, a trigger on auth.users, SMTP) or another 5xx that is not about
// reaching it. The request may be fine; GoTrue is not.
func (e *Error) Failed() bool { return e.Status >= 500 && !e.Unavailable() }

// Is makes errors.Is(err, apperr.ErrUnavailable) hold for gateway answers
// (502/503/504), errors.Is(err, apperr.ErrUpstream) for GoTrue's own
// failures (500…) and errors.Is(err, apperr.ErrNotFound) for
// user_not_found, so the web layer can map them without knowing GoTrue.
func (e *Error) Is(target error) bool {
	switch target {
	case apperr.ErrUnavailable:
		return e.Unavailable()
	case apperr.ErrUpstream:
		return e.Failed()
	case apperr.ErrNotFound:
		return e.Code == "user_not_found"
	}
	return false
}

// UnreachableError means no answer came back at all: connection refused,
// DNS failure, timeout, cancelled context.
type UnreachableError struct {
	Err error
}

func (e *UnreachableError) Error() string { return "GoTrue unreachable: " + e.Err.Error() }
func (e *UnreachableError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, apperr.ErrUnavailable) hold.
func (e *UnreachableError) Is(target error) bool { return target == apperr.ErrUnavailable }

// BadResponseError is a 2xx answer whose body is not what GoTrue sends:
// the URL reaches something else (a web page, a proxy's placeholder) or the
// body was cut short. Like an unreachable GoTrue it reads as unavailable.
type BadResponseError struct {
	Status int
	Err    error
}

func (e *BadResponseError) Error() string {
	return fmt.Sprintf("GoTrue answered %d with a body that is not GoTrue's: %v", e.Status, e.Err)
}
func (e *BadResponseError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, apperr.ErrUnavailable) hold.
func (e *BadResponseError) Is(target error) bool { return target == apperr.ErrUnavailable }

// isDecodeError reports whether err is encoding/json failing on a body.
func isDecodeError(err error) bool {
	var (
		syntax  *json.SyntaxError
		mistype *json.UnmarshalTypeError
	)
	return errors.As(err, &syntax) || errors.As(err, &mistype) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// LogAttrs are what GoTrue said, for a log line: its status, error_code and
// msg (tokens already redacted), or nothing when err carries no answer.
func LogAttrs(err error) []any {
	var e *Error
	if !errors.As(err, &e) {
		return nil
	}
	return []any{slog.Int("gotrue_status", e.Status), slog.String("error_code", e.Code), slog.String("msg", e.Message)}
}

// HasCode reports whether err carries GoTrue's error_code code.
func HasCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// emailIndexViolation is how Postgres words a second account for one
// address in GoTrue's users table (index users_email_partial_key).
const emailIndexViolation = `duplicate key value violates unique constraint "users_email_partial_key"`

// EmailTaken reports whether err is GoTrue losing a race over an address:
// two creates or invites of one new address at once both pass its "is the
// address taken?" check, the second insert hits the unique index, and
// GoTrue answers 500 with the Postgres error as the body
// ({"code":"23505","message":"duplicate key value … \"users_email_partial_key\"",…};
// a GoTrue that wraps it keeps the same text in msg). The account exists
// then, exactly as with email_exists. Other 500s are GoTrue's own failures.
func EmailTaken(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusInternalServerError &&
		strings.Contains(e.Message, emailIndexViolation)
}

// statusLine is how gotrue-go reports every non-2xx answer; (?s) because
// the body may span lines (an HTML error page from a proxy).
var statusLine = regexp.MustCompile(`(?s)^response status code (\d{3})(?:: (.*))?$`)

// ParseError turns what gotrue-go returns into *Error (GoTrue answered with
// an error) or *UnreachableError (no answer). Anything else — a JSON decode
// failure on a 2xx, a nil error — is returned unchanged.
func ParseError(err error) error {
	if err == nil {
		return nil
	}
	var (
		ge *Error
		ue *UnreachableError
		be *BadResponseError
		ne *url.Error
	)
	switch {
	case errors.As(err, &ge), errors.As(err, &ue), errors.As(err, &be):
		return err
	case errors.As(err, &ne):
		return &UnreachableError{Err: err}
	}
	m := statusLine.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	status, _ := strconv.Atoi(m[1])
	return parseBody(status, []byte(m[2]))
}

// body covers every error shape GoTrue has used: the default
// {"code":400,"error_code":…,"msg":…}, the API-version one
// {"code":"…","message":…}, the legacy OAuth {"error":…,"error_description":…}
// and weak_password's extra field.
type body struct {
	Code             json.RawMessage `json:"code"`
	ErrorCode        string          `json:"error_code"`
	Msg              string          `json:"msg"`
	Message          string          `json:"message"`
	Err              string          `json:"error"`
	ErrorDescription string          `json:"error_description"`
	WeakPassword     *struct {
		Reasons []string `json:"reasons"`
	} `json:"weak_password"`
}

// parseBody builds an *Error from a status and a raw body. The status line
// is authoritative; the body only adds the code and message.
func parseBody(status int, raw []byte) *Error {
	e := &Error{Status: status}
	var b body
	if err := json.Unmarshal(bytes.TrimSpace(raw), &b); err != nil {
		// Not JSON (a proxy's HTML page, an empty body). The body is not
		// kept: it is unknown text and must never reach a log unread.
		return e
	}
	e.Code = b.ErrorCode
	if e.Code == "" {
		var s string
		if json.Unmarshal(b.Code, &s) == nil {
			e.Code = s
		}
	}
	if e.Code == "" {
		e.Code = b.Err
	}
	e.Message = firstNonEmpty(b.Msg, b.Message, b.ErrorDescription)
	e.Message = redactJWTs(e.Message)
	if b.WeakPassword != nil {
		e.Reasons = b.WeakPassword.Reasons
	}
	return e
}

// jwtShape matches anything that looks like a JWT. GoTrue does not echo
// tokens in messages, but Error() ends up in logs, so make sure.
var jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

func redactJWTs(s string) string { return jwtShape.ReplaceAllString(s, "[redacted]") }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
