package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/tenant"
)

// filter builds a WHERE clause and its parameters.
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

// likePattern is the LIKE pattern of "contains the term", lower-cased: how
// the trigram index is asked for a term of three characters or more.
func likePattern(q tenant.ListQuery) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(q.Search)) + "%"
}

// prefixRange is the [lo, hi) byte range of the strings that start with the
// lower-cased term: the form of a prefix match a btree (text_pattern_ops)
// can use even in a prepared statement's generic plan.
func prefixRange(term string) (lo, hi string) {
	lo = strings.ToLower(term)
	rs := []rune(lo)
	last := rs[len(rs)-1] + 1
	if last >= 0xD800 && last <= 0xDFFF {
		last = 0xE000
	}
	rs[len(rs)-1] = last
	return lo, string(rs)
}

// roughly rounds an estimate to two significant digits: an "about" figure
// should not look more precise than it is.
func roughly(x float64) int {
	if x < 100 {
		return int(math.Round(x))
	}
	scale := math.Pow(10, math.Floor(math.Log10(x))-1)
	return int(math.Round(x/scale) * scale)
}

// baseFilter is the list's filter as plain conditions on each row t (scope,
// plan, search), for reading every matching tenant in order (the CSV
// export) rather than one page through the indexes.
func baseFilter(q tenant.ListQuery, scope tenant.Scope) *filter {
	f := &filter{}
	if !scope.Every() {
		f.and("t.id = ANY(" + f.arg(scope.IDs()) + ")")
	}
	if q.Plan != "" {
		f.and("t.plan = " + f.arg(string(q.Plan)))
	}
	if q.Search != "" {
		f.and(searchCond(f, q))
	}
	return f
}

var listOrder = map[string]string{
	tenant.SortName:        "lower(t.name), t.id",
	tenant.SortNameDesc:    "lower(t.name) DESC, t.id DESC",
	tenant.SortCreated:     "t.created_at, t.id",
	tenant.SortCreatedDesc: "t.created_at DESC, t.id DESC",
}

// reversed is each sort read backwards: how a "previous page" link finds the
// rows just before its cursor.
var reversed = map[string]string{
	tenant.SortName:        tenant.SortNameDesc,
	tenant.SortNameDesc:    tenant.SortName,
	tenant.SortCreated:     tenant.SortCreatedDesc,
	tenant.SortCreatedDesc: tenant.SortCreated,
}

// keysetCond is the condition "after c in sort order" on the sort's index.
func keysetCond(f *filter, sort string, c tenant.Cursor) string {
	op := ">"
	if sort == tenant.SortNameDesc || sort == tenant.SortCreatedDesc {
		op = "<"
	}
	if sort == tenant.SortCreated || sort == tenant.SortCreatedDesc {
		micros, _ := strconv.ParseInt(c.Key, 10, 64)
		return fmt.Sprintf("(t.created_at, t.id) %s (%s, %s)", op, f.arg(time.UnixMicro(micros)), f.arg(c.ID))
	}
	return fmt.Sprintf("(lower(t.name), t.id) %s (%s, %s)", op, f.arg(c.Key), f.arg(c.ID))
}

type listRow struct {
	ID           string     `db:"id"`
	Name         string     `db:"name"`
	NameKey      string     `db:"name_key"`
	ShortName    string     `db:"short_name"`
	Status       string     `db:"status"`
	Plan         string     `db:"plan"`
	SupportEmail string     `db:"support_email"`
	CreatedAt    time.Time  `db:"created_at"`
	Source       string     `db:"source"`
	DeletedAt    *time.Time `db:"deleted_at"`
	Version      int        `db:"version"`
}

func (r listRow) cursor(sort string) string {
	key := r.NameKey
	if sort == tenant.SortCreated || sort == tenant.SortCreatedDesc {
		key = strconv.FormatInt(r.CreatedAt.UnixMicro(), 10)
	}
	return tenant.EncodeCursor(sort, tenant.Cursor{Key: key, ID: r.ID})
}

