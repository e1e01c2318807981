package web_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowReader hands the body over in small chunks with a pause between
// them, as a slow client would: the server has to wait for the reader, so
// one that gathered the file before sending it would be caught holding it.
type slowReader struct{ r io.Reader }

func (s slowReader) Read(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	return s.r.Read(p[:min(len(p), 32<<10)])
}

// heapWatch samples the live heap (after a collection) until stopped and
// reports the largest sample.
func heapWatch() (stop func() uint64) {
	var (
		peak uint64
		mu   sync.Mutex
		done = make(chan struct{})
		over = make(chan struct{})
	)
	go func() {
		defer close(over)
		var ms runtime.MemStats
		for {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapAlloc)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-over
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// aloneEnv marks a test process started by runAlone.
const aloneEnv = "WEB_TEST_ALONE"

// runAlone runs the calling test again in a process of its own and fails
// with it; it returns false in that process, where the test does its work.
// A test watching the process's live heap runs so: no other test's garbage
// shows in it, and the others need not wait while it runs.
func runAlone(t *testing.T) bool {
	t.Helper()
	if os.Getenv(aloneEnv) != "" {
		return false
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), aloneEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s in its own process: %v\n%s", t.Name(), err, out)
	}
	t.Logf("%s", out)
	return true
}

// Exports of 100,000 tenants and 200,000 audit events arrive whole, every
// id once, through the real router (session, gzip) read by a slow client,
// while the server's live heap stays flat: the rows go out as they are
// read instead of being gathered. The heap is the process's: see runAlone.
func TestLargeExportsStreamWholeInFlatMemory(t *testing.T) {
	if runAlone(t) {
		return
	}
	a := newApp(t)
	b := a.signedInAdmin(t)
	ctx := context.Background()
	// Long names: the tenants' file is about 25 MB, so gathering it would show.
	if _, err := a.pool.Exec(ctx, `
		INSERT INTO tenants (id, name, short_name, max_users, max_monthly_quotes, max_storage_gb, created_by, source)
		SELECT 'tn_' || lpad(i::text, 8, '0') || '_load', 'Load Tenant ' || i || repeat(' Safari Lodge', 12),
			'load-' || i, 5, 100, 1, 'test', 'onboarding'
		FROM generate_series(1, 100000) AS i`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.pool.Exec(ctx, `
		INSERT INTO audit_events (occurred_at, actor_id, actor_email, actor_role, tenant_id, action, before, after, request_id)
		SELECT now() - i * interval '1 second', 'u' || (i % 20), 'actor' || (i % 20) || '@x.example', 'support',
			'tn_' || lpad((i % 50)::text, 8, '0') || '_load', 'tenant.suspended',
			jsonb_build_object('status', 'active'), jsonb_build_object('status', 'suspended', 'reason', 'load ' || i),
			'req-' || i
		FROM generate_series(1, 200000) AS i`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.pool.Exec(ctx, `ANALYZE tenants; ANALYZE audit_events`); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		path, idsSQL string
		atLeast      int
	}{
		{"/tenants/export.csv", `SELECT id FROM tenants WHERE status <> 'deleted'`, 100_000},
		{"/audit.csv", `SELECT id::text FROM audit_events`, 200_000},
	} {
		t.Run(tc.path, func(t *testing.T) {
			// What the file must hold, each id crossed off as it arrives.
			want := map[string]bool{}
			rows, err := a.pool.Query(ctx, tc.idsSQL)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				want[id] = true
			}
			if rows.Err() != nil || len(want) < tc.atLeast {
				t.Fatalf("%d ids to expect: %v", len(want), rows.Err())
			}
			total := len(want)

			base := liveHeap()
			stop := heapWatch()
			res, err := b.client.Get(a.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("%d %v", res.StatusCode, res.Header)
			}
			// Sent as it is made (no length known up front), and compressed.
			if res.ContentLength != -1 || !res.Uncompressed {
				t.Errorf("length %d, gzip %v: want a compressed stream of unknown length", res.ContentLength, res.Uncompressed)
			}
			r := csv.NewReader(slowReader{res.Body})
			r.ReuseRecord = true
			header, err := r.Read()
			if err != nil || header[0] != "id" {
				t.Fatalf("header: %v %v", header, err)
			}
			got := 0
			for {
				rec, err := r.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("after %d rows: %v", got, err)
				}
				got++
				if !want[rec[0]] {
					t.Fatalf("row %d: id %q unexpected or repeated", got, rec[0])
				}
				delete(want, rec[0])
			}
			peak := stop()
			if len(want) != 0 || got != total {
				t.Fatalf("%d rows arrived of %d; %d ids missing", got, total, len(want))
			}
			growth := int64(peak) - int64(base)
			t.Logf("%s: %d rows; live heap %.1f MB before, at most %.1f MB while streaming", tc.path, got,
				float64(base)/(1<<20), float64(peak)/(1<<20))
			if growth > 30<<20 {
				t.Errorf("the live heap grew by %.1f MB while streaming: the export is being gathered", float64(growth)/(1<<20))
			}
		})
	}
	if strings.Contains(a.logs.String(), "export stopped") {
		t.Errorf("an export stopped:\n%s", a.logs.String())
	}
}

