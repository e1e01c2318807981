package web

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/auth/gotrue"
)

// putGoTrueSession keeps GoTrue's session in the console's: the access
// token (for sign-out), the refresh token and the access token's expiry,
// and when GoTrue vouched for them (now: it has just issued them).
func (s *server) putGoTrueSession(ctx context.Context, gt gotrue.Session) {
	s.Sessions.Put(ctx, sessGoTrueToken, gt.AccessToken)
	s.Sessions.Put(ctx, sessGoTrueRefresh, gt.RefreshToken)
	expiry := gt.ExpiresAt
	if expiry.IsZero() {
		expiry = time.Now().Add(time.Duration(gt.ExpiresIn) * time.Second)
	}
	s.Sessions.Put(ctx, sessGoTrueExpiry, expiry.Unix())
	s.Sessions.Put(ctx, sessGoTrueChecked, s.now().UnixMilli())
	aal := gt.AAL
	if aal == "" {
		aal = gotrue.TokenAAL(gt.AccessToken)
	}
	s.Sessions.Put(ctx, sessGoTrueAAL, aal)
	s.noteFactors(ctx, gt.User)
}

// Rechecking with GoTrue. A ban, a deleted account or a sign-out
// everywhere stops the access tokens GoTrue already issued, but the console
// only hears of it when it asks. So:
//
//   - a write (any request but GET, HEAD, OPTIONS, and sign-in/out) asks
//     GoTrue first, every time: a banned person's next change is refused;
//   - a read asks when GoTrue last vouched for the session more than
//     AuthRecheck ago (a minute by default). Requests of one session
//     arriving together share one question, and the answer is remembered
//     in this process, so a burst of reads makes at most one call.
//
// When GoTrue cannot be reached or fails: a write is refused (503, or 502
// when GoTrue answered with its own failure) since nobody can say the
// person may still write; a read is served for recheckGrace after GoTrue's
// last word, so a GoTrue hiccup does not take the console's pages down,
// and refused after that. While GoTrue is failing, reads ask it again only
// every recheckBackoff, so a slow GoTrue does not slow every page.
const (
	defaultRecheck = time.Minute
	recheckGrace   = 5 * time.Minute
	recheckBackoff = 15 * time.Second
	// tokenMargin: an access token this close to its expiry is renewed
	// rather than shown to GoTrue, which could find it expired already.
	tokenMargin = 30 * time.Second
)

func (s *server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *server) recheckEvery() time.Duration {
	if s.AuthRecheck > 0 {
		return s.AuthRecheck
	}
	return defaultRecheck
}

// checkGoTrueSession keeps GoTrue the authority on accounts (see above):
// the access token is renewed once it has expired, and GoTrue is asked
// about it before a write and when its last word is older than the bound.
// When GoTrue refuses (the account was banned or deleted, or signed out
// everywhere) it returns the message the person is sent to the sign-in page
// with, and the caller ends the session. GoTrue down or failing is an error
// (except for a read within the grace): the request fails, the session
// stays for when GoTrue is back.
func (s *server) checkGoTrueSession(ctx context.Context, userID string, write bool) (ended string, err error) {
	refresh := s.Sessions.GetString(ctx, sessGoTrueRefresh)
	if refresh == "" {
		// A session from before the console kept refresh tokens: GoTrue
		// cannot vouch for it, so it ends.
		s.log.InfoContext(ctx, "session ended: no GoTrue refresh token", slog.String("user_id", userID))
		return auth.MsgSessionEnded, nil
	}
	now := s.now()
	expiry := time.Unix(s.Sessions.GetInt64(ctx, sessGoTrueExpiry), 0)
	access := s.Sessions.GetString(ctx, sessGoTrueToken)
	vouched := time.UnixMilli(s.Sessions.GetInt64(ctx, sessGoTrueChecked))
	expired := !now.Before(expiry)
	// A sign-out everywhere (or a password change) made in this process
	// after GoTrue's last word about this session: ask now.
	ask := write || s.signouts.since(userID, func(at time.Time) bool { return !s.checks.fresh(access, vouched, at) })
	if !expired && !ask && s.checks.fresh(access, vouched, now.Add(-s.recheckEvery())) {
		return "", nil
	}
	if expired || expiry.Sub(now) < tokenMargin {
		gt, refreshedAt, err := s.refresher.refresh(ctx, s.Auth, refresh, now)
		var gone *auth.SessionEndedError
		switch {
		case errors.As(err, &gone):
			s.log.InfoContext(ctx, "session ended: GoTrue refused the refresh", slog.String("user_id", userID),
				slog.String("reason", gone.Message), slog.Any("error", err))
			return gone.Message, nil
		case err != nil:
			return "", err
		case gt.User.ID != userID:
			s.log.WarnContext(ctx, "session ended: GoTrue refreshed another user", slog.String("user_id", userID))
			return auth.MsgSessionEnded, nil
		}
		s.putGoTrueSession(ctx, gt)
		// GoTrue's answer to the refresh is its word too, from when the
		// refresh was made: maybe by another request, up to a minute ago
		// (see refresher).
		s.Sessions.Put(ctx, sessGoTrueChecked, refreshedAt.UnixMilli())
		if !ask && now.Sub(refreshedAt) < s.recheckEvery() {
			return "", nil
		}
		access, vouched = gt.AccessToken, refreshedAt
	}
	return s.recheck(ctx, userID, access, vouched, now, write, ask)
}

