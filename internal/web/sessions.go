package web

import (
	"context"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
)

// NewSessions returns the session manager: server-side sessions in store,
// ending after lifetime or after idle without use, in an HttpOnly, SameSite
// Lax cookie that is Secure outside development.
func NewSessions(store scs.Store, lifetime, idle time.Duration, dev bool) *scs.SessionManager {
	m := scs.New()
	m.Store = store
	if store != nil {
		m.Store = newLazyTouch(store, idle)
	}
	m.Lifetime = lifetime
	m.IdleTimeout = idle
	m.Cookie.Name = "console_session"
	m.Cookie.HttpOnly = true
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Secure = !dev
	m.Cookie.Path = "/"
	return m
}

// lazyTouch spares the database a write on every request. With an idle
// timeout, scs commits every session it loads only to push its expiry
// forward; lazyTouch lets such a commit through only when the data changed
// or the stored expiry has fallen more than a slice of the idle timeout
// behind (so a session still ends within idle+slice of its last use; the
// slice is 1/20 of the timeout, at most a minute). Every other commit and
// every delete goes through unchanged.
type lazyTouch struct {
	next  scs.Store
	slack time.Duration

	mu   sync.Mutex
	seen map[string]touched // by token: what was last read or written
}

type touched struct {
	data   []byte
	expiry time.Time // zero when only read: the stored expiry is unknown
}

const maxTouched = 50_000

func newLazyTouch(next scs.Store, idle time.Duration) *lazyTouch {
	return &lazyTouch{next: next, slack: min(idle/20, time.Minute), seen: map[string]touched{}}
}

func (l *lazyTouch) remember(token string, t touched) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) >= maxTouched {
		clear(l.seen) // bounded memory; the cost is one write per session
	}
	if old, ok := l.seen[token]; ok && t.expiry.IsZero() && reflect.DeepEqual(old.data, t.data) {
		t.expiry = old.expiry
	}
	l.seen[token] = t
}

// redundant reports whether writing b with expiry would change only the
// expiry, by less than the slack.
func (l *lazyTouch) redundant(token string, b []byte, expiry time.Time) bool {
	if l.slack <= 0 {
		return false
	}
	l.mu.Lock()
	old, ok := l.seen[token]
	l.mu.Unlock()
	if !ok || old.expiry.IsZero() || expiry.Sub(old.expiry) > l.slack || expiry.Before(old.expiry) {
		return false
	}
	return sameSession(old.data, b)
}

// sameSession compares two encoded sessions by their values: gob writes a
// map's keys in random order, so equal sessions need not be equal bytes.
func sameSession(a, b []byte) bool {
	var codec scs.GobCodec
	da, va, err1 := codec.Decode(a)
	db, vb, err2 := codec.Decode(b)
	return err1 == nil && err2 == nil && da.Equal(db) && reflect.DeepEqual(va, vb)
}

func (l *lazyTouch) Find(token string) ([]byte, bool, error) {
	return l.FindCtx(context.Background(), token)
}

func (l *lazyTouch) Commit(token string, b []byte, expiry time.Time) error {
	return l.CommitCtx(context.Background(), token, b, expiry)
}

func (l *lazyTouch) Delete(token string) error { return l.DeleteCtx(context.Background(), token) }

func (l *lazyTouch) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	var found bool
	var err error
	if cs, ok := l.next.(scs.CtxStore); ok {
		b, found, err = cs.FindCtx(ctx, token)
	} else {
		b, found, err = l.next.Find(token)
	}
	if err == nil && found {
		l.remember(token, touched{data: b})
	}
	return b, found, err
}

func (l *lazyTouch) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if l.redundant(token, b, expiry) {
		return nil
	}
	var err error
	if cs, ok := l.next.(scs.CtxStore); ok {
		err = cs.CommitCtx(ctx, token, b, expiry)
	} else {
		err = l.next.Commit(token, b, expiry)
	}
	if err == nil {
		l.mu.Lock()
		l.seen[token] = touched{data: b, expiry: expiry}
		l.mu.Unlock()
	}
	return err
}

func (l *lazyTouch) DeleteCtx(ctx context.Context, token string) error {
	l.mu.Lock()
	delete(l.seen, token)
	l.mu.Unlock()
	if cs, ok := l.next.(scs.CtxStore); ok {
		return cs.DeleteCtx(ctx, token)
	}
	return l.next.Delete(token)
}
