package gotrue

import (
	"context"
	"net/http"

	gotruego "github.com/supabase-community/gotrue-go"
	"github.com/supabase-community/gotrue-go/types"
)

// SignIn runs GoTrue's password grant.
func (c *Client) SignIn(ctx context.Context, email, password string) (Session, error) {
	switch {
	case email == "":
		// What GoTrue answers before it looks anything up; gotrue-go would
		// not even send the request.
		return Session{}, wrap("sign in", &Error{Status: 400, Code: "validation_failed", Message: "missing email or phone"})
	case password == "":
		// gotrue-go refuses to send an empty password, but GoTrue's answer
		// depends on the account (a banned one hears user_banned, any other
		// invalid_credentials), so ask it directly.
		var res types.TokenResponse
		err := c.do(ctx, request{
			method: http.MethodPost, pathAndQuery: "/token?grant_type=password", apikey: c.anonKey,
			body: map[string]string{"email": email, "password": ""},
			read: func(resp *http.Response) error { return decodeBody(resp, &res) },
		})
		if err != nil {
			return Session{}, wrap("sign in", err)
		}
		return sessionFrom(res.Session), nil
	}
	res, err := call(ctx, c, c.anonLib, func(l gotruego.Client) (*types.TokenResponse, error) {
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
		// GoTrue's own answer (gotrue-wire.md); gotrue-go would send it.
		return Session{}, wrap("refresh", &Error{Status: 400, Code: "validation_failed", Message: "Refresh token is not valid"})
	}
	res, err := call(ctx, c, c.anonLib, func(l gotruego.Client) (*types.TokenResponse, error) {
		return l.RefreshToken(refreshToken)
	})
	if err != nil {
		return Session{}, wrap("refresh", err)
	}
	return sessionFrom(res.Session), nil
}

// SignOut ends the session the access token belongs to, and only that one
// (POST /logout?scope=local): the person's sessions in other browsers, or
// in other applications on the same GoTrue, stay. GoTrue's default scope,
// which gotrue-go's Logout uses, is global and would end them all. A
// session that already ended answers session_not_found, which a caller
// signing out can take as done.
func (c *Client) SignOut(ctx context.Context, accessToken string) error {
	return wrap("sign out", c.do(ctx, request{
		method: http.MethodPost, pathAndQuery: "/logout?scope=local", apikey: c.anonKey, bearer: accessToken,
	}))
}

// GetUser returns the user behind an access token. GoTrue refuses tokens
// of signed-out sessions (session_not_found) and of banned users
// (user_banned), so this also tells whether the token is still good.
func (c *Client) GetUser(ctx context.Context, accessToken string) (User, error) {
	res, err := call(ctx, c, c.userLib(accessToken), func(l gotruego.Client) (*types.UserResponse, error) {
		return l.GetUser()
	})
	if err != nil {
		return User{}, wrap("get user", err)
	}
	return userFrom(res.User), nil
}

// Health checks that GoTrue answers.
func (c *Client) Health(ctx context.Context) error {
	_, err := call(ctx, c, c.anonLib, func(l gotruego.Client) (*types.HealthCheckResponse, error) {
		return l.HealthCheck()
	})
	return wrap("health", err)
}
