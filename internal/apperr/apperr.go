// Package apperr holds the errors that mean something to a user. The web
// layer maps each to one HTTP status in one place; everything else is a 500.
package apperr

import (
	"errors"
	"sort"
	"strings"
)

var (
	// ErrNotFound: the thing does not exist, or the caller may not know it does.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the caller is known but their role does not allow this.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: a uniqueness rule or a stale version stopped the write.
	ErrConflict = errors.New("conflict")
	// ErrUnauthenticated: nobody is signed in.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrUnavailable: a dependency (the database, GoTrue) cannot be reached.
	ErrUnavailable = errors.New("unavailable")
	// ErrRefused: the database refused a value (a CHECK, NOT NULL, a
	// length, text it cannot store) that the field rules let through. It is
	// the person's input, so a 422, never a 500; a *RefusedError names the
	// column when the database did.
	ErrRefused = errors.New("value refused by the database")
	// ErrUpstream: a dependency (GoTrue) was reached and answered that it
	// failed (a 500): not the person's doing, and not an outage either.
	ErrUpstream = errors.New("upstream error")
)

// RefusedError is a value the database refused, with the column when it
// is known ("table.column", "" otherwise) and the constraint that refused
// it. It matches ErrRefused.
type RefusedError struct {
	Column     string
	Constraint string
}

func (e *RefusedError) Error() string {
	if e.Column == "" {
		return "value refused by the database (" + e.Constraint + ")"
	}
	return "value of " + e.Column + " refused by the database (" + e.Constraint + ")"
}

// Unwrap makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Unwrap() error { return ErrRefused }

// AsRefused unwraps err into a *RefusedError when it is one.
func AsRefused(err error) (*RefusedError, bool) {
	var r *RefusedError
	ok := errors.As(err, &r)
	return r, ok
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
