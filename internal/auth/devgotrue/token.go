package devgotrue

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
)

// tokenResponse is GoTrue's AccessTokenResponse.
type tokenResponse struct {
	AccessToken  string   `json:"access_token"`
	TokenType    string   `json:"token_type"`
	ExpiresIn    int      `json:"expires_in"`
	ExpiresAt    int64    `json:"expires_at"`
	RefreshToken string   `json:"refresh_token"`
	User         userJSON `json:"user"`
}

// token is POST /token. Like GoTrue it reads the grant type with
// FormValue (the query, or a form body), but the parameters only from a
// JSON body: a form body is answered bad_json.
func (s *Server) token(w http.ResponseWriter, r *http.Request) error {
	var grant func(http.ResponseWriter, *http.Request) error
	switch r.FormValue("grant_type") {
	case "password":
		grant = s.passwordGrant
	case "refresh_token":
		grant = s.refreshGrant
	default:
		return newError(http.StatusBadRequest, "invalid_credentials", "unsupported_grant_type")
	}
	if err := s.checkTokenRate(r); err != nil {
		return err
	}
	return grant(w, r)
}

// passwordGrant checks in GoTrue's order: account, password set, ban, then
// the password, then confirmation. The ban comes before the password, so a
// banned account hears user_banned whatever it typed; confirmation comes
// after, so email_not_confirmed proves the caller knew the password.
func (s *Server) passwordGrant(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Email    string `json:"email"`
		Phone    string `json:"phone"`
		Password string `json:"password"`
	}
	if err := readJSON(r, &p); err != nil {
		return err
	}
	switch {
	case p.Email != "" && p.Phone != "":
		return newError(http.StatusBadRequest, "validation_failed",
			"Only an email address or phone number should be provided on login.")
	case p.Email == "" && p.Phone == "":
		return newError(http.StatusBadRequest, "validation_failed", "missing email or phone")
	case p.Phone != "":
		return newError(http.StatusUnprocessableEntity, "phone_provider_disabled", "Phone logins are disabled")
	}
	ctx := r.Context()
	u, err := findUserByEmail(ctx, s.pool, p.Email)
	if errors.Is(err, errNoUser) || (err == nil && u.EncryptedPassword == nil) {
		return errInvalidCredentials()
	}
	if err != nil {
		return err
	}
	now := s.opts.Now()
	if u.bannedAt(now) {
		return newError(http.StatusBadRequest, "user_banned", "User is banned")
	}
	if !passwordMatches(u.EncryptedPassword, p.Password) {
		return errInvalidCredentials()
	}
	if u.EmailConfirmedAt == nil {
		return newError(http.StatusBadRequest, "email_not_confirmed", "Email not confirmed")
	}
	res, err := s.signIn(ctx, u, now)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// signIn starts a session for u and returns its tokens.
func (s *Server) signIn(ctx context.Context, u userRow, now time.Time) (tokenResponse, error) {
	var res tokenResponse
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		u.LastSignInAt, u.UpdatedAt = &now, now
		if err := updateUser(ctx, tx, u); err != nil {
			return err
		}
		sess, refresh, err := createSession(ctx, tx, u.ID, now, "password")
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

func (s *Server) tokenResponse(access, refresh string, u userRow, now time.Time) tokenResponse {
	return tokenResponse{
		AccessToken:  access,
		TokenType:    "bearer",
		ExpiresIn:    int(s.opts.AccessTokenTTL / time.Second),
		ExpiresAt:    now.Add(s.opts.AccessTokenTTL).Unix(),
		RefreshToken: refresh,
		User:         toJSON(u),
	}
}

// RefreshTokenReuseInterval is GoTrue's default REFRESH_TOKEN_REUSE_INTERVAL:
// how long a refresh token already traded in may be traded in again.
const RefreshTokenReuseInterval = 10 * time.Second

// refreshGrant rotates a refresh token: the old one is used up once the
// reuse interval has passed. A ban stops refresh tokens issued before it.
func (s *Server) refreshGrant(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := readJSON(r, &p); err != nil {
		return err
	}
	if p.RefreshToken == "" {
		// What GoTrue v2.196 answers (gotrue-wire.md), in its usual error
		// shape rather than the OAuth {"error":"invalid_request"} one.
		return newError(http.StatusBadRequest, "validation_failed", "Refresh token is not valid")
	}
	ctx := r.Context()
	now := s.opts.Now()
	var res tokenResponse
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rt, err := lockRefreshToken(ctx, tx, p.RefreshToken)
		if errors.Is(err, errNoRefreshToken) {
			return newError(http.StatusBadRequest, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")
		}
		if err != nil {
			return err
		}
		u, err := findUserByID(ctx, tx, rt.UserID)
		if err != nil {
			return err
		}
		if u.bannedAt(now) {
			return newError(http.StatusBadRequest, "user_banned", "Invalid Refresh Token: User Banned")
		}
		// GoTrue lets a used token be used again for a short while
		// (REFRESH_TOKEN_REUSE_INTERVAL, 10 s by default), so two requests
		// of one browser refreshing at once — perhaps on two console
		// replicas — both keep the session; after that a reuse is refused.
		if rt.Revoked && (rt.RevokedAt == nil || now.Sub(*rt.RevokedAt) > RefreshTokenReuseInterval) {
			return newError(http.StatusBadRequest, "refresh_token_already_used", "Invalid Refresh Token: Already Used")
		}
		if err := revokeRefreshToken(ctx, tx, p.RefreshToken, now); err != nil {
			return err
		}
		refresh, err := addRefreshToken(ctx, tx, rt.SessionID, now)
		if err != nil {
			return err
		}
		// The new token carries the session's level as it is now: a
		// factor an admin removed since has lowered it to aal1.
		sess, ok, err := findSession(ctx, tx, rt.SessionID)
		if err != nil {
			return err
		}
		if !ok {
			return newError(http.StatusBadRequest, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")
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
