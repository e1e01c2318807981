package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

func record(id, name, shortName string) tenant.Record {
	return tenant.Record{
		Tenant: tenant.Tenant{
			ID: id, Name: name, ShortName: shortName, Plan: tenant.PlanLite,
			Quotas: tenant.DefaultQuotas(tenant.PlanLite), CreatedBy: "ops@platform.example",
			Source: tenant.SourceOnboarding,
		},
		Settings: tenant.Settings{
			CompanyName: name, SupportEmail: "help@" + shortName + ".example", Currency: "ZAR",
			Timezone: "Africa/Johannesburg", EmailFromEmail: "help@" + shortName + ".example",
		},
		Branding: tenant.Branding{PresetTheme: "ocean_teal", ColorPrimary: "#0F766E",
			ColorSecondary: "#134E4A", ColorAccent: "#06B6D4"},
		Prompts: []tenant.Prompt{{Name: "inbound", Body: "You are the travel assistant for " + name + "."}},
	}
}

func TestOnboardingWritesAndReads(t *testing.T) {
	t.Parallel()
	st := store.New(testdb.New(t))
	ctx := context.Background()
	rec := record("tn_0a1b2c3d_abcd", "Kruger Safaris", "kruger-safaris")
	userID := uuid.NewString()
	res := tenant.OnboardResult{TenantID: rec.Tenant.ID, TenantName: "Kruger Safaris", OwnerEmail: "thandi@kruger.example",
		Outcome: tenant.AccountCreated, CreatedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		Created: []tenant.CreatedItem{{Table: "tenants", Summary: "Registry entry"}}}

	if _, err := st.OnboardingResult(ctx, "key-0001"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("unknown key: %v, want not found", err)
	}
	if _, err := st.ShortNameOwner(ctx, "kruger-safaris"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("free short name: %v, want not found", err)
	}
	err := st.InTx(ctx, func(tx tenant.Tx) error {
		if err := tx.SaveOnboardingResult(ctx, "key-0001", res); err != nil {
			return err
		}
		if err := tx.InsertRecord(ctx, rec); err != nil {
			return err
		}
		return tx.InsertMember(ctx, tenant.Member{TenantID: rec.Tenant.ID, UserID: userID,
			Email: "thandi@kruger.example", DisplayName: "Thandi", Role: tenant.MemberOwner}, "ops@platform.example")
	})
	if err != nil {
		t.Fatal(err)
	}

	got, err := st.OnboardingResult(ctx, "key-0001")
	if err != nil {
		t.Fatal(err)
	}
	if got.TenantID != res.TenantID || !got.CreatedAt.Equal(res.CreatedAt) || len(got.Created) != 1 || got.Outcome != tenant.AccountCreated {
		t.Fatalf("stored result = %+v", got)
	}
	if owner, err := st.ShortNameOwner(ctx, "kruger-safaris"); err != nil || owner != "Kruger Safaris" {
		t.Fatalf("short name owner = %q, %v", owner, err)
	}
	d, err := st.GetDetail(ctx, rec.Tenant.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if d.Tenant.Source != tenant.SourceOnboarding || d.Tenant.Status != tenant.StatusActive || d.Tenant.CreatedAt.IsZero() ||
		d.Settings == nil || d.Settings.UpdatedBy != "ops@platform.example" || d.Branding == nil ||
		d.Branding.PresetTheme != "ocean_teal" || len(d.Prompts) != 1 || len(d.Owners) != 1 || d.Owners[0].UserID != userID {
		t.Fatalf("detail = %+v", d)
	}
}

func TestInsertRecordReportsATakenShortName(t *testing.T) {
	t.Parallel()
	st := store.New(testdb.New(t))
	ctx := context.Background()
	insert := func(rec tenant.Record) error {
		return st.InTx(ctx, func(tx tenant.Tx) error { return tx.InsertRecord(ctx, rec) })
	}
	if err := insert(record("tn_0a1b2c3d_abcd", "Kruger Safaris", "kruger-safaris")); err != nil {
		t.Fatal(err)
	}
	err := insert(record("tn_0a1b2c3d_efgh", "Kruger Safaris Two", "kruger-safaris"))
	if !errors.Is(err, tenant.ErrShortNameTaken) || !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("err = %v, want short name taken", err)
	}
	// Another unique violation is a conflict, not a short name problem.
	err = insert(record("tn_0a1b2c3d_abcd", "Same Id", "same-id"))
	if errors.Is(err, tenant.ErrShortNameTaken) || !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("duplicate id: err = %v", err)
	}
}

// A key held by a transaction still running makes a second claim wait; once
// the first commits, the second is told the key is taken.
func TestSaveOnboardingResultWaitsForAConcurrentClaim(t *testing.T) {
	t.Parallel()
	st := store.New(testdb.New(t))
	ctx := context.Background()
	rec := record("tn_0a1b2c3d_abcd", "Kruger Safaris", "kruger-safaris")
	res := tenant.OnboardResult{TenantID: rec.Tenant.ID}

	claimed, release := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- st.InTx(ctx, func(tx tenant.Tx) error {
			if err := tx.SaveOnboardingResult(ctx, "key-0001", res); err != nil {
				return err
			}
			close(claimed)
			<-release
			return tx.InsertRecord(ctx, rec)
		})
	}()
	<-claimed
	secondDone := make(chan error, 1)
	go func() {
		secondDone <- st.InTx(ctx, func(tx tenant.Tx) error {
			return tx.SaveOnboardingResult(ctx, "key-0001", tenant.OnboardResult{TenantID: "tn_ffffffff_zzzz"})
		})
	}()
	select {
	case err := <-secondDone:
		t.Fatalf("the second claim did not wait for the first: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	if err := <-secondDone; !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("second claim: %v, want conflict", err)
	}
}

// A stored result always names a tenant that exists: the claim is checked
// against tenants when the transaction commits.
func TestAResultWithoutItsTenantIsNotStored(t *testing.T) {
	t.Parallel()
	st := store.New(testdb.New(t))
	ctx := context.Background()
	err := st.InTx(ctx, func(tx tenant.Tx) error {
		return tx.SaveOnboardingResult(ctx, "key-0001", tenant.OnboardResult{TenantID: "tn_0a1b2c3d_abcd"})
	})
	if err == nil {
		t.Fatal("a result for a missing tenant was committed")
	}
	if _, err := st.OnboardingResult(ctx, "key-0001"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("lookup after the failed commit: %v", err)
	}
}
