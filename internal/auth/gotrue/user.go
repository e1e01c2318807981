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
	User      User
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
	}
}

func sessionFrom(s types.Session) Session {
	out := Session{
		AccessToken:  s.AccessToken,
		RefreshToken: s.RefreshToken,
		ExpiresIn:    s.ExpiresIn,
		ExpiresAt:    tokenExpiry(s.AccessToken),
		User:         userFrom(s.User),
	}
	if out.ExpiresAt.IsZero() && s.ExpiresAt > 0 {
		out.ExpiresAt = time.Unix(s.ExpiresAt, 0)
	}
	return out
}

// tokenExpiry reads the exp claim of a JWT without checking its signature:
// the token came straight from GoTrue, and the time only decides when to ask
// GoTrue again. Zero when the token has none.
func tokenExpiry(token string) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}
	}
	exp, err := claims.Exp.Float64()
	if err != nil || exp <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(exp), 0)
}