// An export the database stops half-way ends with a line saying the file
// is incomplete, after the rows that did arrive (whole), and the error is
// logged with the request id the line quotes. An export that fails before
// its first row is an error page, not a 200 with an empty file.
func TestExportStoppedHalfWayIsMarkedIncomplete(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	ctx := context.Background()
	// One event whose actor_role the console cannot read (NULL into a
	// string) makes reading the rows fail exactly there.
	if _, err := a.pool.Exec(ctx, `ALTER TABLE audit_events ALTER COLUMN actor_role DROP NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.pool.Exec(ctx, `
		INSERT INTO audit_events (occurred_at, tenant_id, action, actor_email, actor_role)
		SELECT '2001-01-01'::timestamptz + i * interval '1 minute',
			CASE WHEN i = 2000 THEN 'tn_00000000_bad' ELSE 'africastay' END, 'settings.updated', 'olu@africastay.example',
			CASE WHEN i = 2000 THEN NULL ELSE 'owner' END
		FROM generate_series(1, 3000) AS i`); err != nil {
		t.Fatal(err)
	}
	var before int
	if err := a.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events e, audit_events bad
		WHERE bad.actor_role IS NULL AND (e.occurred_at, e.id) > (bad.occurred_at, bad.id)`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if before < 1000 {
		t.Fatalf("only %d events before the bad one: the failure would not be half-way", before)
	}

	res, body := b.get("/audit.csv")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	reqID := res.Header.Get("X-Request-Id")
	lines := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
	last := lines[len(lines)-1]
	wantLast := fmt.Sprintf("# export stopped after %d rows: an error occurred; this file is incomplete (request id %s)", before, reqID)
	if last != wantLast {
		t.Fatalf("last line %q\nwant       %q", last, wantLast)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.Join(lines[:len(lines)-1], "\r\n"))).ReadAll()
	if err != nil || len(recs) != before+1 {
		t.Fatalf("%d whole records before the marker (want the header and %d): %v", len(recs), before, err)
	}
	// A program reading the columns stops on the marker rather than
	// taking the file as whole.
	if _, err := csv.NewReader(strings.NewReader(body)).ReadAll(); !errors.Is(err, csv.ErrFieldCount) {
		t.Errorf("reading the whole file as CSV: %v, want a field-count error on the marker", err)
	}
	logged := false
	for _, line := range strings.Split(a.logs.String(), "\n") {
		if strings.Contains(line, "level=ERROR") && strings.Contains(line, "csv export stopped") &&
			strings.Contains(line, "request_id="+reqID) && strings.Contains(line, "rows="+strconv.Itoa(before)) &&
			strings.Contains(line, "audit export") {
			logged = true
		}
	}
	if !logged {
		t.Errorf("no error logged for request %s:\n%s", reqID, a.logs.String())
	}

	// The bad event first: nothing was sent, so the answer is the error page.
	res, body = b.get("/audit.csv?tenant=tn_00000000_bad")
	if res.StatusCode != http.StatusInternalServerError || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		res.Header.Get("Content-Disposition") != "" || !strings.Contains(body, res.Header.Get("X-Request-Id")) {
		t.Errorf("failure before the first row: %d %v\n%s", res.StatusCode, res.Header, clip(body))
	}
}

