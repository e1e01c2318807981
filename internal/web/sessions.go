package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
)

// NewSessions returns the session manager: server-side sessions in store,
// ending after lifetime or after idle without use, in an HttpOnly, SameSite
// Lax cookie that is Secure outside development.
func NewSessions(store scs.Store, lifetime, idle time.Duration, dev bool) *scs.SessionManager {
	m := scs.New()
	m.Store = store
	if store != nil {
		m.Store = newLazyTouch(newHashedTokens(store), idle)
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

// sessions loads the session before the handler and commits it after, in
// place of scs's LoadAndSave. LoadAndSave commits when the handler first
// writes, and when that commit fails (the database dropped the connection)
// its ErrorFunc has already answered "500 Internal Server Error" in plain
// text before the handler's page follows: two bodies in one answer. Here
// the answer is held until the session is saved; if saving fails, it is
// thrown away and the console's error handler gives the one error page,
// logged with the request id. A download cannot be held (it may be larger
// than memory and must arrive as it is made): its handler calls
// startStream, which saves the session first and then lets the answer
// through.
func (s *server) sessions(next echo.HandlerFunc) echo.HandlerFunc {
	m := s.Sessions
	return func(c echo.Context) error {
		req := c.Request()
		c.Response().Header().Add("Vary", "Cookie")
		var token string
		if cookie, err := req.Cookie(m.Cookie.Name); err == nil {
			token = cookie.Value
		}
		ctx, err := m.Load(req.Context(), token)
		if err != nil {
			return fmt.Errorf("load session: %w", err)
		}
		c.SetRequest(req.WithContext(ctx))

		orig := c.Response()
		before := orig.Header().Clone()
		held := &heldResponse{header: orig.Header(), real: orig.Writer}
		orig.Writer = held
		c.Set(heldKey, held)
		if err := next(c); err != nil && !errors.Is(err, held.saveErr) {
			c.Error(err) // into the held answer, so the session is saved with it
		}
		if held.streaming {
			return nil // saved before the first byte, and already sent
		}
		err = held.saveErr
		if err == nil {
			err = s.saveSession(ctx, orig.Header())
		}
		if err != nil {
			// Nothing was sent yet: start the answer again from the headers
			// the outer middleware had set, and answer with the error page.
			h := orig.Header()
			for k := range h {
				delete(h, k)
			}
			for k, v := range before {
				h[k] = v
			}
			fresh := echo.NewResponse(held.out(), c.Echo())
			c.SetResponse(fresh)
			c.Error(err)
			return nil
		}
		return held.flush()
	}
}

// heldKey is where the sessions middleware leaves its held answer for
// startStream.
const heldKey = "console.heldResponse"

// startStream is for handlers whose answer goes out as it is made (the CSV
// exports): it saves the session now, with its cookie, and from then on the
// response writes and flushes straight to the client. It must come before
// the first byte; the session must not change after it. When saving fails,
// nothing has been sent: the handler returns the error and the person gets
// the one error page.
func (s *server) startStream(c echo.Context) error {
	held, ok := c.Get(heldKey).(*heldResponse)
	if !ok || held.streaming {
		return nil // no held answer to release (or released already)
	}
	res := c.Response()
	if res.Committed || held.status != 0 || held.body.Len() > 0 {
		return errors.New("start stream: the answer has already begun")
	}
	if err := s.saveSession(c.Request().Context(), res.Header()); err != nil {
		held.saveErr = err
		return err
	}
	held.streaming = true
	res.Writer = held.out()
	return nil
}

// saveSession commits a modified session and sets (or clears) its cookie.
func (s *server) saveSession(ctx context.Context, h http.Header) error {
	m := s.Sessions
	switch m.Status(ctx) {
	case scs.Modified:
		token, expiry, err := m.Commit(ctx)
		if err != nil {
			return fmt.Errorf("save session: %w", err)
		}
		w := headerOnly{h}
		m.WriteSessionCookie(ctx, w, token, expiry)
	case scs.Destroyed:
		m.WriteSessionCookie(ctx, headerOnly{h}, "", time.Time{})
	}
	return nil
}

// sessionError is scs's ErrorFunc, for any path that still lets scs answer
// on its own (its LoadAndSave): the error goes through the console's error
// handler like any other, so it is one error page (or toast), logged through
// slog with the request id, instead of scs's plain text and standard logger.
func (s *server) sessionError(w http.ResponseWriter, r *http.Request, err error) {
	s.errorHandler(fmt.Errorf("session store: %w", err), s.echo.NewContext(r, w))
}

// heldResponse keeps an answer (status and body) until it is released; its
// headers are the real response's.
type heldResponse struct {
	header http.Header
	real   http.ResponseWriter
	status int
	body   bytes.Buffer
	// streaming: released by startStream, the session already saved;
	// saveErr: startStream's save failed (the middleware answers with it).
	streaming bool
	saveErr   error
}

func (h *heldResponse) Header() http.Header         { return h.header }
func (h *heldResponse) WriteHeader(status int)      { h.status = status }
func (h *heldResponse) Write(b []byte) (int, error) { return h.body.Write(b) }

// out is where the answer finally goes.
func (h *heldResponse) out() http.ResponseWriter { return h.real }

// flush sends what was held.
func (h *heldResponse) flush() error {
	if h.status == 0 && h.body.Len() == 0 {
		return nil
	}
	if h.status == 0 {
		h.status = http.StatusOK
	}
	h.real.WriteHeader(h.status)
	_, err := h.real.Write(h.body.Bytes())
	return err
}

// headerOnly lets scs's WriteSessionCookie add its header to a response
// whose status is not written yet.
type headerOnly struct{ h http.Header }

func (w headerOnly) Header() http.Header       { return w.h }
func (headerOnly) Write(b []byte) (int, error) { return len(b), nil }
func (headerOnly) WriteHeader(int)             {}

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
