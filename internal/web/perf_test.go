package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/tenant"
)

// queryLog counts the queries the console's pool issues.
type queryLog struct {
	mu  sync.Mutex
	sql []string
}

func (l *queryLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	l.sql = append(l.sql, d.SQL)
	l.mu.Unlock()
	return ctx
}

func (l *queryLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Queries sent in one batch count one each, like the others; the
// statements that open, set up and close a batch's transaction (a search's
// top-N runs with seq scans off) read nothing and are not counted.
func (l *queryLog) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (l *queryLog) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	switch {
	case strings.HasPrefix(d.SQL, "BEGIN"), strings.HasPrefix(d.SQL, "SET LOCAL "), d.SQL == "COMMIT":
		return
	}
	l.mu.Lock()
	l.sql = append(l.sql, d.SQL)
	l.mu.Unlock()
}

func (l *queryLog) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (l *queryLog) reset() {
	l.mu.Lock()
	l.sql = nil
	l.mu.Unlock()
}

func (l *queryLog) taken() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.sql...)
}

var nextLink = regexp.MustCompile(`href="(/tenants\?[^"]*after=[^"]*)"[^>]*rel="next"|rel="next"[^>]*href="(/tenants\?[^"]*after=[^"]*)"`)

// The number of queries a page issues must not grow with the number of rows
// it shows (no query per row) nor with the size of the registry.
func TestListAndTenantPagesIssueAFixedNumberOfQueries(t *testing.T) {
	t.Parallel()
	log := &queryLog{}
	a := newAppWith(t, appOptions{tracer: log})
	ctx := context.Background()
	gen := demo.NewGenerator(3, time.Now())
	var recs []tenant.Record
	for range 1500 {
		recs = append(recs, gen.Next())
	}
	if err := a.store.BulkInsert(ctx, recs); err != nil {
		t.Fatal(err)
	}
	admin := a.createPerson(t, "admin@perf.example", tenant.RolePlatformAdmin, nil)
	b := a.newBrowser(t)
	b.signIn(admin)

	// Session, access, then at most: matching ids, counts, sample, page.
	// The tenant page: its parts, one each, and the seats its usage bar shows.
	const listLimit, tenantLimit = 6, 12
	check := func(path string, limit int, fragment bool) string {
		t.Helper()
		var headers []string
		if fragment {
			headers = []string{"HX-Request", "true"}
		}
		log.reset()
		res, body := b.get(path, headers...)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		got := log.taken()
		if len(got) > limit {
			t.Errorf("GET %s issued %d queries, at most %d expected:\n%s", path, len(got), limit, strings.Join(got, "\n---\n"))
		}
		for _, sql := range got {
			// Reading a page must not rewrite the session (a write and a
			// flush to disk per click) just to push its idle expiry on.
			if strings.Contains(sql, "INSERT INTO sessions") {
				t.Errorf("GET %s rewrote the session", path)
			}
		}
		return body
	}
	page := check("/tenants?per_page=100", listLimit, false)
	check("/tenants?per_page=100", listLimit, true)
	for _, path := range []string{"/tenants?status=suspended", "/tenants?plan=pro&sort=-created",
		"/tenants?q=safari", "/tenants?q=e", "/tenants?q=zzqx", "/tenants?q=support", "/tenants?page=7"} {
		check(path, listLimit, true)
	}
	m := nextLink.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the first page has no Next link with a cursor")
	}
	next := strings.ReplaceAll(m[1]+m[2], "&amp;", "&")
	check(next, listLimit, true)
	check("/tenants/"+recs[0].Tenant.ID, tenantLimit, false)
}

var tabCount = regexp.MustCompile(`<span class="tab-count">([^<]+)</span>`)

