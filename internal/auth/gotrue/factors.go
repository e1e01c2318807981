package gotrue

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/supabase-community/gotrue-go/types"
)

// Second factors (GoTrue's /factors API, TOTP only). A password sign-in is
// at assurance level aal1; verifying a code of a verified (or, at
// enrolment, a new) factor raises that session to aal2 and returns new
// tokens for it. The calls are made directly: gotrue-go's factor types
// predate the shapes GoTrue answers today.

// Assurance levels, as the access token's aal claim says.
const (
	AAL1 = "aal1"
	AAL2 = "aal2"
)

// Factor states and types.
const (
	FactorVerified   = "verified"
	FactorUnverified = "unverified"
	FactorTOTP       = "totp"
)

// Factor is one of an account's second factors.
type Factor struct {
	ID           string    `json:"id"`
	Type         string    `json:"factor_type"`
	Status       string    `json:"status"`
	FriendlyName string    `json:"friendly_name"`
	CreatedAt    time.Time `json:"created_at"`
}

// Verified reports whether the factor has been verified once (at
// enrolment), so sign-ins can be asked for its codes.
func (f Factor) Verified() bool { return f.Status == FactorVerified }

// VerifiedTOTP returns the first verified TOTP factor of factors.
func VerifiedTOTP(factors []Factor) (Factor, bool) {
	for _, f := range factors {
		if f.Type == FactorTOTP && f.Verified() {
			return f, true
		}
	}
	return Factor{}, false
}

// TOTPEnrollment is a new, unverified TOTP factor: what the person's
// authenticator app needs. QRCode is an SVG document (GoTrue sends it
// bare; older servers sent a data: URI). None of it may be logged.
type TOTPEnrollment struct {
	FactorID string
	QRCode   string
	Secret   string
	URI      string
}

// String keeps the secret out of anything that prints an enrolment.
func (e TOTPEnrollment) String() string {
	return fmt.Sprintf("gotrue.TOTPEnrollment{factor:%s secret:[redacted]}", e.FactorID)
}

// GoString covers %#v.
func (e TOTPEnrollment) GoString() string { return e.String() }

// LogValue keeps the secret out of slog output.
func (e TOTPEnrollment) LogValue() slog.Value {
	return slog.GroupValue(slog.String("factor_id", e.FactorID))
}

// EnrollTOTP starts a TOTP factor for the account behind accessToken
// (POST /factors). GoTrue refuses a friendly name the account already uses,
// even an empty one (mfa_factor_name_conflict, 422), and a new factor from
// an aal1 session of an account that has a verified one (insufficient_aal,
// 403). issuer is the name authenticator apps show.
func (c *Client) EnrollTOTP(ctx context.Context, accessToken, friendlyName, issuer string) (TOTPEnrollment, error) {
	var res struct {
		ID   string `json:"id"`
		TOTP struct {
			QRCode string `json:"qr_code"`
			Secret string `json:"secret"`
			URI    string `json:"uri"`
		} `json:"totp"`
	}
	err := c.do(ctx, request{
		method: http.MethodPost, pathAndQuery: "/factors", apikey: c.anonKey, bearer: accessToken,
		body: map[string]string{"factor_type": FactorTOTP, "friendly_name": friendlyName, "issuer": issuer},
		read: func(resp *http.Response) error { return decodeBody(resp, &res) },
	})
	if err != nil {
		return TOTPEnrollment{}, wrap("enroll factor", err)
	}
	return TOTPEnrollment{FactorID: res.ID, QRCode: res.TOTP.QRCode, Secret: res.TOTP.Secret, URI: res.TOTP.URI}, nil
}

// ChallengeFactor opens a challenge for a factor (POST
// /factors/{id}/challenge). It must be answered from the same address
// within GoTrue's MFA challenge lifetime (five minutes by default).
func (c *Client) ChallengeFactor(ctx context.Context, accessToken, factorID string) (string, error) {
	var res struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, request{
		method: http.MethodPost, pathAndQuery: "/factors/" + url.PathEscape(factorID) + "/challenge",
		apikey: c.anonKey, bearer: accessToken, body: map[string]string{},
		read: func(resp *http.Response) error { return decodeBody(resp, &res) },
	})
	if err != nil {
		return "", wrap("challenge factor", err)
	}
	return res.ID, nil
}

// VerifyFactor answers a challenge with a code (POST /factors/{id}/verify)
// and returns the session raised to aal2: new access and refresh tokens
// (the previous refresh token is used up). A wrong code is
// mfa_verification_failed (422) and leaves the challenge open; an expired
// challenge mfa_challenge_expired (422).
func (c *Client) VerifyFactor(ctx context.Context, accessToken, factorID, challengeID, code string) (Session, error) {
	var res types.TokenResponse
	err := c.do(ctx, request{
		method: http.MethodPost, pathAndQuery: "/factors/" + url.PathEscape(factorID) + "/verify",
		apikey: c.anonKey, bearer: accessToken,
		body: map[string]string{"challenge_id": challengeID, "code": code},
		read: func(resp *http.Response) error { return decodeBody(resp, &res) },
	})
	if err != nil {
		return Session{}, wrap("verify factor", err)
	}
	return sessionFrom(res.Session), nil
}

// UnenrollFactor removes one of the account's own factors (DELETE
// /factors/{id}): an unverified one at any level, a verified one only from
// an aal2 session (insufficient_aal, 422).
func (c *Client) UnenrollFactor(ctx context.Context, accessToken, factorID string) error {
	return wrap("unenroll factor", c.do(ctx, request{
		method: http.MethodDelete, pathAndQuery: "/factors/" + url.PathEscape(factorID),
		apikey: c.anonKey, bearer: accessToken,
	}))
}

// AdminListFactors returns every factor of an account (service role).
func (c *Client) AdminListFactors(ctx context.Context, userID string) ([]Factor, error) {
	uid, err := parseID(userID)
	if err != nil {
		return nil, wrap("list factors", err)
	}
	var res []Factor
	err = c.do(ctx, request{
		method: http.MethodGet, pathAndQuery: "/admin/users/" + uid.String() + "/factors",
		apikey: c.serviceKey, bearer: bearerFor(c.serviceKey),
		read: func(resp *http.Response) error { return decodeBody(resp, &res) },
	})
	if err != nil {
		return nil, wrap("list factors", err)
	}
	return res, nil
}

// AdminDeleteFactor removes a factor of an account (service role). GoTrue
// lowers the sessions it had raised to aal1: their next access token (at
// the next refresh) says so.
func (c *Client) AdminDeleteFactor(ctx context.Context, userID, factorID string) error {
	uid, err := parseID(userID)
	if err != nil {
		return wrap("delete factor", err)
	}
	return wrap("delete factor", c.do(ctx, request{
		method: http.MethodDelete, pathAndQuery: "/admin/users/" + uid.String() + "/factors/" + url.PathEscape(factorID),
		apikey: c.serviceKey, bearer: bearerFor(c.serviceKey),
	}))
}

// SignOutEverywhere ends every session of the account behind accessToken,
// in every browser and application (POST /logout?scope=global): their
// refresh tokens stop at once, and their access tokens at GoTrue's next
// check (GET /user answers session_not_found).
func (c *Client) SignOutEverywhere(ctx context.Context, accessToken string) error {
	return wrap("sign out everywhere", c.do(ctx, request{
		method: http.MethodPost, pathAndQuery: "/logout?scope=global", apikey: c.anonKey, bearer: accessToken,
	}))
}
