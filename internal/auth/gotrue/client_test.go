package gotrue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/apperr"
)

// closedURL is a loopback address nobody listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func TestSignInWhenGoTrueIsDownIsUnavailable(t *testing.T) {
	t.Parallel()
	c := New(Config{URL: closedURL(t), AnonKey: "anon"})
	_, err := c.SignIn(t.Context(), "a@example.test", "secret-password")
	var ue *UnreachableError
	if !errors.As(err, &ue) || !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("SignIn() error = %v, want an unavailable *UnreachableError", err)
	}
	if strings.Contains(err.Error(), "secret-password") {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestCallsHonourTheContextDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	c := New(Config{URL: srv.URL})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Health(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("Health() error = %v, want a deadline exceeded that reads as unavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Health() took %v after a 50ms deadline", d)
	}
}

func TestHTTPClientTimeoutBoundsEachCall(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	c := New(Config{URL: srv.URL, ServiceRoleKey: "svc", HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	for name, run := range map[string]func() error{
		"library call": func() error { _, err := c.GetUser(t.Context(), "token"); return err },
		"direct call":  func() error { _, err := c.FindUserByEmail(t.Context(), "a@example.test"); return err },
	} {
		if err := run(); !errors.Is(err, apperr.ErrUnavailable) {
			t.Errorf("%s: error = %v, want unavailable after the client timeout", name, err)
		}
	}
}

func TestProxyErrorPageIsUnavailable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	}))
	t.Cleanup(srv.Close)

	_, err := New(Config{URL: srv.URL}).SignIn(t.Context(), "a@example.test", "pw-123456")
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusBadGateway || e.Code != "" {
		t.Fatalf("SignIn() error = %v, want *Error 502 without a code", err)
	}
	if !errors.Is(err, apperr.ErrUnavailable) {
		t.Error("a 502 does not read as unavailable")
	}
	if !strings.HasPrefix(err.Error(), "gotrue: sign in: ") {
		t.Errorf("operation name missing: %q", err.Error())
	}
}

func TestSignInWithoutEmailAnswersLikeGoTrueWithoutACall(t *testing.T) {
	t.Parallel()
	// GoTrue answers this before any lookup; gotrue-go would not send it.
	c := New(Config{URL: closedURL(t)})
	if _, err := c.SignIn(t.Context(), "", "pw-123456"); !HasCode(err, "validation_failed") {
		t.Errorf("empty email: %v, want validation_failed", err)
	}
}

func TestMalformedIDIsNotFoundWithoutACall(t *testing.T) {
	t.Parallel()
	c := New(Config{URL: closedURL(t)})
	if _, err := c.GetUserByID(t.Context(), "not-a-uuid"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("GetUserByID(not-a-uuid) = %v, want ErrNotFound", err)
	}
	if err := c.DeleteUser(t.Context(), "42"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("DeleteUser(42) = %v, want ErrNotFound", err)
	}
}

func TestSessionNeverPrintsTokens(t *testing.T) {
	t.Parallel()
	s := Session{AccessToken: "access-secret", RefreshToken: "refresh-secret", ExpiresIn: 3600, User: User{ID: "u1"}}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("signed in", "session", s)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), logged.String()} {
		if strings.Contains(out, "secret") {
			t.Errorf("token printed: %s", out)
		}
	}
}