// The tabs' counts come from counters the database keeps; they must agree
// with a count of the rows after every kind of change.
func TestListCountsStayRightAfterEveryChange(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ctx := context.Background()
	admin := a.createPerson(t, "admin@counts.example", tenant.RolePlatformAdmin, nil)
	b := a.newBrowser(t)
	b.signIn(admin)

	agree := func(when string) {
		t.Helper()
		for _, plan := range []string{"", "pro"} {
			var want [4]string
			err := a.pool.QueryRow(ctx, `SELECT
				count(*) FILTER (WHERE status <> 'deleted')::text, count(*) FILTER (WHERE status = 'active')::text,
				count(*) FILTER (WHERE status = 'suspended')::text, count(*) FILTER (WHERE status = 'deleted')::text
				FROM tenants WHERE $1 = '' OR plan = $1`, plan).Scan(&want[0], &want[1], &want[2], &want[3])
			if err != nil {
				t.Fatal(err)
			}
			_, body := b.get("/tenants?plan="+plan, "HX-Request", "true")
			got := tabCount.FindAllStringSubmatch(body, -1)
			if len(got) != 4 {
				t.Fatalf("%s: %d tab counts on the list", when, len(got))
			}
			for i := range want {
				if strings.ReplaceAll(got[i][1], ",", "") != want[i] {
					t.Errorf("%s (plan %q): tab %d shows %s, the table holds %s", when, plan, i, got[i][1], want[i])
				}
			}
		}
	}
	agree("seeded")

	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := a.pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE tenants SET status = 'suspended', suspended_at = now(), suspended_by = 'test',
		suspended_reason = 'Invoice overdue' WHERE id = 'africastay'`)
	agree("after a suspension")
	exec(`UPDATE tenants SET status = 'deleted', deleted_at = now(), deleted_by = 'test',
		deleted_reason = 'Closed' WHERE id = 'africastay'`)
	agree("after a deletion")
	exec(`UPDATE tenants SET status = 'active', deleted_at = NULL, deleted_by = NULL, deleted_reason = NULL,
		suspended_at = NULL, suspended_by = NULL, suspended_reason = NULL WHERE id = 'africastay'`)
	agree("after a restore")
	exec(`UPDATE tenants SET plan = 'pro' WHERE plan = 'lite'`)
	agree("after a change of plan")

	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "zambezi"), 0o755); err != nil {
		t.Fatal(err)
	}
	yaml := "client:\n  id: zambezi\n  name: \"Zambezi Canoe\"\n  short_name: zambezi\n  currency: ZMW\n" +
		"  timezone: Africa/Lusaka\nbranding:\n  company_name: \"Zambezi Canoe Ltd\"\n  theme_id: ocean_teal\n" +
		"email:\n  primary: help@zambezi.example\n  sendgrid:\n    from_email: quotes@zambezi.example\n"
	if err := os.WriteFile(filepath.Join(dir, "zambezi", "client.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	im := &legacy.Importer{Store: a.store, Keyring: testKeyring(t), Actor: tenant.System("test")}
	rep, err := im.ImportDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := rep.Folder("zambezi"); f.Status != legacy.StatusCreated {
		t.Fatalf("import: %+v", f)
	}
	agree("after an import")

	if status, page := onboard(t, b, onboardForm(t, b, "zambezi-canoe", "chanda@zambezi.example")); status != http.StatusOK {
		t.Fatalf("onboarding: %d\n%s", status, clip(page))
	}
	agree("after onboarding")

	exec(`DELETE FROM tenants WHERE id = 'zambezi'`)
	agree("after a purge")
}

var rowIDs = regexp.MustCompile(`id="tenant-row-([^"]+)"`)
var prevLink = regexp.MustCompile(`href="(/tenants[^"]*)"[^>]*rel="prev"|rel="prev"[^>]*href="(/tenants[^"]*)"`)

func rowsOf(body string) []string {
	var ids []string
	for _, m := range rowIDs.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func link(t *testing.T, re *regexp.Regexp, body, what string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s link on the page", what)
	}
	return strings.ReplaceAll(m[1]+m[2], "&amp;", "&")
}

// Next and Previous move by cursor; the links are shareable (another person
// opening one sees the same rows) and Previous comes back to what Next left.
func TestListPagesByCursor(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	gen := demo.NewGenerator(5, time.Now())
	var recs []tenant.Record
	for range 120 {
		recs = append(recs, gen.Next())
	}
	if err := a.store.BulkInsert(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	admin := a.createPerson(t, "admin@pages.example", tenant.RolePlatformAdmin, nil)
	b := a.newBrowser(t)
	b.signIn(admin)

	for _, sort := range []string{"", "-created"} {
		_, first := b.get("/tenants?sort=" + sort)
		page2URL := link(t, nextLink, first, "next")
		_, page2 := b.get(page2URL)
		page3URL := link(t, nextLink, page2, "next")
		_, page3 := b.get(page3URL)
		if !strings.Contains(page3, "Page 3 of") {
			t.Errorf("sort %q: the third page is not labelled page 3", sort)
		}
		seen := map[string]bool{}
		for _, id := range append(append(rowsOf(first), rowsOf(page2)...), rowsOf(page3)...) {
			if seen[id] {
				t.Errorf("sort %q: %s shown on two pages", sort, id)
			}
			seen[id] = true
		}
		if len(seen) != 75 {
			t.Errorf("sort %q: %d distinct rows on three pages of 25", sort, len(seen))
		}
		_, back := b.get(link(t, prevLink, page3, "prev"))
		if !slicesEqual(rowsOf(back), rowsOf(page2)) {
			t.Errorf("sort %q: Previous from page 3 shows %v, page 2 was %v", sort, rowsOf(back), rowsOf(page2))
		}
		_, back = b.get(link(t, prevLink, back, "prev"))
		if !slicesEqual(rowsOf(back), rowsOf(first)) {
			t.Errorf("sort %q: Previous twice does not come back to the first page", sort)
		}
		other := a.newBrowser(t)
		other.signIn(admin)
		if _, shared := other.get(page3URL); !slicesEqual(rowsOf(shared), rowsOf(page3)) {
			t.Errorf("sort %q: the shared link of page 3 shows other rows", sort)
		}
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
