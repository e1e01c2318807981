package store

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Transactions, and what happens when the server has closed the connection
// a request was handed (README, "Transactions and dead connections").

var (
	// readWrite is a plain transaction.
	readWrite = pgx.TxOptions{}
	// snapshot reads several tables as of one moment, so the parts agree.
	snapshot = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
)

// withTx is the one place this package opens a transaction: it begins,
// runs fn, commits when fn succeeds and rolls back when it does not.
//
// When the server had closed the connection before COMMIT was sent (an
// idle pooled connection whose backend was terminated, or one killed in the
// middle), the transaction was not committed, so fn runs once more, on a
// connection that answers a ping. A failure at COMMIT itself is not
// repeated (the transaction may have landed) unless the transaction only
// read. fn must therefore do nothing outside the transaction that cannot
// be done twice.
//
// Errors meaning the database could not be reached, or dropped the
// connection, match apperr.ErrUnavailable.
func (s *Store) withTx(ctx context.Context, opts pgx.TxOptions, fn func(*txStore) error) error {
	attempt := func(db txBeginner) error {
		tx, err := db.BeginTx(ctx, opts)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(ctx) }() // after a commit, a no-op
		if err := fn(&txStore{tx: tx}); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			err = mapErr("commit", err)
			if opts.AccessMode != pgx.ReadOnly {
				err = notRepeatable{err}
			}
			return err
		}
		return nil
	}
	return s.onLiveConn(ctx, func() error { return attempt(s.pool) },
		func(conn *pgxpool.Conn) error { return attempt(conn) })
}

// writeAll runs stmts as one transaction in two round trips: BEGIN alone,
// then the statements and COMMIT in one batch. As in withTx, a connection
// the server had closed is met at BEGIN, before anything was done, and the
// transaction runs once more on a live one. Sending COMMIT with the
// statements means the row locks they take (a new tenant's insert updates
// a tenant_counts row of its status and plan, which other new tenants may
// share) are held only while the server runs them, never across a round
// trip to the client and back, so concurrent writers wait that much less
// for each other. A connection lost during that batch may have been lost
// after the COMMIT ran, so the transaction is then not run again.
func (s *Store) writeAll(ctx context.Context, stmts ...stmt) error {
	attempt := func(conn *pgxpool.Conn) error {
		if _, err := conn.Exec(ctx, "begin"); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, st := range stmts {
			b.Queue(st.sql, st.args...)
		}
		b.Queue("commit")
		br := conn.SendBatch(ctx, b)
		err := readAll(br, stmts)
		if err == nil {
			var tag pgconn.CommandTag
			if tag, err = br.Exec(); err == nil && tag.String() != "COMMIT" {
				err = pgx.ErrTxCommitRollback
			}
			err = mapErr("commit", err)
		}
		if closeErr := br.Close(); err == nil {
			err = mapErr("commit", closeErr)
		}
		if err != nil && conn.Conn().PgConn().TxStatus() != 'I' {
			// Statements after a failed one were skipped, COMMIT too: the
			// transaction waits for its ROLLBACK. A connection left in one
			// is not handed out again (pgxpool destroys it).
			_, _ = conn.Exec(ctx, "rollback")
		}
		if err != nil {
			return notRepeatable{err}
		}
		return nil
	}
	return s.onLiveConn(ctx,
		func() error {
			conn, err := s.pool.Acquire(ctx)
			if err != nil {
				return err
			}
			defer conn.Release()
			return attempt(conn)
		}, attempt)
}

// onLiveConn runs first and, when it met a connection the server had
// closed before anything could have been done twice, runs again on a
// connection that answers a ping.
func (s *Store) onLiveConn(ctx context.Context, first func() error, again func(*pgxpool.Conn) error) error {
	err := first()
	if retryable(ctx, err) {
		conn, connErr := s.liveConn(ctx)
		if connErr != nil {
			return markUnreachable(connErr)
		}
		defer conn.Release()
		err = again(conn)
	}
	return markUnreachable(err)
}

