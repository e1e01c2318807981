package auth

import (
	"errors"
	"testing"

	"github.com/tenant-console/console/internal/tenant"
)

func TestAccessUsable(t *testing.T) {
	t.Parallel()
	active := tenant.Membership{TenantID: "a", TenantStatus: tenant.StatusActive, Role: tenant.MemberOwner}
	suspended := tenant.Membership{TenantID: "s", TenantStatus: tenant.StatusSuspended, Role: tenant.MemberOwner}
	deleted := tenant.Membership{TenantID: "d", TenantStatus: tenant.StatusDeleted, Role: tenant.MemberAdmin}
	member := tenant.Membership{TenantID: "m", TenantStatus: tenant.StatusActive, Role: tenant.MemberMember}
	suspendedMember := tenant.Membership{TenantID: "sm", TenantStatus: tenant.StatusSuspended, Role: tenant.MemberMember}
	cases := []struct {
		name    string
		access  Access
		usable  int
		wantErr error
	}{
		{"nothing at all", Access{}, 0, ErrNoAccess},
		{"staff without tenants", Access{Staff: tenant.RoleSupport}, 0, nil},
		{"staff whose tenant is suspended", Access{Staff: tenant.RolePlatformAdmin, Memberships: []tenant.Membership{suspended}}, 0, nil},
		{"owner of an active tenant", Access{Memberships: []tenant.Membership{active, suspended}}, 1, nil},
		{"only suspended or deleted tenants", Access{Memberships: []tenant.Membership{suspended, deleted}}, 0, ErrTenantSuspended},
		{"a plain member only", Access{Memberships: []tenant.Membership{member}}, 0, ErrNoAccess},
		{"a plain member of a suspended tenant", Access{Memberships: []tenant.Membership{suspendedMember}}, 0, ErrNoAccess},
		{"owner of one, member of another", Access{Memberships: []tenant.Membership{active, member}}, 1, nil},
	}
	for _, c := range cases {
		got, err := c.access.Usable()
		if !errors.Is(err, c.wantErr) || len(got) != c.usable {
			t.Errorf("%s: %d usable, err %v; want %d, %v", c.name, len(got), err, c.usable, c.wantErr)
		}
	}
}
