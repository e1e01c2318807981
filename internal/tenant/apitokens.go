package tenant

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tenant-console/console/internal/apperr"
)

// API tokens (docs/design.md §14): what platform code presents to the read
// API. A token is shown once, when it is made; only its SHA-256 is stored.
// Platform admins make, list and revoke them (on /staff or the CLI), and
// every make and revoke is audited without the token.

// APITokenPrefix starts every token, so one found in a log or a paste is
// recognisable for what it is.
const APITokenPrefix = "tcapi_"

// apiTokenHintLen is how much of a token its hint keeps: the prefix and a
// few characters, enough to tell tokens apart, far too few to guess one.
const apiTokenHintLen = len(APITokenPrefix) + 4

// Audit actions of API tokens (they belong to no tenant).
const (
	ActionAPITokenCreated = "api_token.created"
	ActionAPITokenRevoked = "api_token.revoked"
)

// APIToken is a token as stored and listed: never its value.
type APIToken struct {
	ID         int64
	Name       string
	Hint       string
	CreatedAt  time.Time
	CreatedBy  string
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	RevokedBy  string
}

// Live reports whether the token still opens the API.
func (t APIToken) Live() bool { return t.RevokedAt == nil }

// NewAPIToken is a token just made: Secret is shown once and never again.
type NewAPIToken struct {
	Token  APIToken
	Secret string
}

// ErrAPITokenNameTaken: a live token already has the name.
var ErrAPITokenNameTaken = fmt.Errorf("the api token name is taken: %w", apperr.ErrConflict)

// APITokenStore is the persistence API tokens need.
type APITokenStore interface {
	// ListAPITokens returns every token, live ones first, newest first.
	ListAPITokens(ctx context.Context) ([]APIToken, error)
	// InAPITokenTx runs fn in one transaction.
	InAPITokenTx(ctx context.Context, fn func(APITokenTx) error) error
	// UseAPIToken returns the live token whose SHA-256 is hash and notes
	// that it was used (at most once a minute); apperr.ErrNotFound when no
	// live token has it.
	UseAPIToken(ctx context.Context, hash []byte) (APIToken, error)
}

// APITokenTx is what one token change may read and write.
type APITokenTx interface {
	AuditTx
	// InsertAPIToken stores a new token; ErrAPITokenNameTaken when a live
	// one has its name.
	InsertAPIToken(ctx context.Context, name string, hash []byte, hint, by string) (APIToken, error)
	// RevokeAPIToken marks the token revoked and returns it as it was
	// before; apperr.ErrNotFound when there is none.
	RevokeAPIToken(ctx context.Context, id int64, by string) (APIToken, error)
}

// APITokenService holds the API token use cases.
type APITokenService struct {
	store APITokenStore
}

// NewAPITokenService returns the API token use cases.
func NewAPITokenService(store APITokenStore) *APITokenService {
	return &APITokenService{store: store}
}

// List returns every token (platform admins only).
func (s *APITokenService) List(ctx context.Context, actor Actor) ([]APIToken, error) {
	if !actor.IsPlatformAdmin() {
		return nil, fmt.Errorf("api tokens: %w", apperr.ErrForbidden)
	}
	list, err := s.store.ListAPITokens(ctx)
	if err != nil {
		return nil, fmt.Errorf("list api tokens: %w", err)
	}
	return list, nil
}

// Create makes a token named name and returns it with its value, which
// exists nowhere else afterwards.
func (s *APITokenService) Create(ctx context.Context, actor Actor, name string) (NewAPIToken, error) {
	if !actor.IsPlatformAdmin() {
		return NewAPIToken{}, fmt.Errorf("api tokens: %w", apperr.ErrForbidden)
	}
	errs := apperr.NewValidation()
	name = FieldAPITokenName.Into(errs, "name", name)
	if err := errs.OrNil(); err != nil {
		return NewAPIToken{}, err
	}
	secret := newAPITokenSecret()
	var made NewAPIToken
	err := s.store.InAPITokenTx(ctx, func(tx APITokenTx) error {
		tok, err := tx.InsertAPIToken(ctx, name, HashAPIToken(secret), secret[:apiTokenHintLen], actor.Email)
		if err != nil {
			return err
		}
		ev := NewAuditEvent(actor, "", ActionAPITokenCreated)
		ev.After = map[string]any{"id": tok.ID, "name": tok.Name, "hint": tok.Hint}
		if err := tx.InsertAudit(ctx, ev); err != nil {
			return err
		}
		made = NewAPIToken{Token: tok, Secret: secret}
		return nil
	})
	if errors.Is(err, ErrAPITokenNameTaken) {
		errs.Add("name", fmt.Sprintf("A live token is already called %s; choose another name or revoke that one first.", name))
		return NewAPIToken{}, errs.OrNil()
	}
	if err != nil {
		return NewAPIToken{}, fmt.Errorf("create api token: %w", err)
	}
	return made, nil
}

// Revoke stops the token id at once. Revoking a revoked token changes
// nothing and writes no event.
func (s *APITokenService) Revoke(ctx context.Context, actor Actor, id int64) (APIToken, error) {
	if !actor.IsPlatformAdmin() {
		return APIToken{}, fmt.Errorf("api tokens: %w", apperr.ErrForbidden)
	}
	var out APIToken
	err := s.store.InAPITokenTx(ctx, func(tx APITokenTx) error {
		before, err := tx.RevokeAPIToken(ctx, id, actor.Email)
		if err != nil {
			return err
		}
		out = before
		if !before.Live() {
			return nil
		}
		ev := NewAuditEvent(actor, "", ActionAPITokenRevoked)
		ev.Before = map[string]any{"id": before.ID, "name": before.Name, "hint": before.Hint}
		return tx.InsertAudit(ctx, ev)
	})
	if err != nil {
		return APIToken{}, fmt.Errorf("revoke api token %d: %w", id, err)
	}
	return out, nil
}

// Authenticate returns the live token presented, or an error that is
// apperr.ErrUnauthenticated whatever was wrong with it (missing, unknown,
// revoked): the caller learns nothing more.
func (s *APITokenService) Authenticate(ctx context.Context, presented string) (APIToken, error) {
	if !strings.HasPrefix(presented, APITokenPrefix) || len(presented) > 200 {
		return APIToken{}, fmt.Errorf("api token: not one of ours: %w", apperr.ErrUnauthenticated)
	}
	tok, err := s.store.UseAPIToken(ctx, HashAPIToken(presented))
	if errors.Is(err, apperr.ErrNotFound) {
		return APIToken{}, fmt.Errorf("api token: unknown or revoked: %w", apperr.ErrUnauthenticated)
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("api token: %w", err)
	}
	return tok, nil
}

// HashAPIToken is what the store keeps of a token.
func HashAPIToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// newAPITokenSecret is the prefix and 32 random bytes.
func newAPITokenSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("tenant: crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	return APITokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}
