package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/alexedwards/scs/v2"
)

// hashedTokens keeps only the SHA-256 (hex) of each session token in the
// store; the token itself lives only in the person's cookie. Someone who can
// read the sessions table (a backup, a read replica, a leaked dump) then
// cannot present a stored key as a cookie: the console would hash it again
// and find nothing. The token is 32 random bytes, so a plain hash (no salt,
// no stretching) is enough.
//
// It does not offer scs's All/Iterate on purpose: the stored keys cannot be
// turned back into tokens, so scs.Iterate reports the store as not
// iterable instead of handing out hashes as if they were tokens. Nothing in
// the console lists sessions; a removed member or a banned person is
// stopped by identify at their next request, not by finding their rows.
type hashedTokens struct {
	next scs.Store
}

func newHashedTokens(next scs.Store) *hashedTokens { return &hashedTokens{next: next} }

// sessionKey is what the store keeps for token.
func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (h *hashedTokens) Find(token string) ([]byte, bool, error) {
	return h.FindCtx(context.Background(), token)
}

func (h *hashedTokens) Commit(token string, b []byte, expiry time.Time) error {
	return h.CommitCtx(context.Background(), token, b, expiry)
}

func (h *hashedTokens) Delete(token string) error {
	return h.DeleteCtx(context.Background(), token)
}

func (h *hashedTokens) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	if cs, ok := h.next.(scs.CtxStore); ok {
		return cs.FindCtx(ctx, sessionKey(token))
	}
	return h.next.Find(sessionKey(token))
}

func (h *hashedTokens) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if cs, ok := h.next.(scs.CtxStore); ok {
		return cs.CommitCtx(ctx, sessionKey(token), b, expiry)
	}
	return h.next.Commit(sessionKey(token), b, expiry)
}

func (h *hashedTokens) DeleteCtx(ctx context.Context, token string) error {
	if cs, ok := h.next.(scs.CtxStore); ok {
		return cs.DeleteCtx(ctx, sessionKey(token))
	}
	return h.next.Delete(sessionKey(token))
}
