package gotrue

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/supabase-community/gotrue-go/types"
)

// User is the part of GoTrue's user object the console uses.
type User struct {
	ID               string // a UUID
	Email            string
	EmailConfirmedAt *time.Time
	InvitedAt        *time.Time
	BannedUntil      *time.Time
	LastSignInAt     *time.Time
	CreatedAt        time.Time
	UserMetadata     map[string]any
	// Factors are the account's second factors, verified or not (GoTrue
	// lists them with the user).
	Factors []Factor
}

// Confirmed reports whether the email address was confirmed, which GoTrue
// requires before a password sign-in.
func (u User) Confirmed() bool { return u.EmailConfirmedAt != nil }

// BannedAt reports whether a ban is in force at now. GoTrue keeps
// banned_until after the ban ran out, so its presence alone means nothing.
func (u User) BannedAt(now time.Time) bool {
	return u.BannedUntil != nil && u.BannedUntil.After(now)
}

// Session is what a password sign-in or a refresh returns.
type Session struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int // seconds
	// ExpiresAt is when the access token stops being accepted: its exp
	// claim, else GoTrue's expires_at; zero when neither says.
	ExpiresAt time.Time
	// AAL is the access token's assurance level (its aal claim): AAL1
	// after a password or an e-mail link, AAL2 once a second factor's code
	// was verified in the session.
	AAL  string
	User User
}

// String keeps the tokens out of anything that prints a Session.
func (s Session) String() string {
	return fmt.Sprintf("gotrue.Session{user:%s expires_in:%d tokens:[redacted]}", s.User.ID, s.ExpiresIn)
}

// GoString covers %#v, which String does not.
func (s Session) GoString() string { return s.String() }

// LogValue keeps the tokens out of slog output.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user_id", s.User.ID), slog.Int("expires_in", s.ExpiresIn))
}

func userFrom(u types.User) User {
	return User{
		ID:               u.ID.String(),
		Email:            u.Email,
		EmailConfirmedAt: u.EmailConfirmedAt,
		InvitedAt:        u.InvitedAt,
		BannedUntil:      u.BannedUntil,
		LastSignInAt:     u.LastSignInAt,
		CreatedAt:        u.CreatedAt,
		UserMetadata:     u.UserMetadata,
		Factors:          factorsFrom(u.Factors),
	}
}

func factorsFrom(fs []types.Factor) []Factor {
	var out []Factor
	for _, f := range fs {
		out = append(out, Factor{ID: f.ID.String(), Type: f.FactorType, Status: f.Status, FriendlyName: f.FriendlyName, CreatedAt: f.CreatedAt})
	}
	return out
}

func sessionFrom(s types.Session) Session {
	out := Session{
		AccessToken:  s.AccessToken,
		RefreshToken: s.RefreshToken,
		ExpiresIn:    s.ExpiresIn,
		ExpiresAt:    tokenExpiry(s.AccessToken),
		AAL:          TokenAAL(s.AccessToken),
		User:         userFrom(s.User),
	}
	if out.ExpiresAt.IsZero() && s.ExpiresAt > 0 {
		out.ExpiresAt = time.Unix(s.ExpiresAt, 0)
	}
	return out
}

// tokenClaims are the claims of a GoTrue access token the console reads.
type tokenClaims struct {
	Exp json.Number `json:"exp"`
	AAL string      `json:"aal"`
}

// readClaims reads a JWT's payload without checking its signature: the
// token came straight from GoTrue (or was just accepted by it), and what is
// read only decides when to ask GoTrue again and which pages to offer; the
// aal GoTrue itself enforces on its side. ok is false for anything that is
// not a JWT.
func readClaims(token string) (tokenClaims, bool) {
	var claims tokenClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return claims, false
	}
	if json.Unmarshal(payload, &claims) != nil {
		return tokenClaims{}, false
	}
	return claims, true
}

// TokenAAL is the assurance level an access token states; AAL1 when it
// states none.
func TokenAAL(token string) string {
	if c, ok := readClaims(token); ok && c.AAL == AAL2 {
		return AAL2
	}
	return AAL1
}

// tokenExpiry reads the exp claim of a JWT (see readClaims). Zero when the
// token has none.
func tokenExpiry(token string) time.Time {
	claims, ok := readClaims(token)
	if !ok {
		return time.Time{}
	}
	exp, err := claims.Exp.Float64()
	if err != nil || exp <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(exp), 0)
}
