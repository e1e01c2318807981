package devgotrue

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// putUser is PUT /user: the signed-in person changes their own account.
// The dev server changes the password and user_metadata ("data"); it does
// not change e-mail addresses. A new password follows the policy, must
// differ from the current one (same_password), uses up the account's open
// links and ends every other session of the account, as in GoTrue.
func (s *Server) putUser(w http.ResponseWriter, r *http.Request, c caller) error {
	var p struct {
		Email    string         `json:"email"`
		Password *string        `json:"password"`
		Data     map[string]any `json:"data"`
	}
	if err := readJSON(r, &p); err != nil {
		return err
	}
	u := c.user
	if p.Email != "" && p.Email != u.Email {
		return newError(http.StatusBadRequest, "validation_failed", "the development auth server does not change e-mail addresses")
	}
	if p.Password != nil && *p.Password != "" && hasVerifiedFactor(u) && c.session.AAL != aal2 {
		return newError(http.StatusUnauthorized, "insufficient_aal",
			"AAL2 session is required to update email or password when MFA is enabled.")
	}
	if p.Password != nil {
		if err := checkPasswordStrength(*p.Password); err != nil {
			return err
		}
		if passwordMatches(u.EncryptedPassword, *p.Password) {
			return newError(http.StatusUnprocessableEntity, "same_password",
				"New password should be different from the old password.")
		}
		hash, err := hashPassword(*p.Password, s.opts.PasswordHashCost)
		if err != nil {
			return err
		}
		u.EncryptedPassword = &hash
	}
	if p.Data != nil {
		u.UserMetadata = mergeMetadata(u.UserMetadata, p.Data)
	}
	ctx := r.Context()
	u.UpdatedAt = s.opts.Now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := updateUser(ctx, tx, u); err != nil {
			return err
		}
		if p.Password == nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM devgotrue.one_time_tokens WHERE user_id = $1`, u.ID); err != nil {
			return errf("clear links", err)
		}
		scope := scopeOthers
		if c.sessionID == uuid.Nil {
			scope = scopeGlobal
		}
		return deleteSessions(ctx, tx, u.ID, c.sessionID, scope)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toJSON(u))
	return nil
}

func hasVerifiedFactor(u userRow) bool {
	for _, f := range u.Factors {
		if f.verified() {
			return true
		}
	}
	return false
}
