package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/tenant"
)

// filter builds the WHERE clause shared by a list page and its counts.
type filter struct {
	conds []string
	args  []any
}

// arg adds a parameter and returns its placeholder.
func (f *filter) arg(v any) string {
	f.args = append(f.args, v)
	return fmt.Sprintf("$%d", len(f.args))
}

func (f *filter) and(cond string) { f.conds = append(f.conds, cond) }

func (f *filter) where() string {
	if len(f.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.conds, " AND ")
}

// likePattern turns a search term into a case-insensitive "contains" pattern.
func likePattern(term string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(term)) + "%"
}

// baseFilter is the list's filter without the status, which the tabs count.
func baseFilter(q tenant.ListQuery, scope []string) *filter {
	f := &filter{}
	if scope != nil {
		f.and("t.id = ANY(" + f.arg(scope) + ")")
	}
	if q.Plan != "" {
		f.and("t.plan = " + f.arg(string(q.Plan)))
	}
	if q.Search != "" {
		// One branch per indexed column (trigram GIN indexes), so each can
		// use its index instead of one OR across joined tables.
		f.and(fmt.Sprintf(`t.id IN (
			SELECT id FROM tenants WHERE lower(name) LIKE %[1]s OR id LIKE %[1]s
			UNION SELECT tenant_id FROM tenant_settings WHERE lower(support_email) LIKE %[1]s
			UNION SELECT tenant_id FROM organization_users WHERE lower(email) LIKE %[1]s)`,
			f.arg(likePattern(q.Search))))
	}
	return f
}

var listOrder = map[string]string{
	tenant.SortName:        "lower(t.name), t.id",
	tenant.SortNameDesc:    "lower(t.name) DESC, t.id DESC",
	tenant.SortCreated:     "t.created_at, t.id",
	tenant.SortCreatedDesc: "t.created_at DESC, t.id DESC",
}

type listRow struct {
	ID           string     `db:"id"`
	Name         string     `db:"name"`
	ShortName    string     `db:"short_name"`
	Status       string     `db:"status"`
	Plan         string     `db:"plan"`
	SupportEmail string     `db:"support_email"`
	CreatedAt    time.Time  `db:"created_at"`
	Source       string     `db:"source"`
	DeletedAt    *time.Time `db:"deleted_at"`
	Version      int        `db:"version"`
}

// ListTenants returns one page of q and the per-status counts of its filter.
func (s *Store) ListTenants(ctx context.Context, q tenant.ListQuery, scope []string) (tenant.ListResult, error) {
	res := tenant.ListResult{Query: q, Counts: map[tenant.Status]int{}}

	counts := baseFilter(q, scope)
	rows, err := s.pool.Query(ctx, `SELECT t.status, count(*) FROM tenants t`+counts.where()+` GROUP BY t.status`, counts.args...)
	if err != nil {
		return res, mapErr("count tenants", err)
	}
	var status string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&status, &n}, func() error {
		res.Counts[tenant.Status(status)] = n
		return nil
	})
	if err != nil {
		return res, mapErr("count tenants", err)
	}
	if q.Status == "" {
		res.Total = res.AllCount()
	} else {
		res.Total = res.Counts[q.Status]
	}
	if res.Total == 0 || q.Offset() >= res.Total {
		return res, nil
	}

	page := baseFilter(q, scope)
	if q.Status == "" {
		page.and("t.status <> " + page.arg(string(tenant.StatusDeleted)))
	} else {
		page.and("t.status = " + page.arg(string(q.Status)))
	}
	limit, offset := page.arg(q.PerPage), page.arg(q.Offset())
	// The page's ids are found first (from the sort index alone, however
	// deep the page), and only those rows are joined: joining before the
	// OFFSET would read every skipped row's settings too.
	sql := `WITH page AS (
			SELECT t.id FROM tenants t` + page.where() + ` ORDER BY ` + listOrder[q.Sort] +
		` LIMIT ` + limit + ` OFFSET ` + offset + `)
		SELECT t.id, t.name, t.short_name, t.status, t.plan, t.created_at, t.source,
			t.deleted_at, t.version, coalesce(s.support_email, '') AS support_email
		FROM page JOIN tenants t ON t.id = page.id
		LEFT JOIN tenant_settings s ON s.tenant_id = t.id
		ORDER BY ` + listOrder[q.Sort]
	rows, err = s.pool.Query(ctx, sql, page.args...)
	if err != nil {
		return res, mapErr("list tenants", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByName[listRow])
	if err != nil {
		return res, mapErr("list tenants", err)
	}
	res.Items = make([]tenant.ListItem, len(recs))
	for i, r := range recs {
		res.Items[i] = tenant.ListItem{
			ID: r.ID, Name: r.Name, ShortName: r.ShortName, Status: tenant.Status(r.Status),
			Plan: tenant.Plan(r.Plan), SupportEmail: r.SupportEmail, CreatedAt: r.CreatedAt,
			Source: tenant.Source(r.Source), DeletedAt: r.DeletedAt, Version: r.Version,
		}
	}
	return res, nil
}

