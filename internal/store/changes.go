package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"github.com/tenant-console/console/internal/mirror"
	"github.com/tenant-console/console/internal/tenant"
)

// What the live YAML mirror reads (mirror.Store) and listens to
// (mirror.Feed).

var _ mirror.Store = (*Store)(nil)

// TenantStatuses lists every tenant with its status, and when and why it
// was suspended or deleted, sorted by id.
func (s *Store) TenantStatuses(ctx context.Context) ([]mirror.TenantStatus, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, status,
			CASE status WHEN 'suspended' THEN suspended_at WHEN 'deleted' THEN deleted_at END,
			coalesce(CASE status WHEN 'suspended' THEN suspended_reason WHEN 'deleted' THEN deleted_reason END, '')
		FROM tenants ORDER BY id`)
	if err != nil {
		return nil, mapErr("list tenant statuses", err)
	}
	var out []mirror.TenantStatus
	var ts mirror.TenantStatus
	var status string
	var since *time.Time
	_, err = pgx.ForEachRow(rows, []any{&ts.ID, &status, &since, &ts.Reason}, func() error {
		ts.Status = tenant.Status(status)
		ts.Since = time.Time{}
		if since != nil {
			ts.Since = *since
		}
		out = append(out, ts)
		return nil
	})
	return out, mapErr("list tenant statuses", err)
}

// ChangeChannel is the channel migration 00010 announces tenant changes on.
const ChangeChannel = "tenant_changed"

// ChangeFeedApplication is the application_name of a change feed's
// connection, to find it in pg_stat_activity.
const ChangeFeedApplication = "console sync-yaml"

// ChangeFeed is a dedicated connection (never one of the pool's: a LISTEN
// and a session lock belong to one connection for its life) that holds the
// mirror's writer lock and hears tenant changes.
type ChangeFeed struct {
	conn *pgx.Conn
}

var _ mirror.Feed = (*ChangeFeed)(nil)

// DialChangeFeed opens a change feed on the database at url.
func DialChangeFeed(ctx context.Context, url string) (*ChangeFeed, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("change feed: %w", err)
	}
	cfg.RuntimeParams["application_name"] = ChangeFeedApplication
	// An ended wait only stops reading: the default handler would also send
	// the server a cancel request, which could land on the next statement.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("change feed: %w", markUnreachable(err))
	}
	return &ChangeFeed{conn: conn}, nil
}

// TryLock takes the session-level advisory lock called name, unless another
// connection holds it. Postgres releases it when this connection ends.
func (f *ChangeFeed) TryLock(ctx context.Context, name string) (bool, error) {
	var ok bool
	err := f.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, "tenant-console:"+name).Scan(&ok)
	return ok, mapErr("take the mirror's lock", err)
}

// Listen starts hearing the changes committed from now on.
func (f *ChangeFeed) Listen(ctx context.Context) error {
	_, err := f.conn.Exec(ctx, "LISTEN "+pgx.Identifier{ChangeChannel}.Sanitize())
	return mapErr("listen for tenant changes", err)
}

// Next waits for the next announced change.
func (f *ChangeFeed) Next(ctx context.Context) (mirror.Change, error) {
	for {
		n, err := f.conn.WaitForNotification(ctx)
		if err != nil {
			return mirror.Change{}, mapErr("wait for tenant changes", err)
		}
		if n.Channel != ChangeChannel {
			continue
		}
		var p struct {
			TenantID string `json:"tenant_id"`
			AtMicros int64  `json:"at_us"`
		}
		if err := json.Unmarshal([]byte(n.Payload), &p); err != nil || p.TenantID == "" {
			continue // not an announcement this version understands
		}
		return mirror.Change{TenantID: p.TenantID, CommittedAt: time.UnixMicro(p.AtMicros)}, nil
	}
}

// Close ends the connection, and with it the lock and the LISTEN.
func (f *ChangeFeed) Close(ctx context.Context) error {
	return f.conn.Close(ctx)
}
