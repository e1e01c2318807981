// Package secrets seals tenant credentials with AES-256-GCM and carries
// secret values in a type that cannot be printed, logged or serialised by
// accident.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Environment variables the keyring is read from.
const (
	// EnvKey holds the current key: base64 (standard encoding) of 32 random bytes.
	EnvKey = "CONSOLE_SECRET_KEY"
	// EnvPreviousKeys holds retired keys, comma-separated, still needed to
	// open values sealed before a rotation.
	EnvPreviousKeys = "CONSOLE_SECRET_KEY_PREVIOUS"
)

// KeySize is the length of an AES-256 key in bytes.
const KeySize = 32

const nonceSize = 12 // the standard GCM nonce, 96 bits

var (
	// ErrUnknownKey means a ciphertext names a key id the keyring does not hold.
	ErrUnknownKey = errors.New("secrets: sealed with a key this keyring does not hold")
	// ErrOpen means the ciphertext, its key or its additional data do not
	// match: it was tampered with, moved to another tenant or field, or the
	// key id is wrong. It never says which, on purpose.
	ErrOpen = errors.New("secrets: cannot open the ciphertext (wrong key, wrong tenant or field, or tampered)")
	// ErrNoKey means no key was configured.
	ErrNoKey = errors.New("secrets: no key configured (" + EnvKey + " is empty)")
)

// Key is one AES-256 key with its id. Its bytes never leave the package, and
// printing a Key shows only its id.
type Key struct {
	id   string
	aead cipher.AEAD
}

// ParseKey decodes a key given as base64 (standard encoding, padding
// optional) of exactly 32 bytes. Errors never repeat the input.
func ParseKey(b64 string) (Key, error) {
	s := strings.TrimSpace(b64)
	if s == "" {
		return Key{}, ErrNoKey
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return Key{}, errors.New("secrets: the key is not valid base64 (standard encoding); generate one with GenerateKey or `openssl rand -base64 32`")
	}
	if len(raw) != KeySize {
		return Key{}, fmt.Errorf("secrets: the key decodes to %d bytes; AES-256 needs exactly %d", len(raw), KeySize)
	}
	return newKey(raw)
}

func newKey(raw []byte) (Key, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return Key{}, fmt.Errorf("secrets: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Key{}, fmt.Errorf("secrets: %w", err)
	}
	return Key{id: KeyID(raw), aead: aead}, nil
}

// KeyID derives the id stored next to each ciphertext: "k_" and the first 8
// hex digits of the SHA-256 of the raw key. It identifies a key without
// revealing it, so a rotation can find what an old key sealed.
func KeyID(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "k_" + hex.EncodeToString(sum[:4])
}

// GenerateKey returns a new random key in the form ParseKey reads.
func GenerateKey() (string, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("secrets: generate key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

// ID returns the key's id ("" for the zero Key).
func (k Key) ID() string { return k.id }

// IsZero reports whether k is the zero Key.
func (k Key) IsZero() bool { return k.aead == nil }

// String shows the id only.
func (k Key) String() string { return "secrets.Key(" + k.id + ")" }

// GoString shows the id only.
func (k Key) GoString() string { return k.String() }

// Format shows the id only, whatever the verb.
func (k Key) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// Keyring seals with its current key and opens with any key it holds, so
// values sealed before a rotation stay readable until they are re-sealed.
type Keyring struct {
	current Key
	byID    map[string]Key
}

// NewKeyring builds a keyring sealing with current and also opening with
// previous. The same key given twice is kept once; two different keys with
// one id (a 1 in 4 billion accident) are refused.
func NewKeyring(current Key, previous ...Key) (*Keyring, error) {
	if current.IsZero() {
		return nil, ErrNoKey
	}
	kr := &Keyring{current: current, byID: map[string]Key{current.id: current}}
	for _, k := range previous {
		if k.IsZero() {
			continue
		}
		if _, dup := kr.byID[k.id]; dup {
			if k.id == current.id {
				continue // the current key listed again among the old ones
			}
			return nil, fmt.Errorf("secrets: key id %s is given twice", k.id)
		}
		kr.byID[k.id] = k
	}
	return kr, nil
}

// ParseKeyring parses the current key and the previous ones (each base64,
// see ParseKey). Empty entries in previous are ignored. An error names the
// position of the bad key, never its value.
func ParseKeyring(current string, previous []string) (*Keyring, error) {
	cur, err := ParseKey(current)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvKey, err)
	}
	var old []Key
	for i, p := range previous {
		if strings.TrimSpace(p) == "" {
			continue
		}
		k, err := ParseKey(p)
		if err != nil {
			return nil, fmt.Errorf("%s entry %d: %w", EnvPreviousKeys, i+1, err)
		}
		old = append(old, k)
	}
	return NewKeyring(cur, old...)
}

