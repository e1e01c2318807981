package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/logging"
	errorviews "github.com/tenant-console/console/views/errors"
)

// problem is what a person is told about an error: never err.Error().
type problem struct {
	status  int
	title   string
	message string
}

// statusOf is the HTTP status of each kind of "no": the one place where
// the domain's refusals become statuses.
var statusOf = map[apperr.Kind]int{
	apperr.Internal:        http.StatusInternalServerError,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.Unauthenticated: http.StatusUnauthorized,
	apperr.Conflict:        http.StatusConflict,
	apperr.Invalid:         http.StatusUnprocessableEntity,
	apperr.Unavailable:     http.StatusServiceUnavailable,
	apperr.Upstream:        http.StatusBadGateway,
	apperr.RateLimited:     http.StatusTooManyRequests,
}

// errStatus is the status a handler answers err with when it shows err's
// message on its own page (a form with the refusal beside it).
func errStatus(err error) int { return statusOf[apperr.KindOf(err)] }

// general is what a person is told for a kind when the error carries no
// sentence of its own.
var general = map[apperr.Kind]problem{
	apperr.NotFound: {http.StatusNotFound, "Not found",
		"There is nothing here, or you may not see it. Check the address or go back to the list."},
	apperr.Unauthenticated: {http.StatusUnauthorized, "Sign in first",
		"Your session has ended or you have not signed in. Sign in and try again."},
	apperr.Forbidden: {http.StatusForbidden, "Not allowed",
		"Your role does not allow this. Ask a platform admin if you need it."},
	apperr.Conflict: {http.StatusConflict, "Changed meanwhile",
		"Someone changed this while you were working on it. Reload the page and try again."},
	apperr.Invalid: {http.StatusUnprocessableEntity, "Not saved",
		"A value you entered could not be saved, so nothing changed. Check for hidden characters or unusual values and try again."},
	apperr.Unavailable: {http.StatusServiceUnavailable, "Temporarily unavailable",
		"A service the console depends on is not answering. Try again shortly."},
	apperr.Upstream: {http.StatusBadGateway, "Service error",
		"A service the console depends on answered with an error. Try again shortly; if it keeps happening, tell the platform team."},
	apperr.RateLimited: {http.StatusTooManyRequests, "Too many requests", "Too many attempts. Try again in a minute."},
	apperr.Internal: {http.StatusInternalServerError, "Something went wrong",
		"The console hit an unexpected error. It has been logged; try again, and tell the platform team if it keeps happening."},
}

// classify maps an error to the one answer people get for it: the general
// text of its kind, or the sentence the domain wrote for the person.
func classify(err error) problem {
	var he *echo.HTTPError
	switch {
	case errors.Is(err, errCSRF):
		return problem{http.StatusForbidden, "Form expired",
			"This form has expired or did not come from this console. Reload the page and try again."}
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			return problem{http.StatusNotFound, "Page not found", "There is no page at this address."}
		case http.StatusMethodNotAllowed:
			return problem{http.StatusMethodNotAllowed, "Not allowed", "This address does not accept that kind of request."}
		case http.StatusRequestEntityTooLarge:
			return problem{http.StatusRequestEntityTooLarge, "Too large", "What you sent is too large."}
		case http.StatusTooManyRequests:
			return general[apperr.RateLimited]
		}
		if he.Code >= 400 && he.Code < 500 {
			return problem{he.Code, http.StatusText(he.Code), "The request could not be understood. Reload the page and try again."}
		}
		return general[apperr.Internal]
	}
	p := general[apperr.KindOf(err)]
	// Only a sentence the domain wrote for the person is shown; a
	// ValidationError's are per field, so its safety net is the general text.
	if msg := apperr.MessageOf(err); msg != "" && p.status < 500 {
		p.message = msg
		if p.status == http.StatusConflict {
			p.title = "Not possible now" // the state refuses it; nothing changed meanwhile
		}
	}
	return p
}

// errorHandler is the one place errors become answers: 5xx are logged as
// errors and 4xx as warnings, full requests get an error page and htmx
// requests a toast (HX-Trigger).
func (s *server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := classify(err)
	ctx := c.Request().Context()
	level := slog.LevelWarn
	if p.status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(ctx, level, "request failed", slog.Int("status", p.status),
		slog.String("path", c.Request().URL.Path), slog.Any("error", err))

	if isAPIRequest(c) {
		_ = writeProblem(c, p)
		return
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.status)
		return
	}
	if htmxOf(c).wantsFragment() {
		setToast(c, "error", p.message)
		_ = c.String(p.status, p.message)
		return
	}
	page := errorviews.Page(errorviews.Props{
		Chrome:    s.chrome(c, p.title, ""),
		Status:    p.status,
		Title:     p.title,
		Message:   p.message,
		RequestID: logging.RequestID(ctx),
	})
	if rerr := render(c, p.status, page); rerr != nil {
		s.log.ErrorContext(ctx, "render error page", slog.Any("error", rerr))
		_ = c.String(p.status, p.message)
	}
}

// errCSRF marks a refused state-changing request without a valid token.
var errCSRF = errors.New("csrf check failed")
