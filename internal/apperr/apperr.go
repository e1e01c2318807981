// Package apperr holds the errors that mean something to a user. The web
// layer maps each to one HTTP status in one place; everything else is a 500.
package apperr

import (
	"errors"
	"sort"
	"strings"
)

// Kind is what sort of "no" an error is. The domain and the adapters say
// the kind; only the web layer (web/errors.go) turns a kind into an HTTP
// status, so the same refusal answers the same everywhere.
type Kind int

const (
	// Internal: a bug or an unexpected failure; the person is told nothing
	// more than that it was logged.
	Internal Kind = iota
	// NotFound: the thing does not exist, or the caller may not know it does.
	NotFound
	// Forbidden: the caller is known but may not do this.
	Forbidden
	// Unauthenticated: nobody is signed in, or the credentials are wrong.
	Unauthenticated
	// Conflict: the current state does not allow it (a stale version, the
	// last owner, already suspended, a uniqueness rule).
	Conflict
	// Invalid: a value the person typed (a field rule, or a value the
	// database refused that the rules let through).
	Invalid
	// Unavailable: a dependency (the database, GoTrue) cannot be reached.
	Unavailable
	// Upstream: a dependency was reached and answered that it failed.
	Upstream
	// RateLimited: too many attempts; try again later.
	RateLimited
)

var kindNames = [...]string{"internal", "not found", "forbidden", "unauthenticated", "conflict",
	"invalid", "unavailable", "upstream error", "rate limited"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Error is the one user-facing error: a kind, and the sentence the person
// reads ("" for the kind's general text). Code narrows the kind for the
// code that needs to tell refusals apart (lifecycle's "already"); Field
// names the form field or "table.column" a refused value belongs to; Err is
// the cause, for the log only.
type Error struct {
	Kind    Kind
	Message string
	Code    string
	Field   string
	Err     error
}

// E returns an *Error of kind with the person's message.
func E(kind Kind, message string) *Error { return &Error{Kind: kind, Message: message} }

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	if e.Code != "" {
		b.WriteString(" (" + e.Code + ")")
	}
	if e.Field != "" {
		b.WriteString(" [" + e.Field + "]")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes every *Error match the bare error of its kind (ErrNotFound and
// the others below), so errors.Is(err, apperr.ErrConflict) asks "is this a
// conflict of any sort".
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.bare() && t.Kind == e.Kind
}

func (e *Error) bare() bool { return e.Message == "" && e.Code == "" && e.Field == "" && e.Err == nil }

// As returns the outermost *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf is the kind of err: its *Error's, Invalid for a *ValidationError,
// Internal for anything else (and nil).
func KindOf(err error) Kind {
	if err == nil {
		return Internal
	}
	if _, ok := AsValidation(err); ok {
		return Invalid
	}
	if e, ok := As(err); ok {
		return e.Kind
	}
	// An adapter's own error type may say its kind through an Is method.
	for _, bare := range []*Error{ErrNotFound, ErrForbidden, ErrUnauthenticated, ErrConflict,
		ErrUnavailable, ErrUpstream, ErrRateLimited, ErrRefused} {
		if errors.Is(err, bare) {
			return bare.Kind
		}
	}
	return Internal
}

// MessageOf is the sentence meant for the person in err's chain, or "".
func MessageOf(err error) string {
	var e *Error
	for cur := err; errors.As(cur, &e); cur = e.Err {
		if e.Message != "" {
			return e.Message
		}
	}
	return ""
}

// The bare errors of each kind, for wrapping (fmt.Errorf("…: %w",
// apperr.ErrNotFound)) and for errors.Is.
var (
	ErrNotFound        = &Error{Kind: NotFound}
	ErrForbidden       = &Error{Kind: Forbidden}
	ErrConflict        = &Error{Kind: Conflict}
	ErrUnauthenticated = &Error{Kind: Unauthenticated}
	ErrUnavailable     = &Error{Kind: Unavailable}
	ErrUpstream        = &Error{Kind: Upstream}
	ErrRateLimited     = &Error{Kind: RateLimited}
	// ErrRefused: a value the person typed was refused (by the database,
	// when the field rules let it through): never a 500.
	ErrRefused = &Error{Kind: Invalid}
)

// Refused is a value the database refused (a CHECK, NOT NULL, a length,
// text it cannot store), naming the column ("table.column") when the
// database did, and the constraint in Code.
func Refused(column, constraint string, cause error) *Error {
	return &Error{Kind: Invalid, Field: column, Code: constraint, Err: cause}
}

// AsRefused returns the database's refusal of a value in err's chain: an
// Invalid *Error with its column in Field ("" when it named none).
func AsRefused(err error) (*Error, bool) {
	e, ok := As(err)
	if !ok || e.Kind != Invalid {
		return nil, false
	}
	return e, true
}

// ValidationError carries one message per form field, shown beside the field.
type ValidationError struct {
	Fields map[string]string
}

// NewValidation returns an empty ValidationError to Add to.
func NewValidation() *ValidationError {
	return &ValidationError{Fields: map[string]string{}}
}

// Add records the first message for a field; later ones for it are dropped so
// the person sees one thing to fix at a time.
func (v *ValidationError) Add(field, message string) {
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = message
	}
}

// Has reports whether field has a message.
func (v *ValidationError) Has(field string) bool {
	_, ok := v.Fields[field]
	return ok
}

// Get returns the message of field, or "".
func (v *ValidationError) Get(field string) string {
	if v == nil {
		return ""
	}
	return v.Fields[field]
}

// OrNil returns v when it holds messages, else nil, for `return v.OrNil()`.
func (v *ValidationError) OrNil() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	return v
}

func (v *ValidationError) Error() string {
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+v.Fields[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// AsValidation unwraps err into a *ValidationError when it is one.
func AsValidation(err error) (*ValidationError, bool) {
	var v *ValidationError
	ok := errors.As(err, &v)
	return v, ok
}
