package testdb_test

import (
	"context"
	"testing"

	"github.com/tenant-console/console/internal/testdb"
)

func TestEachTestGetsItsOwnMigratedDatabase(t *testing.T) {
	t.Parallel()
	a, b := testdb.New(t), testdb.New(t)
	ctx := context.Background()
	if _, err := a.Exec(ctx, `INSERT INTO staff (user_id, email, role, created_by) VALUES (gen_random_uuid(), 'a@x.dev', 'support', 'test')`); err != nil {
		t.Fatalf("insert: %v", err)
	}
	var n int
	if err := b.QueryRow(ctx, `SELECT count(*) FROM staff`).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	if n != 0 {
		t.Fatalf("second database sees %d staff rows from the first", n)
	}
}
