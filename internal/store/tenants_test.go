package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

// newStore returns a store over a fresh database holding the demo agencies.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	st := store.New(testdb.New(t))
	if err := st.BulkInsert(context.Background(), demo.Agencies(time.Now())); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return st
}

func ids(items []tenant.ListItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func TestListTenants(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	list := func(q tenant.ListQuery, scope tenant.Scope) tenant.ListResult {
		t.Helper()
		res, err := st.ListTenants(ctx, q.Normalize(), scope)
		if err != nil {
			t.Fatalf("list %+v: %v", q, err)
		}
		return res
	}

	t.Run("default hides deleted tenants and counts every status", func(t *testing.T) {
		res := list(tenant.ListQuery{}, tenant.EveryTenant())
		if res.Counts[tenant.StatusActive] != 31 || res.Counts[tenant.StatusSuspended] != 3 || res.Counts[tenant.StatusDeleted] != 2 {
			t.Fatalf("counts = %v, want active 31, suspended 3, deleted 2", res.Counts)
		}
		if res.Total != 34 || len(res.Items) != 25 {
			t.Fatalf("total %d, page %d rows; want 34 and 25", res.Total, len(res.Items))
		}
		for _, it := range res.Items {
			if it.Status == tenant.StatusDeleted {
				t.Fatalf("deleted tenant %s listed without asking", it.ID)
			}
		}
		if res.Items[0].Name != "Aegean Blue Sailing" {
			t.Fatalf("first by name = %q", res.Items[0].Name)
		}
	})

	t.Run("search matches name, id and support e-mail, case-insensitively", func(t *testing.T) {
		for term, want := range map[string]string{
			"KRUGER":             "tn_1f3a9c0b_k3xq",
			"1f3a9c0b":           "tn_1f3a9c0b_k3xq",
			"support@africastay": "africastay",
			"øresund":            "tn_47132533_qi2t",
			"tuscanyvillas.it":   "tn_7a465866_tl5w",
		} {
			res := list(tenant.ListQuery{Search: term}, tenant.EveryTenant())
			if !slices.Contains(ids(res.Items), want) {
				t.Errorf("search %q: got %v, want it to include %s", term, ids(res.Items), want)
			}
		}
	})

	t.Run("LIKE wildcards in a search are literal", func(t *testing.T) {
		if res := list(tenant.ListQuery{Search: "%"}, tenant.EveryTenant()); res.Total != 0 {
			t.Fatalf("search %% matched %d tenants", res.Total)
		}
		if res := list(tenant.ListQuery{Search: "0b_"}, tenant.EveryTenant()); !slices.Contains(ids(res.Items), "tn_1f3a9c0b_k3xq") {
			t.Fatalf("search 0b_ should match ids containing it")
		}
		if res := list(tenant.ListQuery{Search: "tn%"}, tenant.EveryTenant()); res.Total != 0 {
			t.Fatalf("search tn%% matched %d tenants", res.Total)
		}
	})

	t.Run("one or two characters match the start of a name, id or e-mail", func(t *testing.T) {
		res := list(tenant.ListQuery{Search: "AF"}, tenant.EveryTenant())
		if !slices.Contains(ids(res.Items), "africastay") {
			t.Fatalf("search AF: got %v, want africastay", ids(res.Items))
		}
		for _, it := range res.Items {
			if !strings.HasPrefix(strings.ToLower(it.Name), "af") && !strings.HasPrefix(it.ID, "af") &&
				!strings.HasPrefix(it.SupportEmail, "af") {
				t.Errorf("search AF shows %s (%s), which starts with neither", it.ID, it.Name)
			}
		}
		if res := list(tenant.ListQuery{Search: "y"}, tenant.EveryTenant()); slices.Contains(ids(res.Items), "africastay") {
			t.Fatalf("search y matched africastay, which only contains it")
		}
	})

	t.Run("status and plan filter; counts follow the search, not the status", func(t *testing.T) {
		res := list(tenant.ListQuery{Status: tenant.StatusSuspended}, tenant.EveryTenant())
		if res.Total != 3 || len(res.Items) != 3 {
			t.Fatalf("suspended: total %d rows %d", res.Total, len(res.Items))
		}
		res = list(tenant.ListQuery{Status: tenant.StatusDeleted}, tenant.EveryTenant())
		if got := ids(res.Items); !slices.Equal(got, []string{"tn_d0acbecc_zrb2", "tn_9c6e7a88_f7rh"}) {
			t.Fatalf("deleted = %v", got)
		}
		res = list(tenant.ListQuery{Plan: tenant.PlanEnterprise}, tenant.EveryTenant())
		for _, it := range res.Items {
			if it.Plan != tenant.PlanEnterprise {
				t.Fatalf("plan filter let %s (%s) through", it.ID, it.Plan)
			}
		}
		if res.Total != 6 {
			t.Fatalf("enterprise total = %d, want 6", res.Total)
		}
		res = list(tenant.ListQuery{Search: "safari", Status: tenant.StatusActive}, tenant.EveryTenant())
		if res.Counts[tenant.StatusActive] != 1 || res.AllCount() != 1 {
			t.Fatalf("counts for 'safari' = %v", res.Counts)
		}
	})

	t.Run("sort and pages cover every row exactly once", func(t *testing.T) {
		for _, sort := range []string{tenant.SortName, tenant.SortNameDesc, tenant.SortCreated, tenant.SortCreatedDesc} {
			var seen []string
			for page := 1; page <= 2; page++ {
				res := list(tenant.ListQuery{Sort: sort, Page: page}, tenant.EveryTenant())
				seen = append(seen, ids(res.Items)...)
			}
			if len(seen) != 34 || len(slices.Compact(slices.Sorted(slices.Values(seen)))) != 34 {
				t.Fatalf("sort %s: %d rows over two pages, want 34 distinct", sort, len(seen))
			}
		}
		newest := list(tenant.ListQuery{Sort: tenant.SortCreatedDesc}, tenant.EveryTenant()).Items[0]
		if newest.ID != "tn_14e0f200_3vf6" { // Yukon, 20 days old
			t.Fatalf("newest = %s", newest.ID)
		}
		if res := list(tenant.ListQuery{Page: 99}, tenant.EveryTenant()); len(res.Items) != 0 || res.Total != 34 {
			t.Fatalf("page past the end: %d rows, total %d", len(res.Items), res.Total)
		}
	})

	t.Run("a scope limits rows and counts", func(t *testing.T) {
		res := list(tenant.ListQuery{}, tenant.OnlyTenants("africastay", "tn_4d1f2b33_x9ke"))
		if res.Total != 2 || res.Counts[tenant.StatusSuspended] != 1 {
			t.Fatalf("scoped: total %d counts %v", res.Total, res.Counts)
		}
		if res := list(tenant.ListQuery{}, tenant.Scope{}); res.Total != 0 {
			t.Fatalf("the zero scope listed %d tenants, want none", res.Total)
		}
		if res := list(tenant.ListQuery{}, tenant.OnlyTenants()); res.Total != 0 {
			t.Fatalf("empty scope listed %d tenants", res.Total)
		}
	})
}

func TestSearchFindsOwnerEmail(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	err := st.InTx(ctx, func(tx tenant.Tx) error {
		return tx.InsertMember(ctx, tenant.Member{TenantID: "africastay", UserID: "5f0c8a3e-2b1d-4c6e-9a7f-1d2e3f4a5b6c",
			Email: "Thandi@AfricaStay.example", Role: tenant.MemberOwner}, "test")
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.ListTenants(ctx, tenant.ListQuery{Search: "thandi@"}.Normalize(), tenant.EveryTenant())
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res.Items); !slices.Equal(got, []string{"africastay"}) {
		t.Fatalf("owner e-mail search = %v", got)
	}
}

func TestGetDetail(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()

	err := st.InTx(ctx, func(tx tenant.Tx) error {
		for i := range 12 {
			ev := tenant.NewAuditEvent(tenant.System("test"), "africastay", tenant.ActionSettingsUpdated)
			ev.After = map[string]any{"support_phone": fmt.Sprintf("+27 %d", i)}
			if err := tx.InsertAudit(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	d, err := st.GetDetail(ctx, "africastay", 10)
	if err != nil {
		t.Fatal(err)
	}
	if d.Tenant.Name != "Africa Stay" || d.Tenant.Plan != tenant.PlanEnterprise {
		t.Fatalf("tenant = %+v", d.Tenant)
	}
	if d.Settings == nil || d.Settings.SupportEmail != "support@africastay.com" || d.Settings.Currency != "ZAR" {
		t.Fatalf("settings = %+v", d.Settings)
	}
	if d.Branding == nil || d.Branding.PresetTheme != "safari_gold" || d.Branding.ColorPrimary != "#92400E" {
		t.Fatalf("branding = %+v", d.Branding)
	}
	if len(d.Prompts) != 1 || d.Prompts[0].Name != "inbound" {
		t.Fatalf("prompts = %+v", d.Prompts)
	}
	if len(d.Audit) != 10 || d.Audit[0].After["support_phone"] != "+27 11" {
		t.Fatalf("audit: %d events, newest %v; want the 10 newest", len(d.Audit), d.Audit[0].After)
	}

	if _, err := st.GetDetail(ctx, "no-such-tenant", 10); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("unknown id: err = %v, want ErrNotFound", err)
	}
}

func TestAuditRollsBackWithItsChange(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	boom := errors.New("later step failed")
	err := st.InTx(ctx, func(tx tenant.Tx) error {
		if err := tx.InsertAudit(ctx, tenant.NewAuditEvent(tenant.System("test"), "africastay", tenant.ActionTenantUpdated)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	d, err := st.GetDetail(ctx, "africastay", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Audit) != 0 {
		t.Fatalf("audit event survived a rolled-back transaction")
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	pool := st.Pool()
	ctx := context.Background()
	if err := st.InTx(ctx, func(tx tenant.Tx) error {
		return tx.InsertAudit(ctx, tenant.NewAuditEvent(tenant.System("test"), "africastay", tenant.ActionTenantUpdated))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE audit_events SET action = 'tenant.deleted'`); err == nil {
		t.Fatal("an audit event could be rewritten")
	}
	if _, err := pool.Exec(ctx, `DELETE FROM audit_events`); err == nil {
		t.Fatal("an audit event could be deleted")
	}
}
