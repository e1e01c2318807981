package devgotrue

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// rateLimiter counts requests per client IP in fixed windows.
type rateLimiter struct {
	limit RateLimit
	now   func() time.Time

	mu      sync.Mutex
	windows map[string]*window
}

type window struct {
	start time.Time
	count int
}

func newRateLimiter(limit RateLimit, now func() time.Time) *rateLimiter {
	return &rateLimiter{limit: limit, now: now, windows: map[string]*window{}}
}

// allow records a request from r and reports whether it is within limit.
func (l *rateLimiter) allow(r *http.Request) bool {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	now := l.now()

	l.mu.Lock()
	defer l.mu.Unlock()
	for k, w := range l.windows { // forget finished windows; a dev server sees few IPs
		if now.Sub(w.start) >= l.limit.Window {
			delete(l.windows, k)
		}
	}
	w, ok := l.windows[ip]
	if !ok {
		w = &window{start: now}
		l.windows[ip] = w
	}
	w.count++
	return w.count <= l.limit.Requests
}

// checkTokenRate answers 429 over_request_rate_limit, GoTrue's answer when
// its token limiter trips.
func (s *Server) checkTokenRate(r *http.Request) error {
	if s.limiter == nil || s.limiter.allow(r) {
		return nil
	}
	return newError(http.StatusTooManyRequests, "over_request_rate_limit", "Request rate limit reached")
}
