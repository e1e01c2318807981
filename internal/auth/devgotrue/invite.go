package devgotrue

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
)

// invite is POST /invite (admin): an account with no password, marked
// invited. The invitation e-mail goes to the mailbox: its link (GET /verify)
// confirms the account and signs the person in, who then sets a password
// with PUT /user. An administrator can also set the password and confirm
// the account (PUT /admin/users/{id}).
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
	if err := s.sendLink(ctx, r, s.pool, u, LinkInvite, now); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toJSON(u))
	return nil
}
