package tenant_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/tenant"
)

// Who may edit a tenant's settings, branding and plan is the domain's own
// decision: refusals never reach the store (the fake has nothing for them),
// and a tenant admin's save is written at the version read, with its audit
// event, in the one transaction.
func TestEditAccessByRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	africastay := demo.Agencies(time.Now())[0]
	if africastay.Tenant.ID != "africastay" {
		t.Fatalf("the first demo agency is %s", africastay.Tenant.ID)
	}
	saved := africastay.Settings
	saved.Version = 1
	in := tenant.SettingsInputOf(&saved)
	in.CompanyName = "Changed"

	refusing := tenant.NewService(&fakeStore{})
	for _, c := range []struct {
		name  string
		actor tenant.Actor
		want  error
	}{
		{"member of the tenant", tenant.Actor{Email: "m@x.example", Memberships: []tenant.Membership{{TenantID: "africastay", Role: tenant.MemberMember}}}, apperr.ErrNotFound},
		{"owner of another tenant", tenant.Actor{Email: "o@x.example", Memberships: []tenant.Membership{{TenantID: "tn_1f3a9c0b_k3xq", Role: tenant.MemberOwner}}}, apperr.ErrNotFound},
		{"support", tenant.Actor{Email: "s@x.example", Staff: tenant.RoleSupport}, apperr.ErrForbidden},
	} {
		if _, err := refusing.EditSettings(ctx, c.actor, "africastay", in); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		b := tenant.BrandingInputOf(nil)
		if _, err := refusing.EditBranding(ctx, c.actor, "africastay", b); !errors.Is(err, c.want) {
			t.Errorf("%s branding: %v, want %v", c.name, err, c.want)
		}
	}

	var written *tenant.Settings
	var atVersion int
	var audited []tenant.AuditEvent
	tx := &fakeEditTx{
		LockTenantFunc: func(_ context.Context, id string) (tenant.Tenant, error) {
			if id != "africastay" {
				return tenant.Tenant{}, apperr.ErrNotFound
			}
			return africastay.Tenant, nil
		},
		LockSettingsFunc: func(context.Context, string) (*tenant.Settings, error) { return &saved, nil },
		SaveSettingsFunc: func(_ context.Context, _ string, s tenant.Settings, version int, _ string) (int, error) {
			written, atVersion = &s, version
			return version + 1, nil
		},
		InsertAuditFunc: func(_ context.Context, ev tenant.AuditEvent) error {
			audited = append(audited, ev)
			return nil
		},
	}
	svc := tenant.NewService(&fakeStore{InEditTxFunc: func(ctx context.Context, fn func(tenant.EditTx) error) error {
		return fn(tx)
	}})
	admin := tenant.Actor{Email: "a@x.example", Memberships: []tenant.Membership{{TenantID: "africastay", Role: tenant.MemberAdmin}}}
	res, err := svc.EditSettings(ctx, admin, "africastay", in)
	if err != nil {
		t.Fatalf("a tenant admin: %v", err)
	}
	if written == nil || written.CompanyName != "Changed" || atVersion != 1 || res.Version != 2 {
		t.Fatalf("a tenant admin's save: wrote %+v at version %d, result %+v", written, atVersion, res)
	}
	if len(audited) != 1 || audited[0].ActorEmail != "a@x.example" || audited[0].TenantID != "africastay" ||
		audited[0].After["company_name"] != "Changed" {
		t.Fatalf("audit events %+v, want one by the admin with the new company name", audited)
	}
	if _, err := svc.ChangePlan(ctx, admin, "africastay", tenant.PlanInput{Plan: "lite"}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("a tenant admin changing the plan: %v", err)
	}
}
