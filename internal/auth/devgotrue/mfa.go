package devgotrue

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// GoTrue's MFA defaults (GOTRUE_MFA_*): how long a challenge may be
// answered, how long an enrolment nobody challenged is kept, and how many
// factors an account may have.
const (
	challengeLifetime  = 300 * time.Second
	unverifiedLifetime = 300 * time.Second
	maxEnrolledFactors = 10
	maxVerifiedFactors = 10
	// qrModuleSize is GoTrue's DefaultQRSize: pixels per QR module.
	qrModuleSize = 3
)

// factorJSON is GoTrue's factor object.
type factorJSON struct {
	ID               string     `json:"id"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	Status           string     `json:"status"`
	FriendlyName     string     `json:"friendly_name,omitempty"`
	FactorType       string     `json:"factor_type"`
	Phone            string     `json:"phone"`
	LastChallengedAt *time.Time `json:"last_challenged_at"`
}

func toFactorJSON(f factorRow) factorJSON {
	return factorJSON{
		ID: f.ID.String(), CreatedAt: f.CreatedAt.UTC(), UpdatedAt: f.UpdatedAt.UTC(), Status: f.Status,
		FriendlyName: f.FriendlyName, FactorType: f.FactorType, LastChallengedAt: utc(f.LastChallengedAt),
	}
}

func factorsJSON(fs []factorRow) []factorJSON {
	if len(fs) == 0 {
		return nil
	}
	out := make([]factorJSON, len(fs))
	for i, f := range fs {
		out[i] = toFactorJSON(f)
	}
	return out
}

// clientIP is the address a challenge is bound to: GoTrue answers a verify
// from another address with mfa_ip_address_mismatch.
func clientIP(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		return strings.TrimSpace(strings.Split(xff, ",")[0])
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// enrollFactor is POST /factors: a new, unverified TOTP factor with its
// secret, otpauth URI and QR code (an SVG document, not a data URI: the
// client wraps it, as supabase-js does). Phone and WebAuthn are not enabled
// here, as in GoTrue's defaults.
func (s *Server) enrollFactor(w http.ResponseWriter, r *http.Request, c caller) error {
	var p struct {
		FriendlyName string `json:"friendly_name"`
		FactorType   string `json:"factor_type"`
		Issuer       string `json:"issuer"`
	}
	if err := readJSON(r, &p); err != nil {
		return err
	}
	switch p.FactorType {
	case factorTOTP:
	case "phone":
		return newError(http.StatusUnprocessableEntity, "mfa_phone_enroll_not_enabled", "MFA enroll is disabled for Phone")
	case "webauthn":
		return newError(http.StatusUnprocessableEntity, "mfa_webauthn_enroll_not_enabled", "MFA enroll is disabled for WebAuthn")
	default:
		return newError(http.StatusBadRequest, "validation_failed", "factor_type needs to be totp, phone, or webauthn")
	}
	ctx := r.Context()
	now := s.opts.Now()
	if err := deleteExpiredFactors(ctx, s.pool, now.Add(-unverifiedLifetime)); err != nil {
		return err
	}
	factors, err := listFactors(ctx, s.pool, c.user.ID)
	if err != nil {
		return err
	}
	verified := 0
	for _, f := range factors {
		if f.FriendlyName == p.FriendlyName {
			return newError(http.StatusUnprocessableEntity, "mfa_factor_name_conflict",
				"A factor with the friendly name %q for this user already exists", p.FriendlyName)
		}
		if f.verified() {
			verified++
		}
	}
	if len(factors) >= maxEnrolledFactors || verified >= maxVerifiedFactors {
		return newError(http.StatusUnprocessableEntity, "too_many_enrolled_mfa_factors",
			"Maximum number of verified factors reached, unenroll to continue")
	}
	if verified > 0 && c.session.AAL != aal2 {
		return newError(http.StatusForbidden, "insufficient_aal", "AAL2 required to enroll a new factor")
	}
	issuer := p.Issuer
	if issuer == "" {
		issuer = s.siteHost()
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: c.user.Email})
	if err != nil {
		return errf("generate TOTP key", err)
	}
	svg, err := qrSVG(key.String())
	if err != nil {
		return errf("draw QR code", err)
	}
	f := factorRow{
		ID: uuid.New(), UserID: c.user.ID, FriendlyName: p.FriendlyName, FactorType: factorTOTP,
		Status: factorUnverified, Secret: key.Secret(), CreatedAt: now, UpdatedAt: now,
	}
	if err := insertFactor(ctx, s.pool, f); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": f.ID.String(), "type": factorTOTP, "friendly_name": f.FriendlyName,
		"totp": map[string]string{"qr_code": svg, "secret": key.Secret(), "uri": key.URL()},
	})
	return nil
}

// siteHost is the issuer GoTrue names in an authenticator app when the
// enrolment gives none: SITE_URL's host.
func (s *Server) siteHost() string {
	if u, err := url.Parse(s.opts.SiteURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "localhost"
}

// qrSVG draws text as a QR code in SVG, one square per dark module, as
// GoTrue's goqrsvg does (error correction H).
func qrSVG(text string) (string, error) {
	code, err := qr.Encode(text, qr.H, qr.Auto)
	if err != nil {
		return "", err
	}
	size := code.Bounds().Dx()
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\"?>\n<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		size*qrModuleSize, size*qrModuleSize)
	fmt.Fprintf(&b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" style=\"fill:#FFFFFF\" />\n", size*qrModuleSize, size*qrModuleSize)
	for y := range size {
		for x := range size {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" style=\"fill:#000000\" />\n",
					x*qrModuleSize, y*qrModuleSize, qrModuleSize, qrModuleSize)
			}
		}
	}
	b.WriteString("</svg>\n")
	return b.String(), nil
}

// withFactor is GoTrue's loadFactor for /factors/{factor_id}: a factor of
// the caller, else 404 mfa_factor_not_found.
func (s *Server) withFactor(h func(http.ResponseWriter, *http.Request, caller, factorRow) error) func(http.ResponseWriter, *http.Request, caller) error {
	return func(w http.ResponseWriter, r *http.Request, c caller) error {
		f, err := s.loadFactor(r, c.user.ID)
		if err != nil {
			return err
		}
		return h(w, r, c, f)
	}
}

func (s *Server) loadFactor(r *http.Request, userID uuid.UUID) (factorRow, error) {
	id, err := uuid.Parse(r.PathValue("factor_id"))
	if err != nil {
		return factorRow{}, newError(http.StatusNotFound, "validation_failed", "factor_id must be an UUID")
	}
	f, err := findOwnedFactor(r.Context(), s.pool, userID, id)
	if errors.Is(err, errNoFactor) {
		return factorRow{}, newError(http.StatusNotFound, "mfa_factor_not_found", "Factor not found")
	}
	return f, err
}

// challengeFactor is POST /factors/{id}/challenge: a challenge bound to
// the caller's address, to be answered within challengeLifetime.
func (s *Server) challengeFactor(w http.ResponseWriter, r *http.Request, c caller, f factorRow) error {
	ctx := r.Context()
	now := s.opts.Now()
	ch := challengeRow{ID: uuid.New(), FactorID: f.ID, IPAddress: clientIP(r), CreatedAt: now}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO devgotrue.mfa_challenges (id, factor_id, ip_address, created_at)
			VALUES ($1, $2, $3, $4)`, ch.ID, ch.FactorID, ch.IPAddress, ch.CreatedAt); err != nil {
			return errf("create challenge", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE devgotrue.mfa_factors SET last_challenged_at = $2 WHERE id = $1`, f.ID, now); err != nil {
			return errf("note challenge", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": ch.ID.String(), "type": f.FactorType, "expires_at": now.Add(challengeLifetime).Unix(),
	})
	return nil
}

// verifyFactor is POST /factors/{id}/verify {challenge_id, code}: a right
// code verifies the factor (at enrolment), raises the caller's session to
// aal2 with a new refresh token (the aal1 one is used up), ends the user's
// other aal1 sessions and drops their unverified TOTP factors, as GoTrue
// does. A wrong code leaves the challenge open.
func (s *Server) verifyFactor(w http.ResponseWriter, r *http.Request, c caller, f factorRow) error {
	var p struct {
		ChallengeID uuid.UUID `json:"challenge_id"`
		Code        string    `json:"code"`
	}
	if err := readJSON(r, &p); err != nil {
		return err
	}
	if p.Code == "" {
		return newError(http.StatusBadRequest, "validation_failed", "Code needs to be non-empty")
	}
	ctx := r.Context()
	now := s.opts.Now()
	ch, err := findChallenge(ctx, s.pool, f.ID, p.ChallengeID)
	if errors.Is(err, errNoChallenge) {
		return newError(http.StatusUnprocessableEntity, "mfa_factor_not_found", "MFA factor with the provided challenge ID not found")
	}
	if err != nil {
		return err
	}
	if ch.VerifiedAt != nil || ch.IPAddress != clientIP(r) {
		return newError(http.StatusUnprocessableEntity, "mfa_ip_address_mismatch", "Challenge and verify IP addresses mismatch.")
	}
	if !ch.CreatedAt.Add(challengeLifetime).After(now) {
		if _, err := s.pool.Exec(ctx, `DELETE FROM devgotrue.mfa_challenges WHERE id = $1`, ch.ID); err != nil {
			return errf("delete challenge", err)
		}
		return newError(http.StatusUnprocessableEntity, "mfa_challenge_expired",
			"MFA challenge %v has expired, verify against another challenge or create a new challenge.", ch.ID)
	}
	valid, _ := totp.ValidateCustom(p.Code, f.Secret, now.UTC(), totp.ValidateOpts{
		Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if !valid {
		return newError(http.StatusUnprocessableEntity, "mfa_verification_failed", "Invalid TOTP code entered")
	}
	var res tokenResponse
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE devgotrue.mfa_challenges SET verified_at = $2 WHERE id = $1`, ch.ID, now); err != nil {
			return errf("verify challenge", err)
		}
		if !f.verified() {
			if _, err := tx.Exec(ctx, `UPDATE devgotrue.mfa_factors SET status = 'verified', updated_at = $2 WHERE id = $1`, f.ID, now); err != nil {
				return errf("verify factor", err)
			}
		}
		sess, err := raiseSession(ctx, tx, c.session, f.ID, factorTOTP, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE devgotrue.refresh_tokens SET revoked = true WHERE session_id = $1`, sess.ID); err != nil {
			return errf("revoke refresh tokens", err)
		}
		refresh, err := addRefreshToken(ctx, tx, sess.ID, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM devgotrue.sessions WHERE user_id = $1 AND aal < 'aal2'`, c.user.ID); err != nil {
			return errf("end aal1 sessions", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM devgotrue.mfa_factors WHERE user_id = $1 AND status = 'unverified' AND factor_type = $2`,
			c.user.ID, f.FactorType); err != nil {
			return errf("drop unverified factors", err)
		}
		u, err := findUserByID(ctx, tx, c.user.ID)
		if err != nil {
			return err
		}
		access, err := accessToken(s.secret, u, sess, now, s.opts.AccessTokenTTL)
		if err != nil {
			return errf("sign access token", err)
		}
		res = s.tokenResponse(access, refresh, u, now)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// unenrollFactor is DELETE /factors/{id}: an unverified factor at any
// level, a verified one only from an aal2 session.
func (s *Server) unenrollFactor(w http.ResponseWriter, r *http.Request, c caller, f factorRow) error {
	if f.verified() && c.session.AAL != aal2 {
		return newError(http.StatusUnprocessableEntity, "insufficient_aal", "AAL2 required to unenroll verified factor")
	}
	ctx := r.Context()
	if err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return removeFactor(ctx, tx, f) }); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": f.ID.String()})
	return nil
}

// adminListFactors is GET /admin/users/{id}/factors: every factor of the
// account, verified or not.
func (s *Server) adminListFactors(w http.ResponseWriter, r *http.Request, u userRow) error {
	out := factorsJSON(u.Factors)
	if out == nil {
		out = []factorJSON{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// adminDeleteFactor is DELETE /admin/users/{id}/factors/{factor_id}: the
// factor goes and the sessions it raised are lowered to aal1.
func (s *Server) adminDeleteFactor(w http.ResponseWriter, r *http.Request, u userRow) error {
	f, err := s.loadFactor(r, u.ID)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return removeFactor(ctx, tx, f) }); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toFactorJSON(f))
	return nil
}
