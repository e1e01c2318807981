package devgotrue

import (
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// signup is POST /signup. It keeps GoTrue's enumeration protection: with
// autoconfirm off, an address that already has a confirmed account gets a
// 200 with a made-up user, never an error.
func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Email    string         `json:"email"`
		Phone    string         `json:"phone"`
		Password string         `json:"password"`
		Data     map[string]any `json:"data"`
	}
	if err := readJSON(r, &p); err != nil {
		return err
	}
	switch {
	case p.Email == "" && p.Phone == "":
		return newError(http.StatusUnprocessableEntity, "anonymous_provider_disabled", "Anonymous sign-ins are disabled")
	case p.Password == "":
		return newError(http.StatusUnprocessableEntity, "validation_failed", "Signup requires a valid password")
	}
	if err := checkPasswordStrength(p.Password); err != nil {
		return err
	}
	if p.Phone != "" {
		return newError(http.StatusUnprocessableEntity, "phone_provider_disabled", "Phone signups are disabled")
	}
	email, err := validateEmail(p.Email)
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := s.opts.Now()

	existing, err := findUserByEmail(ctx, s.pool, email)
	switch {
	case errors.Is(err, errNoUser):
	case err != nil:
		return err
	case s.opts.Autoconfirm:
		// For an unconfirmed account (an open invitation) GoTrue would
		// confirm it and sign the caller in without checking any password;
		// the dev server refuses, so a signup cannot take an invitation over.
		return newError(http.StatusUnprocessableEntity, "user_already_exists", "User already registered")
	case existing.EmailConfirmedAt != nil:
		writeJSON(w, http.StatusOK, fakeSignupUser(email, p.Data, s.opts.Now))
		return nil
	default:
		// Not confirmed yet: GoTrue sends the confirmation again and
		// answers with the account, unchanged otherwise.
		existing.ConfirmationSentAt, existing.UpdatedAt = &now, now
		if err := updateUser(ctx, s.pool, existing); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, toJSON(existing))
		return nil
	}

	hash, err := hashPassword(p.Password, s.opts.PasswordHashCost)
	if err != nil {
		return err
	}
	u := userRow{
		ID: uuid.New(), Email: email, EncryptedPassword: &hash,
		UserMetadata: p.Data, CreatedAt: now, UpdatedAt: now,
	}
	if s.opts.Autoconfirm {
		u.EmailConfirmedAt = &now
	} else {
		u.ConfirmationSentAt = &now
	}
	if err := insertUser(ctx, s.pool, u); errors.Is(err, errEmailTaken) {
		return newError(http.StatusUnprocessableEntity, "user_already_exists", "User already registered")
	} else if err != nil {
		return err
	}
	if !s.opts.Autoconfirm {
		writeJSON(w, http.StatusOK, toJSON(u))
		return nil
	}
	res, err := s.signIn(ctx, u, now)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// fakeSignupUser is GoTrue's sanitizeUser: a fresh id and timestamps, so the
// answer for a taken address looks like the answer for a new one.
func fakeSignupUser(email string, data map[string]any, now func() time.Time) userJSON {
	t := now()
	u := toJSON(userRow{ID: uuid.New(), Email: email, ConfirmationSentAt: &t, UserMetadata: data, CreatedAt: t, UpdatedAt: t})
	u.Identities = []identityJSON{}
	return u
}