// ListTenants returns one page of q and the per-status counts of its filter.
//
// Without a search, the counts come from tenant_counts (kept by triggers).
// A search over every tenant is searchTenants's (search.go); a scoped one
// reads the few tenants of the scope. Pages after the first are found from
// a cursor (keyset) when the link carries one, else by OFFSET. A read that
// meets a connection the server closed is tried once more.
func (s *Store) ListTenants(ctx context.Context, q tenant.ListQuery, scope tenant.Scope) (res tenant.ListResult, err error) {
	err = s.retryRepeatable(ctx, func() error {
		res, err = s.listTenants(ctx, q, scope)
		return err
	})
	return res, err
}

func (s *Store) listTenants(ctx context.Context, q tenant.ListQuery, scope tenant.Scope) (tenant.ListResult, error) {
	res := tenant.ListResult{Query: q, Counts: map[tenant.Status]int{}}
	switch {
	case !scope.Every():
		// A tenant's own people see a handful of tenants: count them exactly.
		if err := s.countScoped(ctx, q, scope.IDs(), res.Counts); err != nil {
			return res, err
		}
		page := &filter{}
		page.and("t.id = ANY(" + page.arg(scope.IDs()) + ")")
		if q.Search != "" {
			page.and(searchCond(page, q))
		}
		setTotal(&res)
		if res.Total == 0 {
			return res, nil
		}
		return res, s.listPage(ctx, &res, page)
	case q.Search == "":
		return res, s.countAndPage(ctx, &res)
	default:
		return res, s.searchTenants(ctx, &res)
	}
}

func (s *Store) countScoped(ctx context.Context, q tenant.ListQuery, scope []string, into map[tenant.Status]int) error {
	f := &filter{}
	f.and("t.id = ANY(" + f.arg(scope) + ")")
	if q.Plan != "" {
		f.and("t.plan = " + f.arg(string(q.Plan)))
	}
	if q.Search != "" {
		f.and(searchCond(f, q))
	}
	return s.scanCounts(ctx, `SELECT t.status, count(*) FROM tenants t`+f.where()+` GROUP BY t.status`, f.args, false, into)
}

// scanCounts reads sql's (status, count) rows into into; trigram as in
// queryRows.
func (s *Store) scanCounts(ctx context.Context, sql string, args []any, trigram bool, into map[tenant.Status]int) error {
	var status string
	var n int
	err := s.queryRows(ctx, sql, args, trigram, func(rows pgx.Rows) error {
		_, err := pgx.ForEachRow(rows, []any{&status, &n}, func() error {
			into[tenant.Status(status)] = n
			return nil
		})
		return err
	})
	return mapErr("count tenants", err)
}

// listPage reads the rows of res.Query's page (plus one, to know whether a
// next page exists) under the conditions already in f.
func (s *Store) listPage(ctx context.Context, res *tenant.ListResult, f *filter) error {
	sql, backwards := pageSQL(res.Query, f)
	rows, err := s.pool.Query(ctx, sql, f.args...)
	if err != nil {
		return mapErr("list tenants", err)
	}
	return readPage(res, rows, backwards)
}

// countAndPage is countAll and listPage in one round trip: the list without
// a search, its most frequent request.
func (s *Store) countAndPage(ctx context.Context, res *tenant.ListResult) error {
	q := res.Query
	b := &pgx.Batch{}
	if q.Plan == "" {
		b.Queue(`SELECT status, sum(n)::bigint FROM tenant_counts GROUP BY status`)
	} else {
		b.Queue(`SELECT status, sum(n)::bigint FROM tenant_counts WHERE plan = $1 GROUP BY status`, string(q.Plan))
	}
	f := &filter{}
	sql, backwards := pageSQL(q, f)
	b.Queue(sql, f.args...)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return mapErr("count tenants", err)
	}
	var status string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&status, &n}, func() error {
		res.Counts[tenant.Status(status)] = n
		return nil
	}); err != nil {
		return mapErr("count tenants", err)
	}
	if q.Status == "" {
		res.Total = res.AllCount()
	} else {
		res.Total = res.Counts[q.Status]
	}
	if rows, err = br.Query(); err != nil {
		return mapErr("list tenants", err)
	}
	if err := readPage(res, rows, backwards); err != nil {
		return err
	}
	return mapErr("list tenants", br.Close())
}

