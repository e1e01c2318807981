package devgotrue

import (
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// confirmationFrequency is GoTrue's default SMTP max frequency: a
// confirmation is sent to an address at most once a minute.
const confirmationFrequency = time.Minute

// signup is POST /signup, checking in GoTrue's order (supabase/auth
// internal/api/api.go's /signup route, signup.go Signup). It keeps GoTrue's
// enumeration protection: with autoconfirm off, an address that already has
// a confirmed account gets a 200 with a made-up user, never an error.
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
		return newError(http.StatusBadRequest, "validation_failed", "Signup requires a valid password")
	}
	if err := checkPasswordStrength(p.Password); err != nil {
		return err
	}
	switch {
	case p.Email != "" && p.Phone != "":
		return newError(http.StatusBadRequest, "validation_failed",
			"Only an email address or phone number should be provided on signup.")
	case p.Phone != "":
		return newError(http.StatusBadRequest, "phone_provider_disabled", "Phone signups are disabled")
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
		writeJSON(w, http.StatusOK, fakeSignupUser(email, p.Data, now))
		return nil
	default:
		// Not confirmed yet: GoTrue sends the confirmation again (at most
		// once a minute) and answers with the account, unchanged otherwise;
		// an invited one without its data and identities.
		if sent := existing.ConfirmationSentAt; sent != nil && sent.Add(confirmationFrequency).After(now) {
			left := sent.Add(confirmationFrequency).Sub(now) / time.Second
			return newError(http.StatusTooManyRequests, "over_email_send_rate_limit",
				"For security purposes, you can only request this after %d seconds.", left)
		}
		existing.ConfirmationSentAt, existing.UpdatedAt = &now, now
		if err := updateUser(ctx, s.pool, existing); err != nil {
			return err
		}
		u := toJSON(existing)
		if existing.InvitedAt != nil {
			u.UserMetadata, u.Identities = map[string]any{}, []identityJSON{}
		}
		writeJSON(w, http.StatusOK, u)
		return nil
	}

	hash, err := hashPassword(p.Password, s.opts.PasswordHashCost)
	if err != nil {
		return err
	}
	u := userRow{ID: uuid.New(), Email: email, EncryptedPassword: &hash, CreatedAt: now, UpdatedAt: now}
	// GoTrue makes the new email identity's data the user_metadata, the
	// signup's data filling in what the identity does not say.
	u.UserMetadata = map[string]any{"sub": u.ID.String(), "email": email, "email_verified": false, "phone_verified": false}
	for k, v := range p.Data {
		if _, ok := u.UserMetadata[k]; !ok {
			u.UserMetadata[k] = v
		}
	}
	if s.opts.Autoconfirm {
		confirm(&u, now)
	} else {
		u.ConfirmationSentAt = &now
	}
	if err := insertUser(ctx, s.pool, u); err != nil {
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

// confirm is GoTrue's User.Confirm: email_confirmed_at, and
// user_metadata.email_verified set to true.
func confirm(u *userRow, now time.Time) {
	u.EmailConfirmedAt = &now
	u.UserMetadata = mergeMetadata(u.UserMetadata, map[string]any{"email_verified": true})
}

// fakeSignupUser is GoTrue's sanitizeUser: a fresh id and timestamps, no
// role, so the answer for a taken address looks like the answer for a new one.
func fakeSignupUser(email string, data map[string]any, now time.Time) userJSON {
	u := toJSON(userRow{ID: uuid.New(), Email: email, ConfirmationSentAt: &now, UserMetadata: data, CreatedAt: now, UpdatedAt: now})
	u.Role = ""
	u.Identities = []identityJSON{}
	return u
}