// recheck asks GoTrue about the session's access token (GET /user); ask
// makes a read ask even when an answer is fresh.
func (s *server) recheck(ctx context.Context, userID, access string, vouched, now time.Time, write, ask bool) (ended string, err error) {
	res := s.checks.ask(ctx, s.Auth, access, askFor{
		write: ask, vouched: vouched, now: now, freshAfter: now.Add(-s.recheckEvery()), retryAfter: now.Add(-recheckBackoff),
	})
	var gone *auth.SessionEndedError
	switch {
	case errors.As(res.err, &gone):
		s.log.InfoContext(ctx, "session ended: GoTrue refused the access token", slog.String("user_id", userID),
			slog.String("reason", gone.Message), slog.Any("error", res.err))
		return gone.Message, nil
	case res.err != nil:
		if !write && now.Sub(res.lastOK) < recheckGrace {
			s.log.WarnContext(ctx, "GoTrue could not confirm the session; serving the read on its last word",
				slog.String("user_id", userID), slog.Time("confirmed_at", res.lastOK), slog.Any("error", res.err))
			return "", nil
		}
		return "", fmt.Errorf("confirm the session with GoTrue: %w", res.err)
	case res.asked && res.user.ID != userID:
		s.log.WarnContext(ctx, "session ended: GoTrue knows the token as another user", slog.String("user_id", userID))
		return auth.MsgSessionEnded, nil
	case res.asked:
		// A factor removed by an administrator is noticed here.
		s.noteFactors(ctx, res.user)
	}
	return "", nil
}

// userChecks remembers, per access token, when GoTrue last vouched for it
// and when asking it last failed, and lets concurrent reads of one session
// share one question. Writes ask on their own: they must not rest on an
// answer given before they arrived.
type userChecks struct {
	mu     sync.Mutex
	tokens map[[sha256.Size]byte]*tokenCheck // by the access token's hash
}

type tokenCheck struct {
	okAt     time.Time // when GoTrue last accepted the token
	failedAt time.Time // when asking GoTrue last failed (down, failing)
	flight   *checkFlight
}

type checkFlight struct {
	done chan struct{}
	user gotrue.User
	err  error
}

// maxCheckedTokens bounds the memory; past it everything is forgotten, at
// the cost of one more call per session.
const maxCheckedTokens = 50_000

type askFor struct {
	write      bool
	vouched    time.Time // when the session itself says GoTrue last vouched
	now        time.Time
	freshAfter time.Time // a read needs no question if vouched for after this
	retryAfter time.Time // a read does not ask again if asking failed after this
}

type checkResult struct {
	asked  bool // GoTrue answered this request (user is its answer)
	user   gotrue.User
	lastOK time.Time
	err    error
}

func (c *userChecks) entry(access string) *tokenCheck {
	key := sha256.Sum256([]byte(access))
	if c.tokens == nil || len(c.tokens) >= maxCheckedTokens {
		c.tokens = map[[sha256.Size]byte]*tokenCheck{}
	}
	e, ok := c.tokens[key]
	if !ok {
		e = &tokenCheck{}
		c.tokens[key] = e
	}
	return e
}

