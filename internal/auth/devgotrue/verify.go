package devgotrue

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// knownVerifyTypes are the types GoTrue's /verify takes. The dev server only
// sends invite and recovery links, so a token of any other type is simply
// never found.
var knownVerifyTypes = map[string]bool{
	"signup": true, LinkInvite: true, LinkRecovery: true, "magiclink": true, "email_change": true, "email": true,
}

// errLinkInvalid is GoTrue's answer for a link whose token is unknown, used
// or expired: the three cannot be told apart.
func errLinkInvalid() *apiError {
	return newError(http.StatusForbidden, "otp_expired", "Email link is invalid or has expired")
}

// verifyGet is GET /verify, the link of GoTrue's default templates. Missing
// parameters are answered as JSON; everything after them as a 303 to the
// redirect URL: the session in the fragment
// (#access_token=…&expires_at=…&expires_in=…&refresh_token=…&token_type=bearer&type=…),
// or the error there (#error=access_denied&error_code=otp_expired&error_description=…).
func (s *Server) verifyGet(w http.ResponseWriter, r *http.Request) error {
	kind, token := r.FormValue("type"), r.FormValue("token")
	switch {
	case kind == "":
		return newError(http.StatusBadRequest, "validation_failed", "Verify requires a verification type")
	case token == "":
		return newError(http.StatusBadRequest, "validation_failed", "Verify requires a token or a token hash")
	}
	redirect := s.redirectTo(r)
	if redirect == "" {
		redirect = "/"
	}
	res, err := s.verifyLink(r.Context(), kind, token)
	var e *apiError
	switch {
	case errors.As(err, &e):
		http.Redirect(w, r, errorRedirect(redirect, e), http.StatusSeeOther)
		return nil
	case err != nil:
		return err
	}
	fragment := url.Values{
		"access_token":  {res.AccessToken},
		"token_type":    {res.TokenType},
		"expires_in":    {strconv.Itoa(res.ExpiresIn)},
		"expires_at":    {strconv.FormatInt(res.ExpiresAt, 10)},
		"refresh_token": {res.RefreshToken},
		"type":          {kind},
	}
	http.Redirect(w, r, redirect+"#"+fragment.Encode(), http.StatusSeeOther)
	return nil
}

// oauthErrors is GoTrue's oauthErrorMap: the "error" of an error redirect.
var oauthErrors = map[int]string{
	http.StatusBadRequest:          "invalid_request",
	http.StatusUnauthorized:        "unauthorized_client",
	http.StatusForbidden:           "access_denied",
	http.StatusInternalServerError: "server_error",
	http.StatusServiceUnavailable:  "temporarily_unavailable",
}

// errorRedirect is GoTrue's prepErrorRedirectURL for the implicit flow: the
// error goes in the fragment, the query stays as it was.
func errorRedirect(redirect string, e *apiError) string {
	u, err := url.Parse(redirect)
	if err != nil {
		u = &url.URL{Path: "/"}
	}
	q := url.Values{"error_code": {e.code}, "error_description": {e.msg}}
	if name, ok := oauthErrors[e.status]; ok {
		q.Set("error", name)
	}
	u.Fragment = q.Encode()
	return u.String()
}

// verifyPost is POST /verify: a template linking to the site directly
// hands it {"type","token_hash"}; {"type","email","token"} checks the
// six-digit code instead. The answer is the session as JSON.
func (s *Server) verifyPost(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Type       string `json:"type"`
		Token      string `json:"token"`
		TokenHash  string `json:"token_hash"`
		Email      string `json:"email"`
		Phone      string `json:"phone"`
		RedirectTo string `json:"redirect_to"`
	}
	if err := readJSON(r, &p); err != nil {
		return err
	}
	switch {
	case p.Type == "":
		return newError(http.StatusBadRequest, "validation_failed", "Verify requires a verification type")
	case (p.Token == "") == (p.TokenHash == ""):
		return newError(http.StatusBadRequest, "validation_failed", "Verify requires either a token or a token hash")
	case p.TokenHash != "" && (p.Email != "" || p.Phone != "" || p.RedirectTo != ""):
		return newError(http.StatusBadRequest, "validation_failed", "Only the token_hash and type should be provided")
	case p.Token != "" && p.Email == "":
		return newError(http.StatusBadRequest, "validation_failed",
			"Only an email address or phone number should be provided on verify")
	}
	hash := p.TokenHash
	if p.Token != "" {
		email, err := validateEmail(p.Email)
		if err != nil {
			return err
		}
		hash = fmt.Sprintf("%x", sha256.Sum224([]byte(email+p.Token)))
	}
	res, err := s.verifyLink(r.Context(), p.Type, hash)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// verifyLink uses up a link's token and signs its account in: an invite
// confirms the address, as does a recovery of an unconfirmed account.
func (s *Server) verifyLink(ctx context.Context, kind, hash string) (tokenResponse, error) {
	if !knownVerifyTypes[kind] {
		return tokenResponse{}, newError(http.StatusBadRequest, "validation_failed", "Unsupported verification type")
	}
	tokenType, ok := tokenTypes[kind]
	if !ok {
		return tokenResponse{}, errLinkInvalid()
	}
	now := s.opts.Now()
	var res tokenResponse
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var userID uuid.UUID
		var created time.Time
		err := tx.QueryRow(ctx, `SELECT user_id, created_at FROM devgotrue.one_time_tokens
			WHERE token_hash = $1 AND token_type = $2 FOR UPDATE`, hash, tokenType).Scan(&userID, &created)
		if errors.Is(err, pgx.ErrNoRows) {
			return errLinkInvalid()
		}
		if err != nil {
			return errf("find link", err)
		}
		if !created.Add(s.opts.LinkLifetime).After(now) {
			return errLinkInvalid()
		}
		u, err := findUserByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.bannedAt(now) {
			return newError(http.StatusForbidden, "user_banned", "User is banned")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM devgotrue.one_time_tokens WHERE user_id = $1 AND token_type = $2`,
			userID, tokenType); err != nil {
			return errf("use link", err)
		}
		if u.EmailConfirmedAt == nil {
			confirm(&u, now)
		}
		u.LastSignInAt, u.UpdatedAt = &now, now
		if err := updateUser(ctx, tx, u); err != nil {
			return err
		}
		sess, refresh, err := createSession(ctx, tx, u.ID, now, kind)
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
	return res, err
}
