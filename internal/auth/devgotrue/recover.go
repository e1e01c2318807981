package devgotrue

import (
	"errors"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
)

// recoverPassword is POST /recover {"email"}: a password-reset link to the mailbox.
// Like GoTrue it answers 200 {} for an address without an account, but it
// also answers 429 over_email_send_rate_limit to a second request for an
// existing one within a minute — which an unknown address never gets.
func (s *Server) recoverPassword(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Email string `json:"email"`
	}
	if err := readJSON(r, &p); err != nil {
		return err
	}
	if p.Email == "" {
		return newError(http.StatusBadRequest, "validation_failed", "Password recovery requires an email")
	}
	email, err := validateEmail(p.Email)
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := s.opts.Now()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		u, err := findUserByEmail(ctx, tx, email)
		if err != nil {
			return err
		}
		// Lock the account so two requests at once send one mail.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM devgotrue.users WHERE id = $1 FOR UPDATE`, u.ID); err != nil {
			return errf("lock user", err)
		}
		var last *time.Time
		if err := tx.QueryRow(ctx, `SELECT max(sent_at) FROM devgotrue.mail WHERE user_id = $1 AND kind = $2`,
			u.ID, LinkRecovery).Scan(&last); err != nil {
			return errf("last recovery", err)
		}
		if last != nil && last.Add(confirmationFrequency).After(now) {
			left := last.Add(confirmationFrequency).Sub(now) / time.Second
			return newError(http.StatusTooManyRequests, "over_email_send_rate_limit",
				"For security purposes, you can only request this after %d seconds.", left)
		}
		return s.sendLink(ctx, r, tx, u, LinkRecovery, now)
	})
	if err != nil && !errors.Is(err, errNoUser) {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{})
	return nil
}
