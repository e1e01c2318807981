package web

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/auth/gotrue"
)

// putGoTrueSession keeps GoTrue's session in the console's: the access
// token (for sign-out), the refresh token and the access token's expiry.
func (s *server) putGoTrueSession(ctx context.Context, gt gotrue.Session) {
	s.Sessions.Put(ctx, sessGoTrueToken, gt.AccessToken)
	s.Sessions.Put(ctx, sessGoTrueRefresh, gt.RefreshToken)
	expiry := gt.ExpiresAt
	if expiry.IsZero() {
		expiry = time.Now().Add(time.Duration(gt.ExpiresIn) * time.Second)
	}
	s.Sessions.Put(ctx, sessGoTrueExpiry, expiry.Unix())
}

// checkGoTrueSession keeps GoTrue the authority on accounts: once the
// session's access token has expired, the refresh token is traded for a new
// one. When GoTrue refuses (the account was banned or deleted, or signed out
// everywhere) it returns the message the person is sent to the sign-in page
// with, and the caller ends the session. A ban thus takes effect within the
// access token's lifetime. GoTrue down or failing is an error: the request
// fails, the session stays for when GoTrue is back.
func (s *server) checkGoTrueSession(ctx context.Context, userID string) (ended string, err error) {
	refresh := s.Sessions.GetString(ctx, sessGoTrueRefresh)
	if refresh == "" {
		// A session from before the console kept refresh tokens: GoTrue
		// cannot vouch for it, so it ends.
		s.log.InfoContext(ctx, "session ended: no GoTrue refresh token", slog.String("user_id", userID))
		return auth.MsgSessionEnded, nil
	}
	if time.Now().Unix() < s.Sessions.GetInt64(ctx, sessGoTrueExpiry) {
		return "", nil
	}
	gt, err := s.refresher.refresh(ctx, s.Auth, refresh)
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
	return "", nil
}

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

func (r *refresher) refresh(ctx context.Context, a *auth.Authenticator, token string) (gotrue.Session, error) {
	r.mu.Lock()
	if r.flights == nil {
		r.flights = map[string]*flight{}
	}
	now := time.Now()
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
			return f.session, f.err
		case <-ctx.Done():
			return gotrue.Session{}, ctx.Err()
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
	return f.session, f.err
}
