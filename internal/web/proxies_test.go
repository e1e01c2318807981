package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// remoteSeen sends one request with X-Forwarded-For and returns the client
// address the console recorded for it (the access log's remote).
func remoteSeen(t *testing.T, a *app, xff string) string {
	t.Helper()
	id := fmt.Sprintf("proxytest-%d", time.Now().UnixNano())
	a.newBrowser(t).get("/healthz", "X-Forwarded-For", xff, "X-Request-Id", id)
	for _, line := range strings.Split(a.logs.String(), "\n") {
		if strings.Contains(line, "request_id="+id) && strings.Contains(line, "msg=request ") {
			_, after, _ := strings.Cut(line, "remote=")
			return strings.Fields(after)[0]
		}
	}
	t.Fatalf("no access log line for %s", id)
	return ""
}

func TestXForwardedForIsReadOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	t.Run("by default no proxy is trusted, not even loopback", func(t *testing.T) {
		t.Parallel()
		a := newApp(t)
		if got := remoteSeen(t, a, "203.0.113.9"); got != "127.0.0.1" {
			t.Fatalf("client address %q, want the peer 127.0.0.1", got)
		}
	})
	t.Run("a peer outside TRUSTED_PROXIES is not believed", func(t *testing.T) {
		t.Parallel()
		a := newAppWith(t, appOptions{trustedProxies: []string{"10.0.0.0/8"}})
		if got := remoteSeen(t, a, "203.0.113.9"); got != "127.0.0.1" {
			t.Fatalf("client address %q, want the peer 127.0.0.1", got)
		}
	})
	t.Run("a trusted proxy's client", func(t *testing.T) {
		t.Parallel()
		a := newAppWith(t, appOptions{trustedProxies: []string{"10.0.0.0/8", "127.0.0.1"}})
		if got := remoteSeen(t, a, "203.0.113.9"); got != "203.0.113.9" {
			t.Fatalf("client address %q, want 203.0.113.9", got)
		}
		// A client that sends its own X-Forwarded-For through the proxy
		// chain: only what the trusted proxies appended counts.
		if got := remoteSeen(t, a, "198.51.100.66, 203.0.113.9, 10.1.2.3"); got != "203.0.113.9" {
			t.Fatalf("client address %q, want 203.0.113.9 (the last address before the trusted hops)", got)
		}
	})
}
