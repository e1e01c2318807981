package devgotrue

import (
	"time"

	"github.com/google/uuid"
)

// userJSON is GoTrue's user object, field for field as far as an
// email-only account goes.
type userJSON struct {
	ID                 string         `json:"id"`
	Aud                string         `json:"aud"`
	Role               string         `json:"role"`
	Email              string         `json:"email"`
	EmailConfirmedAt   *time.Time     `json:"email_confirmed_at,omitempty"`
	InvitedAt          *time.Time     `json:"invited_at,omitempty"`
	Phone              string         `json:"phone"`
	ConfirmationSentAt *time.Time     `json:"confirmation_sent_at,omitempty"`
	ConfirmedAt        *time.Time     `json:"confirmed_at,omitempty"`
	LastSignInAt       *time.Time     `json:"last_sign_in_at,omitempty"`
	AppMetadata        map[string]any `json:"app_metadata"`
	UserMetadata       map[string]any `json:"user_metadata"`
	Identities         []identityJSON `json:"identities"`
	CreatedAt          time.Time      `json:"created_at"`
	UpdatedAt          time.Time      `json:"updated_at"`
	BannedUntil        *time.Time     `json:"banned_until,omitempty"`
	IsAnonymous        bool           `json:"is_anonymous"`
	// Factors is left out when the account has none, as GoTrue does.
	Factors []factorJSON `json:"factors,omitempty"`
}

type identityJSON struct {
	IdentityID   string         `json:"identity_id"`
	ID           string         `json:"id"`
	UserID       string         `json:"user_id"`
	IdentityData map[string]any `json:"identity_data"`
	Provider     string         `json:"provider"`
	LastSignInAt *time.Time     `json:"last_sign_in_at,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	Email        string         `json:"email"`
}

func appMetadata() map[string]any {
	return map[string]any{"provider": "email", "providers": []string{"email"}}
}

// identityNamespace derives a stable identity id from the user id: the dev
// server keeps no identities table, every account has one email identity.
var identityNamespace = uuid.MustParse("6c1f7e0a-3b8e-4a55-9d0e-64657667e001")

func toJSON(u userRow) userJSON {
	id := u.ID.String()
	return userJSON{
		ID:                 id,
		Aud:                audience,
		Role:               roleUser,
		Email:              u.Email,
		EmailConfirmedAt:   utc(u.EmailConfirmedAt),
		InvitedAt:          utc(u.InvitedAt),
		ConfirmationSentAt: utc(u.ConfirmationSentAt),
		ConfirmedAt:        utc(u.EmailConfirmedAt),
		LastSignInAt:       utc(u.LastSignInAt),
		AppMetadata:        appMetadata(),
		UserMetadata:       metadataOrEmpty(u.UserMetadata),
		Identities: []identityJSON{{
			IdentityID: uuid.NewSHA1(identityNamespace, u.ID[:]).String(),
			ID:         id,
			UserID:     id,
			IdentityData: map[string]any{
				"email":          u.Email,
				"email_verified": u.EmailConfirmedAt != nil,
				"phone_verified": false,
				"sub":            id,
			},
			Provider:     "email",
			LastSignInAt: utc(u.LastSignInAt),
			CreatedAt:    u.CreatedAt.UTC(),
			UpdatedAt:    u.UpdatedAt.UTC(),
			Email:        u.Email,
		}},
		CreatedAt:   u.CreatedAt.UTC(),
		UpdatedAt:   u.UpdatedAt.UTC(),
		BannedUntil: utc(u.BannedUntil),
		Factors:     factorsJSON(u.Factors),
	}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
