package devgotrue

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// apiError is an error answer, written as GoTrue writes its HTTPError.
type apiError struct {
	status  int
	code    string // error_code
	msg     string
	reasons []string // only for weak_password
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.msg) }

// postgresError is a database error GoTrue lets through to the answer
// (utilities.NewPostgresError in GoTrue): integrity violations such as a
// unique index refusing a second account for one address when two requests
// race. The initial error shape is the Postgres error itself,
// {"code":"23505","message":…,"detail":…}, with the header saying
// unexpected_failure; the 2024-01-01 shape only has msg, GoTrue's own words.
type postgresError struct {
	status int
	pg     *pgconn.PgError
	msg    string
}

func (e *postgresError) Error() string { return e.msg + ": " + e.pg.Error() }

// oauthError is GoTrue's OAuthError, which a few token paths still answer:
// 400 {"error":…,"error_description":…}.
type oauthError struct {
	code        string
	description string
}

func (e *oauthError) Error() string { return e.code + ": " + e.description }

func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

func errInvalidCredentials() *apiError {
	return newError(http.StatusBadRequest, "invalid_credentials", "Invalid login credentials")
}

func errEmailExists() *apiError {
	return newError(http.StatusUnprocessableEntity, "email_exists",
		"A user with this email address has already been registered")
}

// apiVersionHeader selects the error body shape, as in GoTrue.
const apiVersionHeader = "X-Supabase-Api-Version"

// apiVersion20240101 is the first (and only) version that changes the body.
var apiVersion20240101 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// newErrorShape reports whether r asks for the 2024-01-01 error body. Like
// GoTrue, any later date picks the closest known version and an unreadable
// one falls back to the initial shape.
func newErrorShape(r *http.Request) bool {
	v, err := time.Parse(time.DateOnly, r.Header.Get(apiVersionHeader))
	return err == nil && !v.Before(apiVersion20240101)
}

// writeError answers err: an *apiError as such, anything else as GoTrue's
// 500 unexpected_failure, logged (the answer never carries internals).
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var oe *oauthError
	if errors.As(err, &oe) {
		// GoTrue's OAuthError: always 400, its own body, no error code header.
		writeJSON(w, http.StatusBadRequest, struct {
			Error       string `json:"error"`
			Description string `json:"error_description,omitempty"`
		}{oe.code, oe.description})
		return
	}
	var pe *postgresError
	if errors.As(err, &pe) {
		log.WarnContext(r.Context(), "devgotrue: database refused the request", "method", r.Method, "path", r.URL.Path, "error", pe.pg.Message)
		err = newError(pe.status, "unexpected_failure", "%s", pe.msg)
		if !newErrorShape(r) {
			w.Header().Set("X-Sb-Error-Code", "unexpected_failure")
			writeJSON(w, pe.status, struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Hint    string `json:"hint,omitempty"`
				Detail  string `json:"detail,omitempty"`
			}{pe.pg.Code, pe.pg.Message, pe.pg.Hint, pe.pg.Detail})
			return
		}
	}
	var e *apiError
	if !errors.As(err, &e) {
		log.ErrorContext(r.Context(), "devgotrue: request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		e = newError(http.StatusInternalServerError, "unexpected_failure",
			"Unexpected failure, please check server logs for more information")
	}
	newShape := newErrorShape(r)
	// GoTrue sets the header on every error but weak_password in the
	// 2024-01-01 shape (its WeakPasswordError branch leaves it out).
	if !newShape || len(e.reasons) == 0 {
		w.Header().Set("X-Sb-Error-Code", e.code)
	}
	if newShape {
		w.Header().Set(apiVersionHeader, apiVersion20240101.Format(time.DateOnly))
		writeJSON(w, e.status, struct {
			Code         string        `json:"code"`
			Message      string        `json:"message"`
			WeakPassword *weakPassword `json:"weak_password,omitempty"`
		}{e.code, e.msg, e.weakPassword()})
		return
	}
	writeJSON(w, e.status, struct {
		Code         int           `json:"code"`
		ErrorCode    string        `json:"error_code"`
		Msg          string        `json:"msg"`
		WeakPassword *weakPassword `json:"weak_password,omitempty"`
	}{e.status, e.code, e.msg, e.weakPassword()})
}

type weakPassword struct {
	Reasons []string `json:"reasons"`
}

func (e *apiError) weakPassword() *weakPassword {
	if len(e.reasons) == 0 {
		return nil
	}
	return &weakPassword{Reasons: e.reasons}
}
