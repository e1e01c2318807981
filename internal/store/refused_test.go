package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

// A value the database refuses comes back as apperr.ErrRefused naming the
// column when Postgres does, never as an anonymous error, and the
// transaction leaves nothing behind.
func TestRefusedValuesNameTheirColumn(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	st := store.New(pool)
	ctx := context.Background()
	cases := []struct {
		name   string
		change func(*tenant.Record)
		column string
	}{
		{"currency CHECK", func(r *tenant.Record) { r.Settings.Currency = "zar" }, "tenant_settings.currency"},
		{"website CHECK", func(r *tenant.Record) { r.Settings.Website = "HTTPS://example.test" }, "tenant_settings.website"},
		{"colour CHECK", func(r *tenant.Record) { r.Branding.ColorAccent = "#abcdef" }, "tenant_branding.color_accent"},
		{"short name CHECK", func(r *tenant.Record) { r.Tenant.ShortName = "Not Valid" }, "tenants.short_name"},
		{"prompt name CHECK", func(r *tenant.Record) { r.Prompts[0].Name = "In Bound" }, "tenant_prompts.name"},
		{"NUL in text", func(r *tenant.Record) { r.Tenant.Name = "Kruger\x00Safaris" }, ""},
		{"invalid UTF-8", func(r *tenant.Record) { r.Settings.EmailFromName = "Kruger\xffSafaris" }, ""},
	}
	for _, c := range cases {
		rec := record("tn_0a1b2c3d_abcd", "Kruger Safaris", "kruger-safaris")
		c.change(&rec)
		err := st.InTx(ctx, func(tx tenant.Tx) error { return tx.InsertRecord(ctx, rec) })
		if !errors.Is(err, apperr.ErrRefused) {
			t.Errorf("%s: %v, want apperr.ErrRefused", c.name, err)
			continue
		}
		r, _ := apperr.AsRefused(err)
		if r.Field != c.column {
			t.Errorf("%s: column %q, want %q", c.name, r.Field, c.column)
		}
		if c.column != "" && tenant.RefusalMessage(c.column) == "" {
			t.Errorf("%s: no message for %s", c.name, c.column)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM tenants`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused writes left %d tenants (%v)", n, err)
	}
}
