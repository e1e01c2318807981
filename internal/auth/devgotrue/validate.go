package devgotrue

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// minPasswordLength is GoTrue's default password policy.
const minPasswordLength = 6

// emailFormat is the check GoTrue uses (badoux/checkmail's ValidateFormat).
var emailFormat = regexp.MustCompile(`^[a-zA-Z0-9.!#$%&'*+/=?^_` + "`" +
	`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$`)

// validateEmail returns the address lower-cased, as GoTrue stores it.
func validateEmail(email string) (string, error) {
	switch {
	case email == "":
		return "", newError(http.StatusBadRequest, "validation_failed", "An email address is required")
	case len(email) > 255:
		return "", newError(http.StatusBadRequest, "validation_failed", "An email address is too long")
	case !emailFormat.MatchString(email):
		return "", newError(http.StatusBadRequest, "validation_failed", "Unable to validate email address: invalid format")
	}
	return strings.ToLower(email), nil
}

// checkPasswordStrength is the policy of /signup and of password changes;
// POST /admin/users skips it, as GoTrue does.
func checkPasswordStrength(password string) error {
	if len(password) < minPasswordLength {
		e := newError(http.StatusUnprocessableEntity, "weak_password",
			"Password should be at least %d characters.", minPasswordLength)
		e.reasons = []string{"length"}
		return e
	}
	return nil
}

// hashPassword hashes with cost; bcrypt's 72-byte limit is GoTrue's
// validation_failed.
func hashPassword(password string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if errors.Is(err, bcrypt.ErrPasswordTooLong) {
		return "", newError(http.StatusBadRequest, "validation_failed", "%v", err)
	}
	if err != nil {
		return "", errf("hash password", err)
	}
	return string(h), nil
}

// randomPasswordHash stands for the random password GoTrue gives an admin-made
// account without one. Nobody knows it, so the cheapest cost will do.
func randomPasswordHash() (string, error) {
	b := make([]byte, 48)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hashPassword(base64.RawURLEncoding.EncodeToString(b), bcrypt.MinCost)
}

func passwordMatches(hash *string, password string) bool {
	return hash != nil && bcrypt.CompareHashAndPassword([]byte(*hash), []byte(password)) == nil
}