type tenantRow struct {
	ID               string     `db:"id"`
	Name             string     `db:"name"`
	ShortName        string     `db:"short_name"`
	Status           string     `db:"status"`
	Plan             string     `db:"plan"`
	MaxUsers         int        `db:"max_users"`
	MaxMonthlyQuotes int        `db:"max_monthly_quotes"`
	MaxStorageGB     int        `db:"max_storage_gb"`
	CreatedAt        time.Time  `db:"created_at"`
	CreatedBy        string     `db:"created_by"`
	UpdatedAt        time.Time  `db:"updated_at"`
	SuspendedAt      *time.Time `db:"suspended_at"`
	SuspendedBy      *string    `db:"suspended_by"`
	SuspendedReason  *string    `db:"suspended_reason"`
	DeletedAt        *time.Time `db:"deleted_at"`
	DeletedBy        *string    `db:"deleted_by"`
	DeletedReason    *string    `db:"deleted_reason"`
	Source           string     `db:"source"`
	Version          int        `db:"version"`
}

const tenantColumns = `id, name, short_name, status, plan, max_users, max_monthly_quotes,
	max_storage_gb, created_at, created_by, updated_at, suspended_at, suspended_by,
	suspended_reason, deleted_at, deleted_by, deleted_reason, source, version`

func (r tenantRow) domain() tenant.Tenant {
	return tenant.Tenant{
		ID: r.ID, Name: r.Name, ShortName: r.ShortName, Status: tenant.Status(r.Status),
		Plan: tenant.Plan(r.Plan),
		Quotas: tenant.Quotas{
			MaxUsers: r.MaxUsers, MaxMonthlyQuotes: r.MaxMonthlyQuotes, MaxStorageGB: r.MaxStorageGB,
		},
		CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, UpdatedAt: r.UpdatedAt,
		SuspendedAt: r.SuspendedAt, SuspendedBy: deref(r.SuspendedBy), SuspendedReason: deref(r.SuspendedReason),
		DeletedAt: r.DeletedAt, DeletedBy: deref(r.DeletedBy), DeletedReason: deref(r.DeletedReason),
		Source: tenant.Source(r.Source), Version: r.Version,
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// getTenant reads one registry row.
func getTenant(ctx context.Context, q querier, id string) (tenant.Tenant, error) {
	rows, err := q.Query(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1`, id)
	if err != nil {
		return tenant.Tenant{}, mapErr("get tenant", err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[tenantRow])
	if err != nil {
		return tenant.Tenant{}, mapErr("get tenant", err)
	}
	return r.domain(), nil
}

// GetDetail reads everything the tenant page shows in one repeatable-read
// snapshot, so the parts agree with each other.
func (s *Store) GetDetail(ctx context.Context, id string, auditLimit int) (tenant.Detail, error) {
	var d tenant.Detail
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			var err error
			if d.Tenant, err = getTenant(ctx, tx, id); err != nil {
				return err
			}
			if d.Settings, err = getSettings(ctx, tx, id); err != nil {
				return err
			}
			if d.Branding, err = getBranding(ctx, tx, id); err != nil {
				return err
			}
			if d.Prompts, err = listPrompts(ctx, tx, id); err != nil {
				return err
			}
			if d.Owners, err = listMembers(ctx, tx, id, tenant.MemberOwner); err != nil {
				return err
			}
			if d.Secrets, err = listSecretMeta(ctx, tx, id); err != nil {
				return err
			}
			d.Audit, err = latestAudit(ctx, tx, id, auditLimit)
			return err
		})
	return d, markUnreachable(err)
}