// rawHead sends HEAD over its own connection and returns the status and
// everything after the headers (which must be nothing), read to the close.
func rawHead(t *testing.T, a *app, b *browser, path string) (int, http.Header, string) {
	t.Helper()
	u, _ := url.Parse(a.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var cookies []string
	for _, c := range b.client.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	req := "HEAD " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nAccept-Encoding: gzip\r\nConnection: close\r\n"
	if len(cookies) > 0 {
		req += "Cookie: " + strings.Join(cookies, "; ") + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, &http.Request{Method: http.MethodHead})
	if err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatalf("HEAD %s: reading to the close: %v", path, err)
	}
	return res.StatusCode, res.Header, string(rest)
}

// HEAD answers wherever GET does, with GET's status and headers and no
// body: pages, the sign-in page, and an export (which does not run).
func TestHeadAnswersLikeGetWithoutABody(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	visitor := a.newBrowser(t)
	admin := a.signedInAdmin(t)
	for _, c := range []struct {
		who  string
		b    *browser
		path string
	}{
		{"visitor", visitor, "/login"},
		{"visitor", visitor, "/tenants"},
		{"admin", admin, "/tenants"},
		{"admin", admin, "/tenants/africastay"},
		{"admin", admin, "/tenants/export.csv"},
		{"admin", admin, "/audit.csv"},
		{"admin", admin, "/healthz"},
	} {
		res, _ := c.b.get(c.path)
		status, header, rest := rawHead(t, a, c.b, c.path)
		if status != res.StatusCode {
			t.Errorf("%s: HEAD %s: %d, GET %d", c.who, c.path, status, res.StatusCode)
		}
		if rest != "" {
			t.Errorf("%s: HEAD %s sent a body of %d bytes", c.who, c.path, len(rest))
		}
		if got, want := header.Get("Content-Type"), res.Header.Get("Content-Type"); got != want {
			t.Errorf("%s: HEAD %s: Content-Type %q, GET %q", c.who, c.path, got, want)
		}
	}
	if status, _, _ := rawHead(t, a, admin, "/tenants"); status != http.StatusOK {
		t.Errorf("HEAD /tenants signed in: %d", status)
	}
	if status, _, _ := rawHead(t, a, visitor, "/login"); status != http.StatusOK {
		t.Errorf("HEAD /login: %d", status)
	}
}

// An export saves the session before its first byte; when that save fails
// (here the token was refreshed, and the session table refuses writes) the
// person gets the one error page, not a file and not two answers in one.
func TestExportWhoseSessionCannotBeSavedIsOneErrorPage(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{devAuth: shortLived})
	b := a.signedInAdmin(t)
	if _, err := a.pool.Exec(context.Background(), `
		CREATE FUNCTION sessions_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'sessions refused'; END $$;
		CREATE TRIGGER sessions_refuse BEFORE INSERT OR UPDATE ON sessions
			FOR EACH ROW EXECUTE FUNCTION sessions_refuse()`); err != nil {
		t.Fatal(err)
	}
	pastExpiry() // the export's request refreshes the token: the session changes
	res, body := b.get("/tenants/export.csv")
	if res.StatusCode != http.StatusInternalServerError || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		res.Header.Get("Content-Disposition") != "" || strings.Count(body, "<html") != 1 ||
		strings.Contains(body, "id,name,short_name") || !strings.Contains(body, res.Header.Get("X-Request-Id")) {
		t.Fatalf("%d %v\n%s", res.StatusCode, res.Header, clip(body))
	}
	if !strings.Contains(a.logs.String(), "sessions refused") {
		t.Errorf("the failed save was not logged:\n%s", a.logs.String())
	}
}
