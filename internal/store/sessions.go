package store

import (
	"context"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Sessions wraps a session store over this store's pool (pgxstore) so that
// it meets a dead connection as the rest of the store does: a find, save or
// delete that met a connection the server had closed runs once more, after
// the pool's dead connections are dropped (each is one statement that may
// run twice: a read, an upsert, a delete), and an error meaning the database
// is unreachable matches apperr.ErrUnavailable.
func (s *Store) Sessions(next scs.Store) scs.CtxStore {
	return &retryingSessions{store: s, next: next}
}

type retryingSessions struct {
	store *Store
	next  scs.Store
}

func (r *retryingSessions) Find(token string) ([]byte, bool, error) {
	return r.FindCtx(context.Background(), token)
}

func (r *retryingSessions) Commit(token string, b []byte, expiry time.Time) error {
	return r.CommitCtx(context.Background(), token, b, expiry)
}

func (r *retryingSessions) Delete(token string) error {
	return r.DeleteCtx(context.Background(), token)
}

func (r *retryingSessions) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	err = r.store.retryRepeatable(ctx, func() error {
		if cs, ok := r.next.(scs.CtxStore); ok {
			b, found, err = cs.FindCtx(ctx, token)
		} else {
			b, found, err = r.next.Find(token)
		}
		return err
	})
	return b, found, err
}

func (r *retryingSessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	return r.store.retryRepeatable(ctx, func() error {
		if cs, ok := r.next.(scs.CtxStore); ok {
			return cs.CommitCtx(ctx, token, b, expiry)
		}
		return r.next.Commit(token, b, expiry)
	})
}

func (r *retryingSessions) DeleteCtx(ctx context.Context, token string) error {
	return r.store.retryRepeatable(ctx, func() error {
		if cs, ok := r.next.(scs.CtxStore); ok {
			return cs.DeleteCtx(ctx, token)
		}
		return r.next.Delete(token)
	})
}
