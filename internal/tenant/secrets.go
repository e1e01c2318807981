package tenant

import (
	"context"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/secrets"
)

// Kinds of stored credential (tenant_secrets.kind).
const (
	SecretEncrypted = "encrypted" // AES-256-GCM ciphertext with its key id
	SecretEnvRef    = "env_ref"   // a ${NAME} reference kept as it is
)

// SecretNames lists the credentials a tenant may have, in display order.
var SecretNames = secrets.Names

// ActionSecretRotated records that a credential was sealed again under a new
// key; its value did not change.
const ActionSecretRotated = "secret.rotated"

// SealedSecret is one tenant_secrets row as it is stored: ciphertext or a
// reference, never the value. Printing it shows the name, kind and key id.
type SealedSecret struct {
	Name       string
	Kind       string // SecretEncrypted or SecretEnvRef
	Ciphertext []byte // sealed with secrets.AAD(tenant id, Name); nil for a reference
	KeyID      string // the key that sealed Ciphertext
	EnvRef     string // "${NAME}" when Kind is SecretEnvRef
	Hint       string // at most the last 4 characters of the value, for the mask
	UpdatedAt  time.Time
	UpdatedBy  string
}

// String names the secret without its ciphertext.
func (s SealedSecret) String() string {
	if s.Kind == SecretEnvRef {
		return fmt.Sprintf("%s(env_ref %s)", s.Name, s.EnvRef)
	}
	return fmt.Sprintf("%s(%s %s)", s.Name, s.Kind, s.KeyID)
}

// Format prints String whatever the verb, so a struct holding a SealedSecret
// never dumps ciphertext into a log line.
func (s SealedSecret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// AuditValue is what the audit trail records about the secret: its kind
// and key id, or its reference — never the value, the hint or the ciphertext.
func (s SealedSecret) AuditValue() map[string]any {
	if s.Kind == SecretEnvRef {
		return map[string]any{"kind": SecretEnvRef, "env_ref": s.EnvRef}
	}
	return map[string]any{"kind": s.Kind, "key_id": s.KeyID}
}

// Meta describes the secret as the tenant page does.
func (s SealedSecret) Meta() SecretMeta {
	return SecretMeta{Name: s.Name, Kind: s.Kind, EnvRef: s.EnvRef, Hint: s.Hint, KeyID: s.KeyID,
		UpdatedAt: s.UpdatedAt, UpdatedBy: s.UpdatedBy}
}

// Sealer encrypts a value for one place; *secrets.Keyring is one.
type Sealer interface {
	Seal(plaintext, aad []byte) (ciphertext []byte, keyID string, err error)
}

// SealSecret turns a value typed or read in plain text into the row that
// stores it: a ${NAME} reference stays a reference, anything else is sealed
// for tenantID and name.
func SealSecret(sealer Sealer, tenantID, name string, value secrets.Value) (SealedSecret, error) {
	v := strings.TrimSpace(value.Reveal())
	if secrets.IsEnvRef(v) {
		return SealedSecret{Name: name, Kind: SecretEnvRef, EnvRef: v}, nil
	}
	ct, keyID, err := sealer.Seal([]byte(value.Reveal()), secrets.AAD(tenantID, name))
	if err != nil {
		return SealedSecret{}, fmt.Errorf("seal %s of %s: %w", name, tenantID, err)
	}
	return SealedSecret{Name: name, Kind: SecretEncrypted, Ciphertext: ct, KeyID: keyID, Hint: value.Hint()}, nil
}

// SecretKeys seal new values and open stored ones; *secrets.Keyring is one.
type SecretKeys interface {
	Sealer
	Open(ciphertext []byte, keyID string, aad []byte) ([]byte, error)
}

// SecretStore writes a replaced credential; internal/store implements it.
type SecretStore interface {
	// ReplaceSecret writes s for tenantID (inserting or replacing the row)
	// and ev, in one transaction, unless unchanged reports that the row it
	// locked already holds the value; it returns whether it wrote.
	// ev.Before is filled with the row it replaces. A tenant that does not
	// exist gives apperr.ErrNotFound.
	ReplaceSecret(ctx context.Context, tenantID string, s SealedSecret, ev AuditEvent, unchanged func(current SealedSecret) bool) (bool, error)
}

// SecretService is the use case of replacing a tenant's credential from the
// console: platform admins only, value write-only, audited without it.
type SecretService struct {
	store SecretStore
	keys  SecretKeys
}

// NewSecretService returns the use case over store, sealing and opening
// values with keys.
func NewSecretService(store SecretStore, keys SecretKeys) *SecretService {
	return &SecretService{store: store, keys: keys}
}

// SecretReplaced is what Replace did.
type SecretReplaced struct {
	SecretMeta // the credential as written; zero when Changed is false
	// Changed is false when the credential already held the value: nothing
	// was written and nothing audited.
	Changed bool
}

// MaxSecretLength bounds a credential typed into the console: real keys
// (JWTs, API keys, URLs) are well under a kilobyte.
const MaxSecretLength = 4096

// CheckSecretValue returns what is wrong with a new value for the
// credential called name, or "". Messages never quote the value.
func CheckSecretValue(name string, value secrets.Value) string {
	_, msg := cleanSecretValue(name, value)
	return msg
}

// cleanSecretValue returns the value to seal for the credential called
// name — trimmed, and for the Supabase URL through FieldHTTPSURL (so it is
// stored with its scheme and host in lower case) — or what is wrong with it.
func cleanSecretValue(name string, value secrets.Value) (string, string) {
	raw := value.Reveal()
	if msg := textProblem(raw); msg != "" {
		return "", msg
	}
	v := strings.TrimSpace(raw)
	switch {
	case v == "":
		return "", "Enter the new value, or a reference such as ${SUPABASE_SERVICE_KEY}."
	case utf8.RuneCountInString(v) > MaxSecretLength:
		return "", fmt.Sprintf("This is longer than %d characters; a credential is much shorter. Check what was pasted.", MaxSecretLength)
	case strings.ContainsFunc(v, unicode.IsControl):
		return "", "The value holds line breaks or control characters; paste the credential on its own."
	case strings.HasPrefix(v, "$"):
		ref, msg := FieldEnvRef.Clean(v)
		return ref, msg
	case name == secrets.NameSupabaseURL:
		u, ok := FieldHTTPSURL.OK(v)
		if !ok || u == "" {
			return "", "The Supabase URL is an https:// address, e.g. https://abcd1234.supabase.co."
		}
		return u, ""
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }):
		return "", "A key has no spaces or invisible characters in it; check what was pasted."
	}
	return v, ""
}

