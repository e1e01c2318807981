package store_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/testdb"
)

// A database that cannot be reached, or that drops the connection, is
// "unavailable" (a person is told to try again shortly), not an unexpected
// error; a refused statement stays what it is.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	pool, err := pgxpool.New(ctx, "postgres://postgres@"+addr+"/nothing?connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := store.New(pool).GetDetail(ctx, "africastay", 10); !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("nothing listening: %v, want ErrUnavailable", err)
	}

	live := testdb.New(t)
	st := store.New(live)
	conn, err := live.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	// Terminate this connection from another one, then use it: the error
	// marks it broken, and the pool drops it when it comes back.
	if _, err := live.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `SELECT 1`)
	conn.Release()
	if err == nil {
		t.Fatal("a terminated connection answered")
	}
	for range 3 {
		if _, err := st.GetDetail(ctx, "no-such-tenant", 10); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("after the kill the store answers %v, want ErrNotFound from a working connection", err)
		}
	}
}
