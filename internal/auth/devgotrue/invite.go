package devgotrue

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
)

// invite is POST /invite (admin): an account with no password, marked
// invited. The invitation email is not sent; an invited account can sign in
// once an administrator sets its password and confirms it (PUT
// /admin/users/{id}).
func (s *Server) invite(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Email string         `json:"email"`
		Data  map[string]any `json:"data"`
	}
	if err := readJSON(r, &p); err != nil {
		return err
	}
	email, err := validateEmail(p.Email)
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := s.opts.Now()

	u, err := findUserByEmail(ctx, s.pool, email)
	switch {
	case errors.Is(err, errNoUser):
		u = userRow{
			ID: uuid.New(), Email: email, UserMetadata: p.Data,
			InvitedAt: &now, ConfirmationSentAt: &now, CreatedAt: now, UpdatedAt: now,
		}
		if err := insertUser(ctx, s.pool, u); err != nil {
			return err
		}
	case err != nil:
		return err
	case u.EmailConfirmedAt != nil:
		return errEmailExists()
	default:
		// Not accepted yet: invite again, keeping the account as it is.
		u.InvitedAt, u.ConfirmationSentAt, u.UpdatedAt = &now, &now, now
		if err := updateUser(ctx, s.pool, u); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, toJSON(u))
	return nil
}
