package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// Searches are measured against a floor that does not come from the
// console: for each term, several hand-written queries that return the same
// page (the first 25 matches in name order, with one more to know whether a
// next page exists, and their rows), each the best way for some kind of
// term. The floor is the fastest of them; a console that picked a bad way
// for a term shows as a ratio well above 1.

// pickTerms reads every tenant as the search sees it, in name order, and
// picks terms from them by class (frequency × position of the first match).
func pickTerms(ctx context.Context, pool *pgxpool.Pool) ([]demo.SearchTerm, error) {
	rows, err := pool.Query(ctx, `
		SELECT lower(t.name), t.id,
			ARRAY(SELECT lower(s.support_email) FROM tenant_settings s WHERE s.tenant_id = t.id)
			|| ARRAY(SELECT lower(u.email) FROM organization_users u WHERE u.tenant_id = t.id ORDER BY u.id)
		FROM tenants t ORDER BY lower(t.name), t.id`)
	if err != nil {
		return nil, err
	}
	var all []demo.TermRow
	var r demo.TermRow
	if _, err := pgx.ForEachRow(rows, []any{&r.Name, &r.ID, &r.Emails}, func() error {
		all = append(all, r)
		return nil
	}); err != nil {
		return nil, err
	}
	terms := demo.SearchTerms(all, 7)
	return append(terms, demo.MeasureTerm(all, "zzqx", "", "none")), nil
}

type floorWay struct {
	Name  string  `json:"way"`
	P50   float64 `json:"p50_ms"`
	Right bool    `json:"same_rows"`
}

type searchResult struct {
	demo.SearchTerm
	URL string `json:"url"`
	// Path is the way the console took (its trace), Shown the "All" count
	// it shows, CountError the largest error of a tab count against the
	// truth, in percent.
	Path       string     `json:"console_way"`
	Shown      string     `json:"shown_count"`
	CountError float64    `json:"count_error_pct"`
	HTTP       stats      `json:"console_http_fragment"`
	Floors     []floorWay `json:"floor_queries"`
	Floor      float64    `json:"floor_p50_ms"`
	FloorWay   string     `json:"floor_way"`
	// Ratio is the console's HTTP p50 over the floor's p50.
	Ratio float64 `json:"ratio_http_p50_to_floor_p50"`
}

// floorQueries are the hand-written ways to the first page of term (every
// status but deleted, name order), each returning the page's rows.
func floorQueries(term string) map[string]struct {
	sql  string
	args []any
} {
	lower := strings.ToLower(term)
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(lower)
	short := len([]rune(term)) < 3
	needle, like := lower, "%"+esc+"%"
	if short {
		needle, like = "\x1f"+lower, "%\x1f"+esc+"%"
	}
	rowsOf := func(ids string) string {
		return `WITH p AS (` + ids + `)
			SELECT t.id, t.name, t.short_name, t.status, t.plan, t.created_at, t.source, t.deleted_at, t.version,
				coalesce(s.support_email, '') FROM p JOIN tenants t USING (id)
			LEFT JOIN tenant_settings s ON s.tenant_id = t.id ORDER BY lower(t.name), t.id`
	}
	type q = struct {
		sql  string
		args []any
	}
	out := map[string]q{
		// Every match through the trigram index, then the first 26.
		"bitmap + top-N": {rowsOf(`WITH m AS MATERIALIZED (
				SELECT id, lower(name) AS k, status FROM tenants WHERE search LIKE $1)
			SELECT id FROM m WHERE status <> 'deleted' ORDER BY k, id LIMIT 26`), []any{like}},
		// The name order, index-only, until 26 match.
		"index walk": {rowsOf(`SELECT id FROM tenants WHERE status <> 'deleted' AND strpos(search, $1) > 0
			ORDER BY lower(name), id LIMIT 26`), []any{needle}},
	}
	if short {
		hi := []rune(lower)
		hi[len(hi)-1]++
		prefixes := `SELECT id FROM tenants WHERE id ~>=~ $1 AND id ~<~ $2
			UNION SELECT tenant_id FROM tenant_settings WHERE lower(support_email) ~>=~ $1 AND lower(support_email) ~<~ $2
			UNION SELECT tenant_id FROM organization_users WHERE lower(email) ~>=~ $1 AND lower(email) ~<~ $2`
		// The names that start with the term are a range of the name
		// order: its first 26, merged with the others' first 26.
		out["prefix merge"] = q{rowsOf(`SELECT id FROM (
				(SELECT id, lower(name) AS k FROM tenants WHERE lower(name) >= $1 AND lower(name) < $2
					AND status <> 'deleted' ORDER BY lower(name), id LIMIT 26)
				UNION (SELECT t.id, lower(t.name) FROM tenants t WHERE t.id IN (` + prefixes + `)
					AND t.status <> 'deleted' ORDER BY 2, 1 LIMIT 26)) x ORDER BY k, id LIMIT 26`),
			[]any{lower, string(hi)}}
		// Every match through each field's prefix index, then the first 26.
		out["prefix sets + top-N"] = q{rowsOf(`SELECT t.id FROM tenants t WHERE t.id IN (` + prefixes + `
				UNION SELECT id FROM tenants WHERE lower(name) ~>=~ $1 AND lower(name) ~<~ $2)
			AND t.status <> 'deleted' ORDER BY lower(t.name), t.id LIMIT 26`), []any{lower, string(hi)}}
	}
	return out
}