// pageSQL adds the page's own conditions to f and returns its query, and
// whether it reads backwards (a "previous page" cursor).
func pageSQL(q tenant.ListQuery, f *filter) (string, bool) {
	if q.Status == "" {
		f.and("t.status <> " + f.arg(string(tenant.StatusDeleted)))
	} else {
		f.and("t.status = " + f.arg(string(q.Status)))
	}
	if q.Plan != "" {
		f.and("t.plan = " + f.arg(string(q.Plan)))
	}
	sort, backwards := q.Sort, false
	offset := ""
	if c, ok := tenant.DecodeCursor(q.After, q.Sort); ok {
		f.and(keysetCond(f, q.Sort, c))
	} else if c, ok := tenant.DecodeCursor(q.Before, q.Sort); ok {
		sort, backwards = reversed[q.Sort], true
		f.and(keysetCond(f, sort, c))
	} else if q.Offset() > 0 {
		offset = " OFFSET " + f.arg(q.Offset())
	}
	limit := f.arg(q.PerPage + 1)
	// The page's ids are found first (from the sort index alone, however
	// deep the page), and only those rows are joined.
	return `WITH page AS (
			SELECT t.id FROM tenants t` + f.where() + ` ORDER BY ` + listOrder[sort] + ` LIMIT ` + limit + offset + `)
		SELECT t.id, t.name, lower(t.name) AS name_key, t.short_name, t.status, t.plan, t.created_at, t.source,
			t.deleted_at, t.version, coalesce(s.support_email, '') AS support_email
		FROM page JOIN tenants t ON t.id = page.id
		LEFT JOIN tenant_settings s ON s.tenant_id = t.id
		ORDER BY ` + listOrder[sort], backwards
}

// readPage fills res with the page's rows and the cursors of its links.
func readPage(res *tenant.ListResult, rows pgx.Rows, backwards bool) error {
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByName[listRow])
	if err != nil {
		return mapErr("list tenants", err)
	}
	fillPage(res, recs, backwards)
	return nil
}

// fillPage sets res's rows and the cursors of its links from recs (read
// backwards when backwards), which may hold one row more than a page.
func fillPage(res *tenant.ListResult, recs []listRow, backwards bool) {
	q := res.Query
	more := len(recs) > q.PerPage
	if more {
		recs = recs[:q.PerPage]
	}
	if backwards {
		slices.Reverse(recs)
		// Read backwards, the extra row is before the page: a page follows
		// (the cursor's row), and one precedes only if the extra row exists.
		res.HasNext = true
		if !more {
			// The first page, reached backwards: label it as such.
			res.Query.Page, res.Query.Before = 1, ""
		}
	} else {
		res.HasNext = more
	}
	res.Items = make([]tenant.ListItem, len(recs))
	for i, r := range recs {
		res.Items[i] = tenant.ListItem{
			ID: r.ID, Name: r.Name, ShortName: r.ShortName, Status: tenant.Status(r.Status),
			Plan: tenant.Plan(r.Plan), SupportEmail: r.SupportEmail, CreatedAt: r.CreatedAt,
			Source: tenant.Source(r.Source), DeletedAt: r.DeletedAt, Version: r.Version,
		}
	}
	if len(recs) > 0 {
		if res.HasNext {
			res.NextAfter = recs[len(recs)-1].cursor(q.Sort)
		}
		if res.Query.Page > 1 {
			res.PrevBefore = recs[0].cursor(q.Sort)
		}
	}
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
	err := s.withTx(ctx, snapshot,
		func(t *txStore) error {
			tx := t.tx
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
			if d.Seats, err = t.CountSeats(ctx, id); err != nil {
				return err
			}
			d.Audit, err = latestAudit(ctx, tx, id, auditLimit)
			return err
		})
	return d, err
}
