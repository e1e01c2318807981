package gotrue

import (
	"context"

	gotruego "github.com/supabase-community/gotrue-go"
	"github.com/supabase-community/gotrue-go/types"
)

// SignIn runs GoTrue's password grant.
func (c *Client) SignIn(ctx context.Context, email, password string) (Session, error) {
	// gotrue-go refuses to send an empty email or password; answer what
	// GoTrue itself would, so callers handle one behaviour.
	switch {
	case email == "":
		return Session{}, wrap("sign in", &Error{Status: 400, Code: "validation_failed", Message: "missing email or phone"})
	case password == "":
		return Session{}, wrap("sign in", &Error{Status: 400, Code: "invalid_credentials", Message: "Invalid login credentials"})
	}
	res, err := call(ctx, c, "", func(l gotruego.Client) (*types.TokenResponse, error) {
		return l.SignInWithEmailPassword(email, password)
	})
	if err != nil {
		return Session{}, wrap("sign in", err)
	}
	return sessionFrom(res.Session), nil
}

// Refresh trades a refresh token for a new session (the old refresh token
// is used up).
func (c *Client) Refresh(ctx context.Context, refreshToken string) (Session, error) {
	if refreshToken == "" {
		return Session{}, wrap("refresh", &Error{Status: 400, Code: "validation_failed", Message: "refresh_token required"})
	}
	res, err := call(ctx, c, "", func(l gotruego.Client) (*types.TokenResponse, error) {
		return l.RefreshToken(refreshToken)
	})
	if err != nil {
		return Session{}, wrap("refresh", err)
	}
	return sessionFrom(res.Session), nil
}

// SignOut ends the sessions of the token's user. GoTrue's default scope is
// global: every session of that user ends, not only this one. A session
// that already ended answers session_not_found, which a caller signing out
// can take as done.
func (c *Client) SignOut(ctx context.Context, accessToken string) error {
	_, err := call(ctx, c, accessToken, func(l gotruego.Client) (struct{}, error) {
		return struct{}{}, l.Logout()
	})
	return wrap("sign out", err)
}

// GetUser returns the user behind an access token. GoTrue refuses tokens
// of signed-out sessions (session_not_found) and of banned users
// (user_banned), so this also tells whether the token is still good.
func (c *Client) GetUser(ctx context.Context, accessToken string) (User, error) {
	res, err := call(ctx, c, accessToken, func(l gotruego.Client) (*types.UserResponse, error) {
		return l.GetUser()
	})
	if err != nil {
		return User{}, wrap("get user", err)
	}
	return userFrom(res.User), nil
}

// Health checks that GoTrue answers.
func (c *Client) Health(ctx context.Context) error {
	_, err := call(ctx, c, "", func(l gotruego.Client) (*types.HealthCheckResponse, error) {
		return l.HealthCheck()
	})
	return wrap("health", err)
}