func measureSearch(ctx context.Context, runs int, term demo.SearchTerm, st *store.Store, pool *pgxpool.Pool,
	client *http.Client, base string) (searchResult, error) {
	r := searchResult{SearchTerm: term}
	q := tenant.ListQuery{Search: term.Term}.Normalize()
	r.URL = tenantviews.ListURL(q)
	var steps []string
	res, err := st.ListTenants(store.WithSearchTrace(ctx, func(s string) { steps = append(steps, s) }), q, tenant.EveryTenant())
	if err != nil {
		return r, err
	}
	r.Path = strings.Join(steps, ",")
	r.Shown = fmt.Sprint(res.Total)
	if res.Estimated {
		r.Shown = "about " + r.Shown
	}
	want := make([]string, len(res.Items))
	for i, it := range res.Items {
		want[i] = it.ID
	}
	// The truth, from the search column (the store test checks it against
	// the tables it is made from).
	needle := strings.ToLower(term.Term)
	if len([]rune(term.Term)) < 3 {
		needle = "\x1f" + needle
	}
	truth := map[string]int{}
	rows, err := pool.Query(ctx, `SELECT status, count(*) FROM tenants WHERE strpos(search, $1) > 0 GROUP BY status`, needle)
	if err != nil {
		return r, err
	}
	var status string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&status, &n}, func() error { truth[status] = n; return nil }); err != nil {
		return r, err
	}
	for st, n := range truth {
		if got := res.Counts[tenant.Status(st)]; n > 0 {
			r.CountError = math.Max(r.CountError, 100*math.Abs(float64(got-n))/float64(n))
		}
	}

	get := func() error {
		req, _ := http.NewRequest(http.MethodGet, base+r.URL, nil)
		req.Header.Set("HX-Request", "true")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %d", r.URL, resp.StatusCode)
		}
		return nil
	}
	if r.HTTP, err = timeRuns(runs, get); err != nil {
		return r, err
	}

	floors := floorQueries(term.Term)
	names := make([]string, 0, len(floors))
	for name := range floors {
		names = append(names, name)
	}
	slices.Sort(names)
	r.Floor = math.Inf(1)
	for _, name := range names {
		fq := floors[name]
		var got []string
		run := func() error {
			rows, err := pool.Query(ctx, fq.sql, fq.args...)
			if err != nil {
				return err
			}
			got = got[:0]
			for rows.Next() {
				got = append(got, string(rows.RawValues()[0]))
			}
			rows.Close()
			return rows.Err()
		}
		if err := run(); err != nil {
			return r, fmt.Errorf("floor %s: %w", name, err)
		}
		right := slices.Equal(got[:min(len(got), 25)], want)
		// A way that is not faster than the others within a few runs is
		// not timed at length: slow ways are slow.
		s, err := timeRuns(min(runs, 10), run)
		if err == nil && right && s.P50 < 3*r.Floor {
			s, err = timeRuns(runs, run)
		}
		if err != nil {
			return r, fmt.Errorf("floor %s: %w", name, err)
		}
		r.Floors = append(r.Floors, floorWay{Name: name, P50: s.P50, Right: right})
		if right && s.P50 < r.Floor {
			r.Floor, r.FloorWay = s.P50, name
		}
	}
	if math.IsInf(r.Floor, 1) {
		return r, errors.New("no floor query returned the console's page")
	}
	r.Ratio = r.HTTP.P50 / r.Floor
	return r, nil
}

// timeRuns warms f up and times it runs times.
func timeRuns(runs int, f func() error) (stats, error) {
	for range min(runs, 5) {
		if err := f(); err != nil {
			return stats{}, err
		}
	}
	d := make([]time.Duration, 0, runs)
	for range runs {
		start := time.Now()
		if err := f(); err != nil {
			return stats{}, err
		}
		d = append(d, time.Since(start))
	}
	return summarize(d), nil
}
