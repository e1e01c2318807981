package tenant

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
)

var (
	newIDPattern = regexp.MustCompile(`^tn_[0-9a-f]{8}_[0-9a-z]{4}$`)
	// Legacy slugs such as "africastay" are kept as they are.
	anyIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
)

const idSuffixAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

// NewID returns a fresh tenant id: "tn_" + 8 hex + "_" + 4 lower-case
// alphanumerics, e.g. tn_1f3a9c0b_k3xq.
func NewID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("tenant: crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	suffix := make([]byte, 4)
	for i := range suffix {
		suffix[i] = idSuffixAlphabet[int(b[4+i])%len(idSuffixAlphabet)]
	}
	return "tn_" + hex.EncodeToString(b[:4]) + "_" + string(suffix)
}

// IsGeneratedID reports whether id has the shape NewID produces.
func IsGeneratedID(id string) bool { return newIDPattern.MatchString(id) }

// ValidID reports whether id may name a tenant (a generated id or a legacy slug).
func ValidID(id string) bool { return anyIDPattern.MatchString(id) }
