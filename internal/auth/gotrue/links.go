package gotrue

import (
	"context"
	"net/http"
	"net/url"

	"github.com/supabase-community/gotrue-go/types"
)

// E-mail links. GoTrue takes where a link leads (redirect_to) as a query
// parameter of the call that sends the mail, checked against its allow list
// (GOTRUE_URI_ALLOW_LIST; SITE_URL's host passes): a refused one silently
// becomes SITE_URL. gotrue-go's InviteRequest and RecoverRequest cannot
// carry it, so these calls are made directly.

// Link kinds: what GoTrue's /verify calls the "type" of a link.
const (
	LinkInvite   = "invite"
	LinkRecovery = "recovery"
)

// withRedirect appends ?redirect_to= to path when redirectTo is set.
func withRedirect(path, redirectTo string) string {
	if redirectTo == "" {
		return path
	}
	return path + "?" + url.Values{"redirect_to": {redirectTo}}.Encode()
}

// Invite makes an account without a password, marks it invited and has
// GoTrue send the invitation (service role). An address whose account is not
// confirmed yet (an open invitation, or an account made unconfirmed) is
// invited again: the same account comes back, its data unchanged and any ban
// not looked at. A confirmed account fails with email_exists (422).
//
// The e-mail can fail too, and then nothing is created: over_email_send_rate_limit
// (429), email_address_not_authorized (400: Supabase's built-in mailer only
// sends to the project's team), email_address_invalid (400), or a 500
// unexpected_failure when GoTrue's SMTP server refuses. A GoTrue without SMTP
// settings sends nothing and answers 200.
// The invitation's link leads to redirectTo (empty: GoTrue's SITE_URL).
func (c *Client) Invite(ctx context.Context, email string, data map[string]any, redirectTo string) (User, error) {
	var res types.InviteResponse
	err := c.do(ctx, request{
		method: http.MethodPost, pathAndQuery: withRedirect("/invite", redirectTo),
		apikey: c.serviceKey, bearer: bearerFor(c.serviceKey),
		body: map[string]any{"email": email, "data": data},
		read: func(resp *http.Response) error { return decodeBody(resp, &res) },
	})
	if err != nil {
		return User{}, wrap("invite", err)
	}
	return userFrom(res.User), nil
}

// Recover has GoTrue send a password-reset link to email, leading to
// redirectTo. GoTrue answers 200 whether or not the address has an account,
// but 429 over_email_send_rate_limit to a repeat for an existing account
// within its mail frequency (a minute by default): a caller that must not
// reveal which addresses have accounts treats that as success.
func (c *Client) Recover(ctx context.Context, email, redirectTo string) error {
	return wrap("recover", c.do(ctx, request{
		method: http.MethodPost, pathAndQuery: withRedirect("/recover", redirectTo), apikey: c.anonKey,
		body: map[string]string{"email": email},
	}))
}

// VerifyTokenHash uses up the token of a link that leads to the site
// directly ({{ .TokenHash }} in the e-mail template) and returns the session
// it starts. An unknown, used or expired token is otp_expired (403).
func (c *Client) VerifyTokenHash(ctx context.Context, kind, tokenHash string) (Session, error) {
	var res types.TokenResponse
	err := c.do(ctx, request{
		method: http.MethodPost, pathAndQuery: "/verify", apikey: c.anonKey,
		body: map[string]string{"type": kind, "token_hash": tokenHash},
		read: func(resp *http.Response) error { return decodeBody(resp, &res) },
	})
	if err != nil {
		return Session{}, wrap("verify", err)
	}
	return sessionFrom(res.Session), nil
}

// SessionFrom checks an access token with GoTrue (GET /user) and returns
// the session it belongs to, with refreshToken. It is how the tokens a link
// put in the browser's URL fragment become a session the console can trust:
// the user comes from GoTrue, never from the browser.
func (c *Client) SessionFrom(ctx context.Context, accessToken, refreshToken string) (Session, error) {
	u, err := c.GetUser(ctx, accessToken)
	if err != nil {
		return Session{}, err
	}
	return Session{
		AccessToken: accessToken, RefreshToken: refreshToken,
		ExpiresAt: tokenExpiry(accessToken), AAL: TokenAAL(accessToken), User: u,
	}, nil
}

// UpdatePassword sets the password of the account behind accessToken
// (PUT /user). GoTrue applies its password policy (weak_password, 422),
// refuses the current password (same_password, 422) and ends the account's
// other sessions.
func (c *Client) UpdatePassword(ctx context.Context, accessToken, password string) (User, error) {
	var res types.UserResponse
	err := c.do(ctx, request{
		method: http.MethodPut, pathAndQuery: "/user", apikey: c.anonKey, bearer: accessToken,
		body: map[string]string{"password": password},
		read: func(resp *http.Response) error { return decodeBody(resp, &res) },
	})
	if err != nil {
		return User{}, wrap("update password", err)
	}
	return userFrom(res.User), nil
}
