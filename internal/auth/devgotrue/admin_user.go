package devgotrue

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// adminGetUser is GET /admin/users/{id}.
func (s *Server) adminGetUser(w http.ResponseWriter, r *http.Request, u userRow) error {
	writeJSON(w, http.StatusOK, toJSON(u))
	return nil
}

// adminUpdateUser is PUT /admin/users/{id}: email, password, confirmation,
// metadata and bans. A new password does follow the policy here, and ends
// every session of the account, as in GoTrue.
func (s *Server) adminUpdateUser(w http.ResponseWriter, r *http.Request, u userRow) error {
	var p adminUserParams
	if err := readJSON(r, &p); err != nil {
		return err
	}
	ctx := r.Context()
	now := s.opts.Now()

	if p.Email != "" {
		email, err := validateEmail(p.Email)
		if err != nil {
			return err
		}
		if other, err := findUserByEmail(ctx, s.pool, email); err == nil && other.ID != u.ID {
			return errEmailExists()
		} else if err != nil && !errors.Is(err, errNoUser) {
			return err
		}
		u.Email = email
	}
	ban, banned, err := p.banDuration()
	if err != nil {
		return err
	}
	if p.Password != nil {
		if err := checkPasswordStrength(*p.Password); err != nil {
			return err
		}
		hash, err := hashPassword(*p.Password, s.opts.PasswordHashCost)
		if err != nil {
			return err
		}
		u.EncryptedPassword = &hash
	}
	// In GoTrue's order: confirm (which stamps email_confirmed_at anew and
	// sets email_verified), then the metadata given.
	if p.EmailConfirm {
		confirm(&u, now)
	}
	if p.UserMetadata != nil {
		u.UserMetadata = mergeMetadata(u.UserMetadata, p.UserMetadata)
	}
	if banned {
		applyBan(&u, ban, now)
	}
	u.UpdatedAt = now

	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := updateUser(ctx, tx, u); err != nil {
			return err
		}
		if p.Password != nil {
			return deleteSessions(ctx, tx, u.ID, uuid.Nil, scopeGlobal)
		}
		return nil
	})
	if errors.Is(err, errEmailTaken) {
		return errEmailExists()
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toJSON(u))
	return nil
}

// mergeMetadata is GoTrue's UpdateUserMetaData: keys are set one by one,
// and a null value removes its key.
func mergeMetadata(current, updates map[string]any) map[string]any {
	merged := make(map[string]any, len(current)+len(updates))
	for k, v := range current {
		merged[k] = v
	}
	for k, v := range updates {
		if v == nil {
			delete(merged, k)
			continue
		}
		merged[k] = v
	}
	return merged
}

// adminDeleteUser is DELETE /admin/users/{id}: the account and its sessions
// go at once (GoTrue's soft delete is not offered).
func (s *Server) adminDeleteUser(w http.ResponseWriter, r *http.Request, u userRow) error {
	if err := deleteUser(r.Context(), s.pool, u.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}
