// Package gotrue is the console's adapter over Supabase Auth (GoTrue).
//
// It wraps github.com/supabase-community/gotrue-go, which takes no context
// and reports every error as a plain string, and gives the console
// context-aware calls and typed errors (*Error, *UnreachableError).
// What GoTrue answers is recorded in docs/gotrue-wire.md.
package gotrue

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	gotruego "github.com/supabase-community/gotrue-go"
)

// DefaultTimeout bounds one call to GoTrue when Config.HTTPClient is nil.
const DefaultTimeout = 10 * time.Second

// Config says where GoTrue is and with which keys to call it.
type Config struct {
	// URL is GoTrue's base URL: https://<ref>.supabase.co/auth/v1 for
	// Supabase, http://127.0.0.1:<port> for the dev server.
	URL            string
	AnonKey        string
	ServiceRoleKey string
	// HTTPClient is used for every call; its Timeout bounds each call.
	// Nil means a client with DefaultTimeout.
	HTTPClient *http.Client
}

// Client calls GoTrue. It is safe for concurrent use.
type Client struct {
	baseURL    string
	anonKey    string
	serviceKey string
	http       *http.Client
	lib        gotruego.Client
}

// New returns a Client for cfg. It makes no request.
func New(cfg Config) *Client {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	base := strings.TrimRight(cfg.URL, "/")
	return &Client{
		baseURL:    base,
		anonKey:    cfg.AnonKey,
		serviceKey: cfg.ServiceRoleKey,
		http:       hc,
		// The project reference is unused once the URL is set.
		lib: gotruego.New("", cfg.AnonKey).WithCustomGoTrueURL(base),
	}
}

// call runs one gotrue-go call bound to ctx, with token as the bearer
// (none when empty), and turns its error into *Error / *UnreachableError.
func call[T any](ctx context.Context, c *Client, token string, fn func(gotruego.Client) (T, error)) (T, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel() // gotrue-go has read and closed the body before fn returns
	lib := c.lib.WithClient(c.boundClient(ctx))
	if token != "" {
		lib = lib.WithToken(token)
	}
	v, err := fn(lib)
	return v, ParseError(err)
}

// withTimeout applies the configured client's Timeout to ctx. The timeout
// must live in the context: http.Client's own Timeout would be lost when the
// transport swaps the request's context for ctx.
func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.http.Timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.http.Timeout)
}

// boundClient is a copy of the configured client whose requests carry ctx.
// gotrue-go builds requests with http.NewRequest (no context), so the
// transport is the only place to attach one.
func (c *Client) boundClient(ctx context.Context) http.Client {
	next := c.http.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	return http.Client{
		Transport:     ctxTransport{ctx: ctx, next: next},
		Jar:           c.http.Jar,
		CheckRedirect: c.http.CheckRedirect,
	}
}

// ctxTransport sends every request with its context replaced by ctx.
type ctxTransport struct {
	ctx  context.Context
	next http.RoundTripper
}

func (t ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.next.RoundTrip(r.WithContext(t.ctx))
}

// wrap names the operation in an error, keeping it inspectable with errors.As.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("gotrue: %s: %w", op, err)
}
