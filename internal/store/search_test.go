package store_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

// seedTenants writes n generated tenants (with members) through BulkInsert.
func seedTenants(t *testing.T, st *store.Store, n int) {
	t.Helper()
	ctx := context.Background()
	gen := demo.NewGenerator(11, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	for done := 0; done < n; {
		recs := make([]tenant.Record, min(5000, n-done))
		for i := range recs {
			recs[i] = gen.Next()
		}
		if err := st.BulkInsert(ctx, recs); err != nil {
			t.Fatal(err)
		}
		done += len(recs)
	}
	if err := st.Tidy(ctx); err != nil {
		t.Fatal(err)
	}
}

// termRows reads every tenant as the search sees it, in name order, from
// the tables themselves (not the search column).
func termRows(t *testing.T, st *store.Store) []demo.TermRow {
	t.Helper()
	rows, err := st.Pool().Query(context.Background(), `
		SELECT lower(t.name), t.id,
			ARRAY(SELECT lower(s.support_email) FROM tenant_settings s WHERE s.tenant_id = t.id)
			|| ARRAY(SELECT lower(u.email) FROM organization_users u WHERE u.tenant_id = t.id ORDER BY u.id)
		FROM tenants t ORDER BY lower(t.name), t.id`)
	if err != nil {
		t.Fatal(err)
	}
	var out []demo.TermRow
	var r demo.TermRow
	if _, err := pgx.ForEachRow(rows, []any{&r.Name, &r.ID, &r.Emails}, func() error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// plainSearch is the search written the straightforward way, over the
// tables the search column is made from: every match of q's term (tab and
// plan filter included) in q's order, and the per-status counts within the
// plan filter.
func plainSearch(t *testing.T, st *store.Store, q tenant.ListQuery) ([]string, map[tenant.Status]int) {
	t.Helper()
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q.Search)
	pattern := "%" + esc + "%"
	if q.ShortSearch() {
		pattern = esc + "%"
	}
	order := map[string]string{
		tenant.SortName:        "lower(t.name), t.id",
		tenant.SortNameDesc:    "lower(t.name) DESC, t.id DESC",
		tenant.SortCreated:     "t.created_at, t.id",
		tenant.SortCreatedDesc: "t.created_at DESC, t.id DESC",
	}[q.Sort]
	rows, err := st.Pool().Query(context.Background(), `
		SELECT t.id, t.status FROM tenants t
		WHERE ($2 = '' OR t.plan = $2) AND (t.name ILIKE $1 OR t.id ILIKE $1
			OR EXISTS (SELECT 1 FROM tenant_settings s WHERE s.tenant_id = t.id AND s.support_email ILIKE $1)
			OR EXISTS (SELECT 1 FROM organization_users u WHERE u.tenant_id = t.id AND u.email ILIKE $1))
		ORDER BY `+order, pattern, string(q.Plan))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	counts := map[tenant.Status]int{}
	var id, status string
	if _, err := pgx.ForEachRow(rows, []any{&id, &status}, func() error {
		counts[tenant.Status(status)]++
		if q.Status == "" && status != string(tenant.StatusDeleted) || status == string(q.Status) {
			ids = append(ids, id)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids, counts
}

func pageIDs(items []tenant.ListItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// At 20,000 tenants with members, for terms of every class (frequency,
// position of the first match in name order, one and two letters, matching
// by name, id, support or member e-mail), each way the search takes to a
// page gives exactly the rows, in the same order, of the plain query, and
// its counts are exact or, when shown as "about", within 15% per tab.
func TestSearchPathsMatchThePlainQuery(t *testing.T) {
	t.Parallel()
	st := store.New(testdb.New(t))
	seedTenants(t, st, 20000)
	rows := termRows(t, st)
	terms := demo.SearchTerms(rows, 5)
	terms = append(terms, demo.MeasureTerm(rows, "zzqx", "", "none"), demo.MeasureTerm(rows, "S", "support", "1 letter · everywhere"),
		demo.MeasureTerm(rows, "example", "support", "100% · every e-mail"))
	classes := map[string]bool{}
	for _, term := range terms {
		classes[strings.SplitN(term.Class, " · ", 2)[0]] = true
	}
	for _, want := range []string{"0.01%", "0.1%", "1%", "10%", "100%", "1 letter", "2 letters"} {
		if !classes[want] {
			t.Errorf("no term of class %s among %v", want, terms)
		}
	}
	for _, field := range []string{"name", "id", "support", "member"} {
		if !slices.ContainsFunc(terms, func(s demo.SearchTerm) bool { return s.Field == field }) {
			t.Errorf("no term taken from the %s", field)
		}
	}

	paths := map[string]int{}
	check := func(ctx context.Context, label string, q tenant.ListQuery) tenant.ListResult {
		t.Helper()
		q = q.Normalize()
		var steps []string
		ctx = store.WithSearchTrace(ctx, func(s string) { steps = append(steps, s) })
		res, err := st.ListTenants(ctx, q, tenant.EveryTenant())
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		for _, s := range steps {
			paths[s]++
		}
		all, counts := plainSearch(t, st, q)
		from := 0
		if q.After != "" {
			from = 25
		}
		want := all[min(from, len(all)):min(from+25, len(all))]
		if got := pageIDs(res.Items); !slices.Equal(got, want) {
			t.Errorf("%s (%s): page\n got  %v\n want %v", label, strings.Join(steps, ","), got, want)
		}
		if res.HasNext != (len(all) > from+25) {
			t.Errorf("%s (%s): has next = %v with %d matches", label, strings.Join(steps, ","), res.HasNext, len(all))
		}
		for _, st := range []tenant.Status{tenant.StatusActive, tenant.StatusSuspended, tenant.StatusDeleted} {
			got, truth := res.Counts[st], counts[st]
			if !res.Estimated && got != truth || res.Estimated && math.Abs(float64(got-truth)) > 0.15*float64(truth) {
				t.Errorf("%s (%s): %s count %d (estimated %v), truth %d", label, strings.Join(steps, ","), st, got, res.Estimated, truth)
			}
		}
		return res
	}
	for _, term := range terms {
		for _, tuning := range []struct {
			name string
			ctx  context.Context
		}{
			{"default", context.Background()},
			// Few matches are counted exactly by reading them all; here
			// terms of 1% and more take the other ways.
			{"walks", store.WithExactMatches(context.Background(), 100)},
		} {
			ctx := tuning.ctx
			label := func(v string) string {
				return fmt.Sprintf("%q [%s, %d matches] %s, %s", term.Term, term.Class, term.Matches, tuning.name, v)
			}
			first := check(ctx, label("all"), tenant.ListQuery{Search: term.Term})
			if first.NextAfter != "" {
				second := check(ctx, label("page 2"), tenant.ListQuery{Search: term.Term, Page: 2, After: first.NextAfter})
				back, err := st.ListTenants(ctx, tenant.ListQuery{Search: term.Term, Page: 1, Before: second.PrevBefore}.Normalize(), tenant.EveryTenant())
				if err != nil || !slices.Equal(pageIDs(back.Items), pageIDs(first.Items)) {
					t.Errorf("%s: back from page 2 = %v, %v", label("previous"), pageIDs(back.Items), err)
				}
			}
			for _, q := range []tenant.ListQuery{
				{Search: term.Term, Status: tenant.StatusActive},
				{Search: term.Term, Status: tenant.StatusSuspended},
				{Search: term.Term, Status: tenant.StatusDeleted},
				{Search: term.Term, Plan: tenant.PlanEnterprise},
				{Search: term.Term, Sort: tenant.SortNameDesc},
				{Search: term.Term, Sort: tenant.SortCreatedDesc},
			} {
				check(ctx, label(fmt.Sprintf("status %q plan %q sort %q", q.Status, q.Plan, q.Sort)), q)
			}
		}
	}
	for _, path := range []string{"top", "walk", "merge"} {
		if paths[path] == 0 {
			t.Errorf("no search took the %s way (ways taken: %v)", path, paths)
		}
	}
	for _, term := range terms {
		t.Logf("%-22q %-22s %-8s %6d matches, first at %.0f%%", term.Term, term.Class, term.Field, term.Matches, term.Position*100)
	}
	t.Logf("ways taken: %v", paths)
}

// staleSearchRows counts the tenants whose search column differs from what
// their name, id, settings and members make.
func staleSearchRows(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	err := st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM tenants t
		WHERE t.search IS DISTINCT FROM E'\x1f' || lower(t.name) || E'\x1f' || t.id || E'\x1f' || lower(concat_ws(E'\x1f',
			(SELECT s.support_email FROM tenant_settings s WHERE s.tenant_id = t.id),
			(SELECT string_agg(u.email, E'\x1f' ORDER BY u.id) FROM organization_users u WHERE u.tenant_id = t.id)))`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Onboarding, adding and removing members, saving settings (new or
// changed), the legacy import's update and seeding each keep the search
// column right in the transaction that writes, so a search finds a tenant
// by what it holds now and not by what it held.
func TestSearchColumnFollowsEveryWrite(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	find := func(term string) []string {
		t.Helper()
		res, err := st.ListTenants(ctx, tenant.ListQuery{Search: term}.Normalize(), tenant.EveryTenant())
		if err != nil {
			t.Fatal(err)
		}
		return pageIDs(res.Items)
	}
	rec := demo.Agencies(time.Now())[0]
	rec.Tenant.ID, rec.Tenant.ShortName, rec.Tenant.Name = "tn_0a0b0c0d_srch", "searchable-one", "Quillfeather Voyages"
	rec.Settings.SupportEmail = "help@quillfeather.example"
	owner := tenant.Member{TenantID: rec.Tenant.ID, UserID: "0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b",
		Email: "Zanele@Quillfeather.example", Role: tenant.MemberOwner}
	helper := tenant.Member{TenantID: rec.Tenant.ID, UserID: "1e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b",
		Email: "bongani@elsewhere.example", Role: tenant.MemberAdmin}
	if err := st.InTx(ctx, func(tx tenant.Tx) error {
		if err := tx.InsertRecord(ctx, rec); err != nil {
			return err
		}
		if err := tx.InsertMember(ctx, owner, "test"); err != nil {
			return err
		}
		return tx.InsertMember(ctx, helper, "test")
	}); err != nil {
		t.Fatal(err)
	}
	for _, term := range []string{"quillfeather", "help@quill", "zanele@", "bongani@else", "QU", "bo"} {
		if got := find(term); !slices.Contains(got, rec.Tenant.ID) {
			t.Errorf("after onboarding, %q found %v", term, got)
		}
	}

	if err := st.InPeopleTx(ctx, func(tx tenant.PeopleTx) error {
		return tx.DeleteMember(ctx, rec.Tenant.ID, helper.UserID)
	}); err != nil {
		t.Fatal(err)
	}
	if got := find("bongani@else"); slices.Contains(got, rec.Tenant.ID) {
		t.Errorf("a removed member's address still finds the tenant")
	}

	if err := st.InEditTx(ctx, func(tx tenant.EditTx) error {
		cur, err := tx.LockSettings(ctx, rec.Tenant.ID)
		if err != nil {
			return err
		}
		s := *cur
		s.SupportEmail = "desk@quillfeather.example"
		_, err = tx.SaveSettings(ctx, rec.Tenant.ID, s, cur.Version, "test")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := find("help@quill"); slices.Contains(got, rec.Tenant.ID) {
		t.Errorf("the old support address still finds the tenant")
	}
	if got := find("desk@quill"); !slices.Contains(got, rec.Tenant.ID) {
		t.Errorf("the new support address finds %v", got)
	}

	// Settings written for a tenant that had none.
	if _, err := st.Pool().Exec(ctx, `DELETE FROM tenant_settings WHERE tenant_id = 'africastay'`); err != nil {
		t.Fatal(err)
	}
	if err := st.InEditTx(ctx, func(tx tenant.EditTx) error {
		_, err := tx.SaveSettings(ctx, "africastay", rec.Settings, 0, "test")
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// The legacy import renames a tenant and changes its support address.
	d, err := st.GetDetail(ctx, rec.Tenant.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	up := rec
	up.Tenant = d.Tenant
	up.Tenant.Name = "Wrenfield Voyages"
	up.Settings = *d.Settings
	up.Settings.SupportEmail = "desk@wrenfield.example"
	if err := st.UpdateImported(ctx, legacy.Update{Record: up, Tenant: true, Settings: true, By: "test"},
		tenant.NewAuditEvent(tenant.System("test"), rec.Tenant.ID, tenant.ActionTenantUpdated)); err != nil {
		t.Fatal(err)
	}
	for term, want := range map[string]bool{"wrenfield": true, "desk@wren": true, "quillfeather voy": false, "zanele@": true} {
		if got := find(term); slices.Contains(got, rec.Tenant.ID) != want {
			t.Errorf("after the import's update, %q found %v (want the tenant: %v)", term, got, want)
		}
	}
	if n := staleSearchRows(t, st); n != 0 {
		t.Fatalf("%d tenants have a search column that does not match their rows", n)
	}
}
