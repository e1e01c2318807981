package main

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

// runCLI runs the console as a person would, with DATABASE_URL set to url.
func runCLI(t testing.TB, url string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(cliContext(context.Background(), t, url), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestSeedInsertsTenantsThatTheListShows(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	out, errOut, err := runCLI(t, url, "seed", "--tenants", "2500", "--batch", "1000")
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "Inserted 2500 tenants") {
		t.Fatalf("seed said %q", out)
	}
	pool := connect(t, url)
	c := startConsole(t, url)
	var tenants, settings, branding, prompts int
	err = pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM tenants), (SELECT count(*) FROM tenant_settings),
		(SELECT count(*) FROM tenant_branding), (SELECT count(*) FROM tenant_prompts)`).Scan(&tenants, &settings, &branding, &prompts)
	if err != nil {
		t.Fatal(err)
	}
	if tenants != 2500 || settings != 2500 || branding != 2500 || prompts != 2500 {
		t.Fatalf("rows: tenants %d settings %d branding %d prompts %d, want 2500 each", tenants, settings, branding, prompts)
	}
	checkListAgreesWithSQL(t, c, pool, "safari", tenant.StatusSuspended)

	// A second run adds more rather than colliding with the first.
	if _, errOut, err := runCLI(t, url, "seed", "--tenants", "10"); err != nil {
		t.Fatalf("second seed: %v\n%s", err, errOut)
	}
}

func TestSeedRefusesAMissingCount(t *testing.T) {
	t.Parallel()
	_, errOut, err := runCLI(t, "postgres://unused", "seed")
	if err == nil || exitCode(err) != 2 || !strings.Contains(errOut, "--tenants must be a positive number") {
		t.Fatalf("seed without --tenants: err %v, stderr %q", err, errOut)
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	for _, c := range commands() {
		_, errOut, err := runCLI(t, "postgres://unused", c.name, "--help")
		if err != nil || !strings.Contains(errOut, "Usage: console "+c.name) {
			t.Errorf("%s --help: err %v, output %q", c.name, err, errOut)
		}
	}
	out, _, err := runCLI(t, "postgres://unused", "--help")
	if err != nil || !strings.Contains(out, "Commands:") {
		t.Errorf("console --help: err %v, output %q", err, out)
	}
	if _, errOut, err := runCLI(t, "postgres://unused", "frobnicate"); exitCode(err) != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: err %v, stderr %q", err, errOut)
	}
}

func connect(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// checkListAgreesWithSQL asks the list page for a search and status and
// compares its total with a plain SQL count of the same thing.
func checkListAgreesWithSQL(t testing.TB, c *consoleClient, pool *pgxpool.Pool, search string, status tenant.Status) {
	t.Helper()
	var want int
	err := pool.QueryRow(context.Background(), `SELECT count(*) FROM tenants t JOIN tenant_settings s ON s.tenant_id = t.id
		WHERE t.status = $2 AND (t.name ILIKE '%' || $1 || '%' OR t.id ILIKE '%' || $1 || '%' OR s.support_email ILIKE '%' || $1 || '%')`,
		search, string(status)).Scan(&want)
	if err != nil {
		t.Fatal(err)
	}
	body := c.list(search, status)
	got := "0"
	if m := regexp.MustCompile(`of ([0-9,]+) tenants?`).FindStringSubmatch(body); m != nil {
		got = strings.ReplaceAll(m[1], ",", "")
	}
	if got != fmt.Sprint(want) {
		t.Fatalf("list for %q/%s says %s tenants, SQL counts %d", search, status, got, want)
	}
}

// BenchmarkSeedAndList seeds 100,000 tenants with the CLI into a fresh
// database (reported as seed-100k-s), checks the list against SQL, then
// measures the list page (htmx fragment, signed in, over HTTP) for a broad
// search with a status filter, a narrow search, and a deep page.
func BenchmarkSeedAndList(b *testing.B) {
	url := testdb.URL(b)
	start := time.Now()
	if _, errOut, err := runCLI(b, url, "seed", "--tenants", "100000"); err != nil {
		b.Fatalf("seed: %v\n%s", err, errOut)
	}
	seedTime := time.Since(start)
	pool := connect(b, url)
	c := startConsole(b, url)
	checkListAgreesWithSQL(b, c, pool, "safari", tenant.StatusSuspended)
	var narrow string // the short name of one seeded tenant
	if err := pool.QueryRow(context.Background(), `SELECT short_name FROM tenants ORDER BY id LIMIT 1`).Scan(&narrow); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, path string }{
		{"search=safari,status=suspended", "/tenants?q=safari&status=suspended"},
		{"search=one-tenant", "/tenants?q=" + narrow},
		{"status=active,page=200,sort=-created", "/tenants?status=active&page=200&sort=-created"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				c.get(bc.path, "HX-Request", "true")
			}
			b.ReportMetric(seedTime.Seconds(), "seed-100k-s")
		})
	}
}

func testdbURL(t testing.TB) string { return testdb.URL(t) }
