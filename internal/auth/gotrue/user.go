package gotrue

import (
	"fmt"
	"log/slog"
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

// Session is what a password sign-in returns.
type Session struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int // seconds
	User         User
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
	return Session{
		AccessToken:  s.AccessToken,
		RefreshToken: s.RefreshToken,
		ExpiresIn:    s.ExpiresIn,
		User:         userFrom(s.User),
	}
}
