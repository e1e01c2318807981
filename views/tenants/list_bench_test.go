package tenants_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/views/layout"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// BenchmarkListFragment renders what htmx swaps in for a list page of 25
// and of 100 tenants: the part of a list request that is neither SQL nor
// HTTP.
func BenchmarkListFragment(b *testing.B) {
	gen := demo.NewGenerator(1, time.Now())
	for _, n := range []int{25, 100} {
		res := tenant.ListResult{
			Query:   tenant.ListQuery{PerPage: n, Page: 3, After: "x"}.Normalize(),
			Total:   100_000,
			Counts:  map[tenant.Status]int{tenant.StatusActive: 88_000, tenant.StatusSuspended: 8_000, tenant.StatusDeleted: 3_000},
			HasNext: true, NextAfter: "bjEyMwB0bl8wMDAwMDAwMF9hYmNk", PrevBefore: "bjEyMwB0bl8wMDAwMDAwMF9hYmNk",
		}
		for range n {
			r := gen.Next()
			res.Items = append(res.Items, tenant.ListItem{ID: r.Tenant.ID, Name: r.Tenant.Name, ShortName: r.Tenant.ShortName,
				Status: r.Tenant.Status, Plan: r.Tenant.Plan, SupportEmail: r.Settings.SupportEmail,
				CreatedAt: r.Tenant.CreatedAt, Source: r.Tenant.Source})
		}
		props := tenantviews.ListProps{Chrome: layout.Chrome{Title: "Tenants", CSRFToken: "token", Nav: "tenants"}, Result: res, CanOnboard: true}
		b.Run(map[int]string{25: "rows=25", 100: "rows=100"}[n], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := tenantviews.ListFragment(props).Render(context.Background(), io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
