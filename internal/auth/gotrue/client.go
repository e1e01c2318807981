// Package gotrue is the console's adapter over Supabase Auth (GoTrue).
//
// It wraps github.com/supabase-community/gotrue-go, which takes no context
// and reports every error as a plain string, and gives the console
// context-aware calls and typed errors (*Error, *UnreachableError,
// *BadResponseError). What GoTrue answers is recorded in docs/gotrue-wire.md.
//
// Every request carries an apikey header, so the same client works against
// GoTrue itself (http://localhost:9999) and behind Supabase's API gateway
// (https://<ref>.supabase.co/auth/v1), which refuses requests without one:
// anonymous and user calls send the anon key, admin calls send the service
// role key both as apikey and as the bearer, as Supabase's own clients
// (createClient with the service key) do. Supabase's newer keys
// (sb_secret_…, sb_publishable_…) are not JWTs and GoTrue cannot read them:
// for those only the apikey is sent, and the gateway puts the matching JWT
// in Authorization itself.
package gotrue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	gotruego "github.com/supabase-community/gotrue-go"
)

// DefaultTimeout bounds one call to GoTrue when Config.HTTPClient is nil or
// has no Timeout of its own.
const DefaultTimeout = 10 * time.Second

// Config says where GoTrue is and with which keys to call it.
type Config struct {
	// URL is GoTrue's base URL: https://<ref>.supabase.co/auth/v1 for
	// Supabase, http://127.0.0.1:<port> for the dev server or a GoTrue run
	// without the gateway.
	URL string
	// AnonKey is the public key (anon or sb_publishable_…), sent as apikey
	// on sign-in and on calls made with a user's access token.
	AnonKey string
	// ServiceRoleKey is the admin key (service_role or sb_secret_…), sent
	// as apikey and bearer on admin calls. Keep it server-side.
	ServiceRoleKey string
	// HTTPClient is used for every call; its Timeout bounds each call. Nil,
	// or a zero Timeout, means DefaultTimeout: a call is never unbounded.
	HTTPClient *http.Client
}

// Client calls GoTrue. It is safe for concurrent use.
type Client struct {
	baseURL    string
	anonKey    string
	serviceKey string
	http       *http.Client
	timeout    time.Duration
	// anonLib sends the anon key as apikey; user calls add the user's token.
	anonLib gotruego.Client
	// adminLib sends the service role key as apikey and, when it is a JWT,
	// as the bearer.
	adminLib gotruego.Client
}

// New returns a Client for cfg. It makes no request.
func New(cfg Config) *Client {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	timeout := hc.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	base := strings.TrimRight(cfg.URL, "/")
	return &Client{
		baseURL:    base,
		anonKey:    cfg.AnonKey,
		serviceKey: cfg.ServiceRoleKey,
		http:       hc,
		timeout:    timeout,
		// The project reference is unused once the URL is set.
		anonLib:  gotruego.New("", cfg.AnonKey).WithCustomGoTrueURL(base),
		adminLib: gotruego.New("", cfg.ServiceRoleKey).WithCustomGoTrueURL(base).WithToken(bearerFor(cfg.ServiceRoleKey)),
	}
}

// bearerFor is the bearer sent with key as the apikey: the key itself when
// it is a JWT (anon, service_role), none for Supabase's opaque keys, which
// only its gateway understands. gotrue-go sends no Authorization for "".
func bearerFor(key string) string {
	if strings.HasPrefix(key, "sb_secret_") || strings.HasPrefix(key, "sb_publishable_") {
		return ""
	}
	return key
}

// userLib is the anon client with a user's access token as the bearer.
func (c *Client) userLib(accessToken string) gotruego.Client {
	return c.anonLib.WithToken(accessToken)
}

// call runs one gotrue-go call on lib, bound to ctx, and turns its error
// into *Error / *UnreachableError / *BadResponseError.
func call[T any](ctx context.Context, c *Client, lib gotruego.Client, fn func(gotruego.Client) (T, error)) (T, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel() // gotrue-go has read and closed the body before fn returns
	var last lastResponse
	v, err := fn(lib.WithClient(c.boundClient(ctx, &last)))
	return v, last.explain(err)
}

// lastResponse keeps what gotrue-go drops from the answer to a call: its
// status and GoTrue's X-Sb-Error-Code header. One call makes one request.
type lastResponse struct {
	status    int
	errorCode string
}

// explain is ParseError plus what only the response showed: the
// X-Sb-Error-Code header, which GoTrue sets from the same error code as the
// body's but also on answers whose body has another shape (a database
// error's {"code":"P0001",…}), and the status of a 2xx answer whose body
// gotrue-go could not decode.
func (l *lastResponse) explain(err error) error {
	if err == nil {
		return nil
	}
	parsed := ParseError(err)
	var e *Error
	switch {
	case errors.As(parsed, &e):
		if l.errorCode != "" && l.status == e.Status {
			e.Code = l.errorCode
		}
	case l.status >= 200 && l.status <= 299 && isDecodeError(err):
		return &BadResponseError{Status: l.status, Err: err}
	}
	return parsed
}

// withTimeout bounds ctx by the client's timeout. The timeout must live in
// the context: http.Client's own Timeout would be lost when the transport
// swaps the request's context for ctx.
func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// boundClient is a copy of the configured client whose requests carry ctx
// and whose last answer is noted in last (which may be nil). gotrue-go
// builds requests with http.NewRequest (no context), so the transport is
// the only place to attach one.
func (c *Client) boundClient(ctx context.Context, last *lastResponse) http.Client {
	next := c.http.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	return http.Client{
		Transport:     ctxTransport{ctx: ctx, next: next, last: last},
		Jar:           c.http.Jar,
		CheckRedirect: c.http.CheckRedirect,
	}
}

// ctxTransport sends every request with its context replaced by ctx.
type ctxTransport struct {
	ctx  context.Context
	next http.RoundTripper
	last *lastResponse
}

func (t ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r.WithContext(t.ctx))
	if resp != nil && t.last != nil {
		t.last.status = resp.StatusCode
		t.last.errorCode = resp.Header.Get(errorCodeHeader)
	}
	return resp, err
}

// errorCodeHeader carries GoTrue's error code beside the body.
const errorCodeHeader = "X-Sb-Error-Code"

// request is one call gotrue-go cannot express, sent by do.
type request struct {
	method       string
	pathAndQuery string
	apikey       string
	bearer       string // none when empty
	body         any    // sent as JSON when not nil
	// read is handed a 2xx answer, when not nil, before its body is closed.
	read func(*http.Response) error
}

// do sends r straight to GoTrue and turns a non-2xx answer into *Error and
// no answer into *UnreachableError.
func (c *Client) do(ctx context.Context, r request) error {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()

	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.baseURL+r.pathAndQuery, body)
	if err != nil {
		return err
	}
	req.Header.Set("apikey", r.apikey)
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")

	hc := c.boundClient(ctx, nil)
	resp, err := hc.Do(req)
	if err != nil {
		return ParseError(err)
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		e := parseBody(resp.StatusCode, raw)
		if code := resp.Header.Get(errorCodeHeader); code != "" {
			e.Code = code
		}
		return e
	}
	if r.read == nil {
		return nil
	}
	return r.read(resp)
}

// decodeBody decodes a 2xx answer's JSON body into v.
func decodeBody(resp *http.Response, v any) error {
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return &BadResponseError{Status: resp.StatusCode, Err: err}
	}
	return nil
}

// wrap names the operation in an error, keeping it inspectable with errors.As.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("gotrue: %s: %w", op, err)
}
