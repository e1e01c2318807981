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
	// ErrUpstream: a dependency (GoTrue) was reached and answered that it
	// failed (a 500): not the person's doing, and not an outage either.
	ErrUpstream = errors.New("upstream error")
)

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