// fresh reports whether GoTrue vouched for access after freshAfter.
func (c *userChecks) fresh(access string, vouched, freshAfter time.Time) bool {
	if vouched.After(freshAfter) {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.tokens[sha256.Sum256([]byte(access))]
	return ok && e.okAt.After(freshAfter)
}

// ask asks GoTrue about access, unless (for a read) an answer is fresh
// enough, another request is asking already, or asking failed a moment ago.
func (c *userChecks) ask(ctx context.Context, a *auth.Authenticator, access string, q askFor) checkResult {
	c.mu.Lock()
	e := c.entry(access)
	if q.vouched.After(e.okAt) {
		e.okAt = q.vouched
	}
	lastOK := e.okAt
	if !q.write {
		switch {
		case e.okAt.After(q.freshAfter):
			c.mu.Unlock()
			return checkResult{lastOK: lastOK}
		case e.flight != nil:
			f := e.flight
			c.mu.Unlock()
			select {
			case <-f.done:
				return checkResult{asked: f.err == nil, user: f.user, lastOK: lastOK, err: f.err}
			case <-ctx.Done():
				return checkResult{lastOK: lastOK, err: ctx.Err()}
			}
		case e.failedAt.After(q.retryAfter):
			c.mu.Unlock()
			return checkResult{lastOK: lastOK, err: errRecheckBackoff}
		}
	}
	f := &checkFlight{done: make(chan struct{})}
	if !q.write {
		e.flight = f
	}
	c.mu.Unlock()

	// Finished even if this request goes away: others may be waiting.
	f.user, f.err = a.CheckUser(context.WithoutCancel(ctx), access)
	var gone *auth.SessionEndedError
	c.mu.Lock()
	switch {
	case f.err == nil:
		if q.now.After(e.okAt) {
			e.okAt = q.now // when the question was asked: the answer holds from then
		}
	case !errors.As(f.err, &gone):
		e.failedAt = q.now
	}
	if e.flight == f {
		e.flight = nil
	}
	c.mu.Unlock()
	close(f.done)
	return checkResult{asked: f.err == nil, user: f.user, lastOK: lastOK, err: f.err}
}

// errRecheckBackoff: GoTrue failed to answer a moment ago; not asked again yet.
var errRecheckBackoff = fmt.Errorf("GoTrue failed to confirm the session moments ago: %w", apperr.ErrUnavailable)

// refresher makes one refresh per refresh token in this process: requests
// of one browser arriving together (htmx) share it instead of the second
// one finding the token already used and ending the session. Results are
// kept a minute for requests that loaded the session before it was saved.
type refresher struct {
	mu      sync.Mutex
	flights map[string]*flight
}

type flight struct {
	done    chan struct{}
	started time.Time
	session gotrue.Session
	err     error
}

const keepRefreshed = time.Minute

// refresh returns the session GoTrue gave for token and when it was asked
// (now, or when the shared refresh began).
func (r *refresher) refresh(ctx context.Context, a *auth.Authenticator, token string, now time.Time) (gotrue.Session, time.Time, error) {
	r.mu.Lock()
	if r.flights == nil {
		r.flights = map[string]*flight{}
	}
	for k, f := range r.flights {
		if now.Sub(f.started) > keepRefreshed {
			select {
			case <-f.done:
				delete(r.flights, k)
			default:
			}
		}
	}
	if f, ok := r.flights[token]; ok {
		r.mu.Unlock()
		select {
		case <-f.done:
			return f.session, f.started, f.err
		case <-ctx.Done():
			return gotrue.Session{}, time.Time{}, ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{}), started: now}
	r.flights[token] = f
	r.mu.Unlock()

	// The refresh is finished even if this request goes away: its result
	// is what the other requests are waiting for.
	f.session, f.err = a.Refresh(context.WithoutCancel(ctx), token)
	var gone *auth.SessionEndedError
	if f.err != nil && !errors.As(f.err, &gone) {
		// GoTrue down: the next request asks again.
		r.mu.Lock()
		delete(r.flights, token)
		r.mu.Unlock()
	}
	close(f.done)
	return f.session, f.started, f.err
}
