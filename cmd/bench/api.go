package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ---------------------------------------------------------------- read API

// apiRateEnv lifts the per-token rate limit for the bench's server: the
// figures are the API's, not the limiter's (which still runs).
var apiRateEnv = []string{"API_RATE_LIMIT=1000000", "API_RATE_BURST=1000000"}

// apiFigures are GET /api/v1/tenants/{id} under load, as platform code
// asks it: fresh, and revalidating with the ETag it holds.
type apiFigures struct {
	Fresh       throughputResult `json:"fresh"`
	Revalidated throughputResult `json:"if_none_match"`
}

// benchAPI makes a token with the CLI, reads the ETags of a sample of
// tenants, then has clients fetch those tenants back to back for d each
// way: without If-None-Match (200, the document) and with (304).
func benchAPI(ctx context.Context, bin string, env []string, pool *pgxpool.Pool, base string, clients int, d time.Duration) (apiFigures, error) {
	var figs apiFigures
	out, err := runConsole(bin, env, "api-token", "create", "--name", "bench")
	if err != nil {
		return figs, fmt.Errorf("api-token create: %w\n%s", err, out)
	}
	var token string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "tcapi_") {
			token = strings.TrimSpace(line)
		}
	}
	if token == "" {
		return figs, fmt.Errorf("api-token create printed no token:\n%s", out)
	}
	rows, err := pool.Query(ctx, `SELECT id FROM tenants ORDER BY random() LIMIT 1000`)
	if err != nil {
		return figs, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return figs, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return figs, err
	}
	client := &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2, MaxConnsPerHost: clients * 2}}
	get := func(id, etag string) (int, string, error) {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/tenants/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("ETag"), nil
	}
	etags := make([]string, len(ids))
	for i, id := range ids {
		status, etag, err := get(id, "")
		if err != nil || status != http.StatusOK || etag == "" {
			return figs, fmt.Errorf("GET /api/v1/tenants/%s: %d %v", id, status, err)
		}
		etags[i] = etag
	}
	if len(ids) == 0 {
		return figs, errors.New("no tenants to ask for")
	}
	load := func(revalidate bool) throughputResult {
		want := http.StatusOK
		if revalidate {
			want = http.StatusNotModified
		}
		var done, errs atomic.Int64
		lat := make([][]time.Duration, clients)
		deadline := time.Now().Add(d)
		var wg sync.WaitGroup
		start := time.Now()
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := c; time.Now().Before(deadline); n += clients {
					i := n % len(ids)
					etag := ""
					if revalidate {
						etag = etags[i]
					}
					t0 := time.Now()
					status, _, err := get(ids[i], etag)
					if err != nil || status != want {
						errs.Add(1)
						continue
					}
					done.Add(1)
					lat[c] = append(lat[c], time.Since(t0))
				}
			}()
		}
		wg.Wait()
		secs := time.Since(start).Seconds()
		var all []time.Duration
		for _, l := range lat {
			all = append(all, l...)
		}
		return throughputResult{Clients: clients, Seconds: secs, Pages: done.Load(), Errors: errs.Load(),
			PagesPerSec: float64(done.Load()) / secs, Latency: summarize(all)}
	}
	figs.Fresh = load(false)
	figs.Revalidated = load(true)
	return figs, nil
}

func printAPI(w io.Writer, a apiFigures) {
	if a.Fresh.Clients == 0 {
		return
	}
	fmt.Fprintf(w, "\nread API GET /api/v1/tenants/{id}, %d clients:\n", a.Fresh.Clients)
	fmt.Fprintf(w, "%-22s %10s %8s %22s\n", "", "req/s", "errors", "latency p50/p95/p99")
	for _, r := range []struct {
		name string
		t    throughputResult
	}{{"fresh (200)", a.Fresh}, {"If-None-Match (304)", a.Revalidated}} {
		fmt.Fprintf(w, "%-22s %10.0f %8d %22s\n", r.name, r.t.PagesPerSec, r.t.Errors,
			fmt.Sprintf("%.2f/%.2f/%.2f", r.t.Latency.P50, r.t.Latency.P95, r.t.Latency.P99))
	}
}
