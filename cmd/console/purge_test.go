package main

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/testdb"
)

// purge --dry-run lists and changes nothing; purge removes the tenant and
// every row referencing it, keeps the audit trail, adds a purge event, and
// leaves tenants still inside the grace period alone.
func TestPurge(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	pool := connect(t, url)
	ctx := context.Background()
	if err := store.New(pool).BulkInsert(ctx, demo.Agencies(time.Now())); err != nil {
		t.Fatal(err)
	}
	const old = "tn_9c6e7a88_f7rh"
	for _, sql := range []string{
		`UPDATE tenants SET deleted_at = now() - interval '40 days' WHERE id = '` + old + `'`,
		// the other deleted tenant is inside its grace period
		`UPDATE tenants SET deleted_at = now() - interval '2 days' WHERE status = 'deleted' AND id <> '` + old + `'`,
		`INSERT INTO organization_users (tenant_id, user_id, email, role, created_by)
			VALUES ('` + old + `', gen_random_uuid(), 'o@old.example', 'owner', 'test')`,
		`INSERT INTO user_invitations (tenant_id, email, role, invited_by, expires_at)
			VALUES ('` + old + `', 'i@old.example', 'admin', 'test', now() + interval '1 day')`,
		`INSERT INTO audit_events (tenant_id, action, actor_email) VALUES ('` + old + `', 'tenant.deleted', 'ada@console.example')`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	count := func(sql string) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	referencing := func() int {
		return count(`SELECT (SELECT count(*) FROM tenants WHERE id = '` + old + `')
			+ (SELECT count(*) FROM tenant_settings WHERE tenant_id = '` + old + `')
			+ (SELECT count(*) FROM tenant_branding WHERE tenant_id = '` + old + `')
			+ (SELECT count(*) FROM tenant_prompts WHERE tenant_id = '` + old + `')
			+ (SELECT count(*) FROM organization_users WHERE tenant_id = '` + old + `')
			+ (SELECT count(*) FROM user_invitations WHERE tenant_id = '` + old + `')`)
	}
	tenants, events, deleted := count(`SELECT count(*) FROM tenants`), count(`SELECT count(*) FROM audit_events`),
		count(`SELECT count(*) FROM tenants WHERE status = 'deleted'`)
	if referencing() < 5 || deleted < 2 {
		t.Fatalf("fixture: %d referencing rows, %d deleted tenants", referencing(), deleted)
	}

	out, errOut, err := runCLI(t, url, "purge", "--dry-run")
	if err != nil || !strings.Contains(out, "would purge "+old+" (Victoria Falls Voyages)") || !strings.Contains(out, "organization_users 1") ||
		!strings.Contains(out, "Dry run: 1 tenant(s)") {
		t.Fatalf("dry run: %v\n%s%s", err, out, errOut)
	}
	if count(`SELECT count(*) FROM tenants`) != tenants || count(`SELECT count(*) FROM audit_events`) != events {
		t.Fatal("the dry run changed something")
	}

	out, errOut, err = runCLI(t, url, "purge")
	if err != nil || !strings.Contains(out, "purged "+old) || !strings.Contains(out, "Purged 1 tenant(s)") {
		t.Fatalf("purge: %v\n%s%s", err, out, errOut)
	}
	if n := referencing(); n != 0 {
		t.Fatalf("%d rows still reference the purged tenant", n)
	}
	if count(`SELECT count(*) FROM tenants`) != tenants-1 || count(`SELECT count(*) FROM tenants WHERE status = 'deleted'`) != deleted-1 {
		t.Fatal("purge removed more than the one tenant past the grace period")
	}
	if count(`SELECT count(*) FROM audit_events WHERE tenant_id = '`+old+`' AND action = 'tenant.deleted'`) != 1 ||
		count(`SELECT count(*) FROM audit_events WHERE tenant_id = '`+old+`' AND action = 'tenant.purged' AND actor_email = 'cli:purge'`) != 1 ||
		count(`SELECT count(*) FROM audit_events`) != events+1 {
		t.Fatal("the audit trail lost rows or has no single purge event")
	}
	out, _, err = runCLI(t, url, "purge")
	if err != nil || !strings.Contains(out, "Purged 0 tenant(s)") {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	// a shorter period reaches the recently deleted one
	out, _, err = runCLI(t, url, "purge", "--older-than", "1ns", "--dry-run")
	if err != nil || !strings.Contains(out, "Dry run: 1 tenant(s)") {
		t.Fatalf("--older-than: %v\n%s", err, out)
	}
}

func TestPurgeHelpAndBadFlags(t *testing.T) {
	t.Parallel()
	out, errOut, err := runCLI(t, "postgres://unused", "purge", "--help")
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	if !strings.Contains(out+errOut, "--older-than") || !strings.Contains(out+errOut, "safe to run from cron") {
		t.Fatalf("help: %s%s", out, errOut)
	}
	if _, errOut, err := runCLI(t, "postgres://unused", "purge", "--older-than", "-5h"); !errors.Is(err, errUsage) || !strings.Contains(errOut, "positive duration") {
		t.Fatalf("negative: %v %s", err, errOut)
	}
}