// Replace seals value as tenantID's credential called name and records
// that it changed (name and key id, never the value). Only platform admins
// may; anyone else gets apperr.ErrForbidden. A bad value gives an
// *apperr.ValidationError on the field "value".
func (s *SecretService) Replace(ctx context.Context, actor Actor, tenantID, name string, value secrets.Value) (SecretReplaced, error) {
	if !actor.IsPlatformAdmin() {
		return SecretReplaced{}, fmt.Errorf("replace secret: %w", apperr.ErrForbidden)
	}
	if !ValidID(tenantID) || !slices.Contains(secrets.Names, name) {
		return SecretReplaced{}, fmt.Errorf("replace secret %q of %q: %w", name, tenantID, apperr.ErrNotFound)
	}
	clean, msg := cleanSecretValue(name, value)
	if msg != "" {
		errs := apperr.NewValidation()
		errs.Add("value", msg)
		return SecretReplaced{}, errs
	}
	// Surrounding spaces come from copying, never from the credential.
	typed := secrets.NewValue(clean)
	sealed, err := SealSecret(s.keys, tenantID, name, typed)
	if err != nil {
		return SecretReplaced{}, fmt.Errorf("replace secret: %w", err)
	}
	sealed.UpdatedBy = actor.Email
	ev := NewAuditEvent(actor, tenantID, ActionSecretChanged)
	ev.After = map[string]any{name: sealed.AuditValue()}
	unchanged := func(cur SealedSecret) bool { return s.holds(tenantID, cur, sealed, typed) }
	written, err := s.store.ReplaceSecret(ctx, tenantID, sealed, ev, unchanged)
	if err != nil {
		return SecretReplaced{}, fmt.Errorf("replace secret %s of %s: %w", name, tenantID, err)
	}
	if !written {
		return SecretReplaced{}, nil
	}
	return SecretReplaced{SecretMeta: sealed.Meta(), Changed: true}, nil
}

// holds reports whether the stored credential cur already is the new one:
// the same reference, or a ciphertext that opens to the same value
// (compared in constant time). One that does not open is not the same, so
// saving a readable value over it repairs it.
func (s *SecretService) holds(tenantID string, cur, next SealedSecret, value secrets.Value) bool {
	switch {
	case cur.Kind != next.Kind:
		return false
	case cur.Kind == SecretEnvRef:
		return cur.EnvRef == next.EnvRef
	}
	plain, err := s.keys.Open(cur.Ciphertext, cur.KeyID, secrets.AAD(tenantID, cur.Name))
	if err != nil {
		return false
	}
	defer clear(plain)
	return subtle.ConstantTimeCompare(plain, []byte(value.Reveal())) == 1
}
