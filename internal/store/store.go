// Package store implements the domain's persistence over Postgres with pgx.
// SQL lives next to the method that runs it; Postgres errors become apperr
// values here and nowhere else.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
)

// Store is the Postgres implementation of tenant.Store.
type Store struct {
	pool *pgxpool.Pool
}

var _ tenant.Store = (*Store)(nil)

// New returns a Store over pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool}
}

// Ping checks that the database answers (for /readyz).
func (s *Store) Ping(ctx context.Context) error {
	return s.pool.Ping(ctx)
}

// querier is what both the pool and a transaction offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// stmt is one write: its SQL, its arguments and how its failure reads. It
// runs alone (exec) or with the other writes of its transaction in one
// round trip (sendAll), and fails the same way either way.
type stmt struct {
	op   string // the name its errors carry (mapErr)
	sql  string
	args []any
	// mapFail, when set, maps the failure instead of mapErr(op, ...).
	mapFail func(error) error
}

func (s stmt) fail(err error) error {
	if err == nil || s.mapFail == nil {
		return mapErr(s.op, err)
	}
	return s.mapFail(err)
}

func (s stmt) exec(ctx context.Context, q querier) error {
	_, err := q.Exec(ctx, s.sql, s.args...)
	return s.fail(err)
}

// sendAll runs stmts in tx, in order, in one round trip (a pgx.Batch) and
// returns the first failure as that statement run alone would have; the
// transaction is then aborted and the statements after it do nothing.
func sendAll(ctx context.Context, tx pgx.Tx, stmts ...stmt) error {
	b := &pgx.Batch{}
	for _, s := range stmts {
		b.Queue(s.sql, s.args...)
	}
	br := tx.SendBatch(ctx, b)
	if err := readAll(br, stmts); err != nil {
		_ = br.Close()
		return err
	}
	return markUnreachable(br.Close())
}

// readAll reads the results of stmts, the first queued in br, and returns
// the first failure as that statement run alone would have.
func readAll(br pgx.BatchResults, stmts []stmt) error {
	for _, s := range stmts {
		if _, err := br.Exec(); err != nil {
			return s.fail(err)
		}
	}
	return nil
}

// txStore is the set of writes offered inside one transaction.
type txStore struct {
	tx pgx.Tx
}

// InTx runs fn in one transaction and commits only when fn succeeds.
func (s *Store) InTx(ctx context.Context, fn func(tenant.Tx) error) error {
	return s.withTx(ctx, readWrite, func(t *txStore) error { return fn(t) })
}

// mapErr turns Postgres errors that mean something to a user into apperr
// values, wrapped with the operation's name.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, apperr.ErrNotFound)
	}
	if unreachable(err) {
		return fmt.Errorf("%s: %w: %w", op, apperr.ErrUnavailable, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%s: %w (%s)", op, apperr.ErrConflict, pgErr.ConstraintName)
		case "40001": // serialization_failure
			return fmt.Errorf("%s: %w", op, apperr.ErrConflict)
		case "23514", // check_violation
			"23502", // not_null_violation
			"22001", // string_data_right_truncation
			"22003", // numeric_value_out_of_range
			"22021", // character_not_in_repertoire (NUL, invalid UTF-8 in text)
			"22P05": // untranslatable_character (\u0000 in jsonb)
			return fmt.Errorf("%s: %w: %w", op, refused(pgErr), err)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// refused names the column whose value Postgres refused: the one it
// reports (NOT NULL, a trigger that says), else the column of a CHECK named
// as Postgres names a column's CHECK, "<table>_<column>_check" (with a
// number after a second one). A table's CHECK over several columns, and a
// refusal of text, name no column.
func refused(pgErr *pgconn.PgError) *apperr.Error {
	constraint := pgErr.ConstraintName
	if constraint == "" {
		constraint = pgErr.Code
	}
	column := ""
	switch {
	case pgErr.TableName == "":
	case pgErr.ColumnName != "":
		column = pgErr.TableName + "." + pgErr.ColumnName
	default:
		col, ok := strings.CutPrefix(pgErr.ConstraintName, pgErr.TableName+"_")
		if !ok {
			break
		}
		col = strings.TrimRight(col, "0123456789")
		if col, ok = strings.CutSuffix(col, "_check"); ok && col != "" {
			column = pgErr.TableName + "." + col
		}
	}
	return apperr.Refused(column, constraint, nil)
}

// unreachable reports whether err means the database could not be reached
// or dropped the connection, rather than refused the statement: a person can
// only try again shortly (and the pool will connect afresh).
func unreachable(err error) bool {
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		// Whatever the server said (it may answer "not accepting
		// connections", "starting up", "too many clients"), no connection.
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P0x: the server shut down, was
		// terminated (pg_terminate_backend), is starting or lost the database.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// markUnreachable marks an error that no statement's mapErr saw (a
// transaction's begin or commit, the pool's acquire) as
// apperr.ErrUnavailable when the database was unreachable; other errors
// pass unchanged.
func markUnreachable(err error) error {
	if err == nil || errors.Is(err, apperr.ErrUnavailable) || !unreachable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", apperr.ErrUnavailable, err)
}

// UniqueViolation reports whether err was a unique violation of constraint.
func UniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}
