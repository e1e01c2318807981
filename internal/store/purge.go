package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/tenant"
)

// Purged is one deleted tenant removed (or, in a dry run, to be removed).
type Purged struct {
	ID        string
	Name      string
	DeletedAt time.Time
	DeletedBy string
	// Rows counts what went with it, by table ("tenants" included).
	Rows map[string]int64
}

// referencingTables lists the tables with a foreign key to tenants, so the
// report counts every row a purge removes, including tables added later.
func referencingTables(ctx context.Context, q querier) ([][2]string, error) {
	rows, err := q.Query(ctx, `
		SELECT c.conrelid::regclass::text, a.attname
		FROM pg_constraint c
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.contype = 'f' AND c.confrelid = 'tenants'::regclass AND cardinality(c.conkey) = 1
		ORDER BY 1`)
	if err != nil {
		return nil, mapErr("list tables referencing tenants", err)
	}
	var out [][2]string
	var table, column string
	_, err = pgx.ForEachRow(rows, []any{&table, &column}, func() error {
		out = append(out, [2]string{table, column})
		return nil
	})
	return out, mapErr("list tables referencing tenants", err)
}

func countRows(ctx context.Context, q querier, tables [][2]string, id string) (map[string]int64, error) {
	counts := map[string]int64{"tenants": 1}
	for _, tc := range tables {
		var n int64
		ident := pgx.Identifier{tc[0]}.Sanitize()
		if err := q.QueryRow(ctx, `SELECT count(*) FROM `+ident+` WHERE `+pgx.Identifier{tc[1]}.Sanitize()+` = $1`, id).Scan(&n); err != nil {
			return nil, mapErr("count rows of "+tc[0], err)
		}
		if n > 0 {
			counts[tc[0]] = n
		}
	}
	return counts, nil
}

// PurgeCandidates lists the deleted tenants whose deletion is older than
// cutoff (a dry run: nothing is locked or changed).
func (s *Store) PurgeCandidates(ctx context.Context, cutoff time.Time) ([]Purged, error) {
	tables, err := referencingTables(ctx, s.pool)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT id, name, deleted_at, coalesce(deleted_by, '') FROM tenants
		WHERE status = 'deleted' AND deleted_at < $1 ORDER BY deleted_at, id`, cutoff)
	if err != nil {
		return nil, mapErr("list purge candidates", err)
	}
	var out []Purged
	var p Purged
	_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.Name, &p.DeletedAt, &p.DeletedBy}, func() error {
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, mapErr("list purge candidates", err)
	}
	for i := range out {
		if out[i].Rows, err = countRows(ctx, s.pool, tables, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PurgeNext removes the oldest deleted tenant past cutoff with every row
// that references it (the foreign keys cascade; the audit trail has none
// and stays), and records one tenant.purged event, in one transaction. It
// skips tenants another transaction holds (a restore in progress, another
// purge run), and checks the status and date again under the lock, so it is
// safe beside a serving console and a second cron run. ok is false when
// nothing is left to purge.
func (s *Store) PurgeNext(ctx context.Context, cutoff time.Time, actor tenant.Actor) (Purged, bool, error) {
	var p Purged
	found := false
	err := s.withTx(ctx, readWrite, func(t *txStore) error {
		tx := t.tx
		p, found = Purged{}, false
		err := tx.QueryRow(ctx, `SELECT id, name, deleted_at, coalesce(deleted_by, '') FROM tenants
			WHERE status = 'deleted' AND deleted_at < $1
			ORDER BY deleted_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`, cutoff).
			Scan(&p.ID, &p.Name, &p.DeletedAt, &p.DeletedBy)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return mapErr("pick a tenant to purge", err)
		}
		tables, err := referencingTables(ctx, tx)
		if err != nil {
			return err
		}
		if p.Rows, err = countRows(ctx, tx, tables, p.ID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM tenants WHERE id = $1 AND status = 'deleted' AND deleted_at < $2`, p.ID, cutoff)
		if err != nil {
			return mapErr("purge tenant", err)
		}
		if tag.RowsAffected() != 1 {
			return nil // restored meanwhile: nothing to do
		}
		ev := tenant.NewAuditEvent(actor, p.ID, tenant.ActionTenantPurged)
		rows := map[string]any{}
		for k, v := range p.Rows {
			rows[k] = v
		}
		ev.Before = map[string]any{"status": "deleted", "name": p.Name, "deleted_at": p.DeletedAt, "deleted_by": p.DeletedBy}
		ev.After = map[string]any{"rows_removed": rows}
		if err := insertAudit(ctx, tx, ev); err != nil {
			return err
		}
		found = true
		return nil
	})
	return p, found, err
}
