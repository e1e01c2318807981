package tenant_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/tenant-console/console/internal/tenant"
)

// Three submits of one add-staff form: the later two wait for the first,
// which alone asks GoTrue, and all three answer what it did.
func TestStaffSubmitsOfOneFormAddOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	release := make(chan struct{})
	staff := tenant.NewStaffService(h.store, blockingAccounts{Accounts: h.accounts, release: release})
	in := tenant.StaffInput{Email: "lindiwe@console.example", Role: "support", IdempotencyKey: tenant.NewIdempotencyKey()}
	const n = 3
	results := make([]tenant.StaffResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = staff.Ensure(context.Background(), admin, in) })
	}
	for staff.SameKeyRequests(admin, in.IdempotencyKey) < n {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	want := tenant.StaffResult{Email: in.Email, Role: tenant.RoleSupport, Account: tenant.AccountInvited}
	for i := range n {
		if errs[i] != nil || results[i] != want {
			t.Errorf("submit %d: %+v, %v; want %+v", i, results[i], errs[i], want)
		}
	}
	// One look-up and one invitation: the waiting submits asked nothing.
	if calls := h.accounts.calls.Load(); calls != 2 {
		t.Errorf("%d calls reached GoTrue, want 2", calls)
	}
	if got := h.count(t, "staff WHERE email = 'lindiwe@console.example'"); got != 1 {
		t.Errorf("%d staff rows, want 1", got)
	}

	// Another person's form with the same key is not the same request.
	other := admin
	other.UserID = "5b0f3c1e-0000-4000-8000-000000000002"
	res, err := staff.Ensure(context.Background(), other, in)
	if err != nil || res.Previous != tenant.RoleSupport {
		t.Errorf("another admin's submit: %+v, %v; want it to find the person staff already", res, err)
	}
}
