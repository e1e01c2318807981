package devgotrue

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Link kinds: the "type" of GoTrue's /verify, and which e-mail carried it.
const (
	LinkInvite   = "invite"
	LinkRecovery = "recovery"
)

// tokenTypes are GoTrue's one_time_tokens.token_type for each link kind.
var tokenTypes = map[string]string{
	LinkInvite:   "confirmation_token",
	LinkRecovery: "recovery_token",
}

// subjects are GoTrue's default subjects.
var subjects = map[string]string{
	LinkInvite:   "You have been invited",
	LinkRecovery: "Reset Your Password",
}

// Mail is one e-mail the server would have sent.
type Mail struct {
	ID      int64
	UserID  string
	To      string
	Kind    string // LinkInvite or LinkRecovery
	Subject string
	// Link is what GoTrue's default template links to: its own GET /verify,
	// which redirects to RedirectTo with the session in the URL fragment.
	Link string
	// TokenHash is what a template linking to the site directly carries
	// ({{ .TokenHash }}), for POST /verify.
	TokenHash  string
	RedirectTo string
	SentAt     time.Time
}

// ErrNoMail is MailByID's answer for an id the mailbox does not hold.
var ErrNoMail = errors.New("devgotrue: no such mail")

// Mail returns the mailbox, newest first, at most limit messages.
func (s *Server) Mail(ctx context.Context, limit int) ([]Mail, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+mailColumns+` FROM devgotrue.mail ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("devgotrue: read mail: %w", err)
	}
	mail, err := pgx.CollectRows(rows, scanMail)
	if err != nil {
		return nil, fmt.Errorf("devgotrue: read mail: %w", err)
	}
	return mail, nil
}

// MailByID returns one message, or ErrNoMail.
func (s *Server) MailByID(ctx context.Context, id int64) (Mail, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+mailColumns+` FROM devgotrue.mail WHERE id = $1`, id)
	if err != nil {
		return Mail{}, fmt.Errorf("devgotrue: read mail: %w", err)
	}
	m, err := pgx.CollectExactlyOneRow(rows, scanMail)
	if errors.Is(err, pgx.ErrNoRows) {
		return Mail{}, ErrNoMail
	}
	if err != nil {
		return Mail{}, fmt.Errorf("devgotrue: read mail: %w", err)
	}
	return m, nil
}

// LatestMail returns the newest message to email of kind, or ErrNoMail.
func (s *Server) LatestMail(ctx context.Context, email, kind string) (Mail, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+mailColumns+` FROM devgotrue.mail
		WHERE lower(to_email) = lower($1) AND kind = $2 ORDER BY id DESC LIMIT 1`, email, kind)
	if err != nil {
		return Mail{}, fmt.Errorf("devgotrue: read mail: %w", err)
	}
	m, err := pgx.CollectExactlyOneRow(rows, scanMail)
	if errors.Is(err, pgx.ErrNoRows) {
		return Mail{}, ErrNoMail
	}
	if err != nil {
		return Mail{}, fmt.Errorf("devgotrue: read mail: %w", err)
	}
	return m, nil
}

const mailColumns = `id, user_id, to_email, kind, subject, link, token_hash, redirect_to, sent_at`

func scanMail(row pgx.CollectableRow) (Mail, error) {
	var m Mail
	var userID uuid.UUID
	err := row.Scan(&m.ID, &userID, &m.To, &m.Kind, &m.Subject, &m.Link, &m.TokenHash, &m.RedirectTo, &m.SentAt)
	m.UserID = userID.String()
	return m, err
}

// sendLink makes a fresh link of kind for u (the previous one of that kind
// stops working, as in GoTrue) and puts the e-mail carrying it in the
// mailbox. The link points at this server as the request reached it.
func (s *Server) sendLink(ctx context.Context, r *http.Request, q querier, u userRow, kind string, now time.Time) error {
	otp, err := randomOTP()
	if err != nil {
		return errf("make link", err)
	}
	// GoTrue's token hash: sha224 of the address and the code, in hex.
	hash := fmt.Sprintf("%x", sha256.Sum224([]byte(u.Email+otp)))
	if _, err := q.Exec(ctx, `INSERT INTO devgotrue.one_time_tokens (user_id, token_type, token_hash, created_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id, token_type) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
		u.ID, tokenTypes[kind], hash, now); err != nil {
		return errf("store link", err)
	}
	redirect := s.redirectTo(r)
	link := "http://" + r.Host + "/verify?" + url.Values{
		"token": {hash}, "type": {kind}, "redirect_to": {redirect},
	}.Encode()
	if _, err := q.Exec(ctx, `INSERT INTO devgotrue.mail
		(user_id, to_email, kind, subject, link, token_hash, redirect_to, sent_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		u.ID, u.Email, kind, subjects[kind], link, hash, redirect, now); err != nil {
		return errf("keep mail", err)
	}
	s.log.InfoContext(ctx, "devgotrue: e-mail kept in the mailbox, not sent", "kind", kind, "user_id", u.ID)
	return nil
}

// randomOTP is a six-digit code, as GoTrue's.
func randomOTP() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// redirectTo is GoTrue's GetReferrer: the request's redirect_to when it is
// allowed (here: on SiteURL's host), else SiteURL.
func (s *Server) redirectTo(r *http.Request) string {
	asked := r.URL.Query().Get("redirect_to")
	if asked == "" {
		return s.opts.SiteURL
	}
	if s.opts.SiteURL == "" {
		return asked
	}
	site, err := url.Parse(s.opts.SiteURL)
	if err != nil {
		return s.opts.SiteURL
	}
	u, err := url.Parse(asked)
	if err != nil || u.Hostname() != site.Hostname() {
		return s.opts.SiteURL
	}
	return asked
}
