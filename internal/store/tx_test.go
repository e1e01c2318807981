package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

// terminator terminates, for real, the backend a statement is about to be
// sent on, for the next times statements that start with prefix.
type terminator struct {
	mu     sync.Mutex
	admin  *pgx.Conn
	prefix string
	times  int
}

func (k *terminator) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	k.terminate(conn, data.SQL)
	return ctx
}

// TraceBatchStart terminates the backend a batch is about to be sent on
// when its first statement starts with prefix.
func (k *terminator) TraceBatchStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	if len(data.Batch.QueuedQueries) > 0 {
		k.terminate(conn, data.Batch.QueuedQueries[0].SQL)
	}
	return ctx
}

func (k *terminator) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (k *terminator) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func (k *terminator) terminate(conn *pgx.Conn, sql string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.times == 0 || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(sql)), k.prefix) {
		return
	}
	k.times--
	pid := conn.PgConn().PID()
	bg := context.Background()
	if _, err := k.admin.Exec(bg, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		panic(err)
	}
	for range 500 { // gone before the statement is sent
		var n int
		if err := k.admin.QueryRow(bg, `SELECT count(*) FROM pg_stat_activity WHERE pid = $1`, pid).Scan(&n); err != nil || n == 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (k *terminator) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (k *terminator) set(prefix string, times int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.prefix, k.times = prefix, times
}

// A transaction whose connection the server closes before COMMIT is run
// once more on a live connection; one closed at COMMIT is not (it may have
// landed) and is unavailable; so is one that fails twice.
func TestTransactionMeetsAClosedConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	k := &terminator{admin: admin}
	cfg.ConnConfig.Tracer = k
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	actor := tenant.System("test")

	// Each run adds one staff member in one transaction with its audit event.
	n := 0
	add := func() (runs int, err error) {
		n++
		err = st.InStaffTx(ctx, func(tx tenant.StaffTx) error {
			runs++
			if _, err := tx.LockStaff(ctx); err != nil {
				return err
			}
			id := fmt.Sprintf("00000000-0000-0000-0000-%012d", n)
			if err := tx.PutStaff(ctx, tenant.StaffMember{UserID: id, Email: id + "@console.example", Role: tenant.RoleSupport}, "test"); err != nil {
				return err
			}
			return tx.InsertAudit(ctx, tenant.NewAuditEvent(actor, "", tenant.ActionStaffAdded))
		})
		return runs, err
	}
	count := func() (staff, events int) {
		if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM staff), (SELECT count(*) FROM audit_events)`).Scan(&staff, &events); err != nil {
			t.Fatal(err)
		}
		return staff, events
	}

	cases := []struct {
		name          string
		prefix        string
		times         int
		runs          int
		unavailable   bool
		written, want int // rows the case adds
	}{
		{"closed at BEGIN", "begin", 1, 1, false, 1, 1},
		{"closed mid-transaction", "lock table staff", 1, 2, false, 1, 1},
		{"closed mid-transaction twice", "lock table staff", 2, 2, true, 0, 0},
		{"closed at COMMIT", "commit", 1, 1, true, 0, 0},
	}
	for _, c := range cases {
		staffBefore, eventsBefore := count()
		k.set(c.prefix, c.times)
		runs, err := add()
		k.set("", 0)
		if runs != c.runs {
			t.Errorf("%s: the transaction ran %d times, want %d", c.name, runs, c.runs)
		}
		if got := errors.Is(err, apperr.ErrUnavailable); got != c.unavailable {
			t.Errorf("%s: %v, unavailable %v, want %v", c.name, err, got, c.unavailable)
		}
		staff, events := count()
		if staff-staffBefore != c.written || events-eventsBefore != c.want {
			t.Errorf("%s: %d staff rows and %d audit events written, want %d and %d",
				c.name, staff-staffBefore, events-eventsBefore, c.written, c.want)
		}
	}

	// A transaction whose statements go with its COMMIT in one batch
	// (CreateImported): closed at BEGIN, it runs again and writes once;
	// closed at the batch, which may have committed, it is unavailable.
	tenants := func() (n int) {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM tenants`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i, c := range []struct {
		prefix      string
		unavailable bool
		written     int
	}{{"begin", false, 1}, {"insert into tenants", true, 0}} {
		before := tenants()
		k.set(c.prefix, 1)
		id := fmt.Sprintf("batch%d", i)
		err := st.CreateImported(ctx, importedRecord(id, "Batch", id), nil, tenant.NewAuditEvent(actor, id, tenant.ActionTenantImported))
		if k.times != 0 {
			t.Errorf("%s: the connection was not closed", c.prefix)
		}
		k.set("", 0)
		if errors.Is(err, apperr.ErrUnavailable) != c.unavailable || (err != nil) != c.unavailable || tenants()-before != c.written {
			t.Errorf("closed at %q: %v, %d tenants written", c.prefix, err, tenants()-before)
		}
	}

	// A plain read closed once is read again; twice, it is unavailable.
	k.set("select", 1)
	if _, err := st.ListStaff(ctx); err != nil {
		t.Fatalf("a read closed once: %v", err)
	}
	k.set("select", 2)
	if _, err := st.ListStaff(ctx); !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("a read closed twice: %v, want ErrUnavailable", err)
	}
}

// Commits made with synchronous_commit=off return before their WAL is on
// disk; WaitDurable returns only once it is.
func TestWaitDurable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	if err := st.CreateImported(ctx, importedRecord("acme", "Acme Travel", "acme-travel"), nil,
		tenant.NewAuditEvent(tenant.System("test"), "acme", tenant.ActionTenantImported)); err != nil {
		t.Fatal(err)
	}
	var written string
	if err := pool.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&written); err != nil {
		t.Fatal(err)
	}
	if err := st.WaitDurable(ctx); err != nil {
		t.Fatal(err)
	}
	var flushed bool
	if err := pool.QueryRow(ctx, `SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn`, written).Scan(&flushed); err != nil || !flushed {
		t.Errorf("after WaitDurable the WAL up to %s is not on disk (%v)", written, err)
	}
}
