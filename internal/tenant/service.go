package tenant

import (
	"context"
	"fmt"

	"github.com/tenant-console/console/internal/apperr"
)

// latestAuditOnDetail is how many audit events the tenant page shows.
const latestAuditOnDetail = 10

// Service holds the use cases of the tenant registry. Every method takes the
// acting person and applies what they may see.
type Service struct {
	store Store
}

// NewService returns the use cases over store.
func NewService(store Store) *Service {
	return &Service{store: store}
}

// List returns the page of tenants q asks for, limited to what actor may see.
func (s *Service) List(ctx context.Context, actor Actor, q ListQuery) (ListResult, error) {
	q = q.Normalize()
	if q.SearchProblem != "" {
		// Nothing is searched for a term the rule refused: an empty list
		// that says why, never a database error.
		return ListResult{Query: q, Counts: map[Status]int{}}, nil
	}
	res, err := s.store.ListTenants(ctx, q, actor.TenantScope())
	if err != nil {
		return ListResult{}, fmt.Errorf("list tenants: %w", err)
	}
	return res, nil
}

// Get returns the tenant page's data. A tenant the actor may not see is
// reported as not found, so ids of other tenants do not leak.
func (s *Service) Get(ctx context.Context, actor Actor, id string) (Detail, error) {
	if !ValidID(id) || !actor.CanSee(id) {
		return Detail{}, fmt.Errorf("get tenant %q: %w", id, apperr.ErrNotFound)
	}
	d, err := s.store.GetDetail(ctx, id, latestAuditOnDetail)
	if err != nil {
		return Detail{}, fmt.Errorf("get tenant %q: %w", id, err)
	}
	if !actor.IsPlatformAdmin() {
		d.Secrets = nil // only platform admins see even the masks
	}
	return d, nil
}

// EachListed streams every tenant of the list state q the actor may see, in
// the list's order (all pages): the list's CSV export.
func (s *Service) EachListed(ctx context.Context, actor Actor, q ListQuery, fn func(ListItem) error) error {
	return s.store.EachTenant(ctx, q.Normalize(), actor.TenantScope(), fn)
}