// FromEnv reads the keyring from EnvKey and EnvPreviousKeys through getenv
// (os.Getenv in production, a map in tests).
func FromEnv(getenv func(string) string) (*Keyring, error) {
	var previous []string
	if p := getenv(EnvPreviousKeys); p != "" {
		previous = strings.Split(p, ",")
	}
	return ParseKeyring(getenv(EnvKey), previous)
}

// CurrentID is the id of the key Seal uses.
func (kr *Keyring) CurrentID() string { return kr.current.id }

// Has reports whether the keyring can open values sealed with keyID.
func (kr *Keyring) Has(keyID string) bool {
	_, ok := kr.byID[keyID]
	return ok
}

// NeedsRotation reports whether a value sealed with keyID should be
// re-sealed with the current key.
func (kr *Keyring) NeedsRotation(keyID string) bool { return keyID != kr.current.id }

// Seal encrypts plaintext with the current key. aad binds the ciphertext to
// its place (see AAD): opening it with other aad fails. The random 96-bit
// nonce is prepended to the returned ciphertext.
func (kr *Keyring) Seal(plaintext, aad []byte) (ciphertext []byte, keyID string, err error) {
	if kr == nil || kr.current.IsZero() {
		return nil, "", ErrNoKey
	}
	nonce := make([]byte, nonceSize, nonceSize+len(plaintext)+kr.current.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", fmt.Errorf("secrets: nonce: %w", err)
	}
	return kr.current.aead.Seal(nonce, nonce, plaintext, aad), kr.current.id, nil
}

// Open decrypts a ciphertext produced by Seal with the key named keyID and
// the same aad.
func (kr *Keyring) Open(ciphertext []byte, keyID string, aad []byte) ([]byte, error) {
	if kr == nil {
		return nil, ErrNoKey
	}
	k, ok := kr.byID[keyID]
	if !ok {
		return nil, fmt.Errorf("%w (key id %q)", ErrUnknownKey, keyID)
	}
	if len(ciphertext) < nonceSize+k.aead.Overhead() {
		return nil, ErrOpen
	}
	plain, err := k.aead.Open(nil, ciphertext[:nonceSize], ciphertext[nonceSize:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// Rotate opens a value sealed with keyID and seals it again with the current
// key.
func (kr *Keyring) Rotate(ciphertext []byte, keyID string, aad []byte) ([]byte, string, error) {
	plain, err := kr.Open(ciphertext, keyID, aad)
	if err != nil {
		return nil, "", err
	}
	defer clear(plain)
	return kr.Seal(plain, aad)
}

// String shows the key ids only.
func (kr *Keyring) String() string {
	if kr == nil {
		return "secrets.Keyring(nil)"
	}
	return fmt.Sprintf("secrets.Keyring(current %s, %d keys)", kr.current.id, len(kr.byID))
}

// GoString shows the key ids only.
func (kr *Keyring) GoString() string { return kr.String() }

// Format shows the key ids only, whatever the verb.
func (kr *Keyring) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(kr.String())) }

// AAD is the additional authenticated data of a tenant's secret: a
// ciphertext sealed for one tenant and field cannot be opened as another's.
// NUL separators keep ("a_b","c") and ("a","b_c") apart.
func AAD(tenantID, name string) []byte {
	return []byte("tenant-console/secret/v1\x00" + tenantID + "\x00" + name)
}