// WaitDurable returns once every transaction committed before it is on
// disk, including those committed with synchronous_commit=off (which return
// before their WAL is flushed). It commits one transaction that writes a
// WAL record (a logical decoding message, which no table sees) and waits
// for its flush; WAL is flushed in order, so that flush covers every commit
// record written before it.
func (s *Store) WaitDurable(ctx context.Context) error {
	return s.withTx(ctx, readWrite, func(t *txStore) error {
		_, err := t.tx.Exec(ctx, `SELECT set_config('synchronous_commit', 'on', true),
			pg_logical_emit_message(true, 'console', 'wait durable')`)
		return mapErr("wait for the disk flush", err)
	})
}

// txBeginner is the pool, or one connection of it.
type txBeginner interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// liveConn acquires a connection that answers a ping. A server that closed
// one connection has often closed them all (a restart, a failover,
// pg_terminate_backend), and the pool itself pings only connections idle
// for more than a second: each dead one handed out is dropped on the way.
func (s *Store) liveConn(ctx context.Context) (*pgxpool.Conn, error) {
	var err error
	for range s.pool.Stat().MaxConns() + 1 {
		var c *pgxpool.Conn
		if c, err = s.pool.Acquire(ctx); err != nil {
			return nil, err
		}
		if err = c.Ping(ctx); err == nil {
			return c, nil
		}
		c.Release() // a failed ping closed it: the pool drops it
		if ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

// retryRepeatable runs fn, and once more when it met a connection the
// server had closed. fn must be safe to run twice: a read, or one statement
// whose second run changes nothing more (an upsert, a delete). It must set
// what it returns afresh each time, and a read that hands rows on as it
// goes (an export) marks its error notRepeatable once it has handed any.
func (s *Store) retryRepeatable(ctx context.Context, fn func() error) error {
	err := fn()
	if retryable(ctx, err) {
		s.dropDeadConns(ctx)
		err = fn()
	}
	return markUnreachable(err)
}

// notRepeatable marks an error after which the work may not run again:
// COMMIT was sent, or rows were already handed on.
type notRepeatable struct{ error }

func (e notRepeatable) Unwrap() error { return e.error }

// retryable reports whether err is a connection the server closed, met
// before anything could have been done twice.
func retryable(ctx context.Context, err error) bool {
	var done notRepeatable
	return err != nil && ctx.Err() == nil && !errors.As(err, &done) && connectionLost(err)
}

// pingWait bounds the check of one idle connection.
const pingWait = 2 * time.Second

// dropDeadConns pings every idle connection of the pool, and the pool
// drops those that fail (see liveConn for why), before a statement that
// takes its own connection from the pool runs again.
func (s *Store) dropDeadConns(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, pingWait)
	defer cancel()
	var wg sync.WaitGroup
	for _, c := range s.pool.AcquireAllIdle(ctx) {
		wg.Go(func() {
			_ = c.Ping(ctx) // a failed ping closes the connection: Release destroys it
			c.Release()
		})
	}
	wg.Wait()
}

// connectionLost reports whether err means the server closed a connection
// that had been open (its backend terminated or crashed, the server shut
// down, the socket reset), as opposed to a database that cannot be reached
// at all: trying again then only waits twice as long.
func connectionLost(err error) bool {
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", // admin_shutdown: pg_terminate_backend, a fast shutdown
			"57P02": // crash_shutdown
			return true
		}
		return len(pgErr.Code) == 5 && pgErr.Code[:2] == "08" // connection_exception
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return false
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, net.ErrClosed) || pgconn.SafeToRetry(err)
}

// afterRows keeps a streaming read from running again once it has handed
// rows on: they would be handed twice.
func afterRows(handed bool, err error) error {
	if handed && err != nil {
		return notRepeatable{err}
	}
	return err
}
