package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/testdb"
)

// TestAPITokenCommands: create prints the token once, on stdout, and it
// opens the API of a served console; list shows it by its first
// characters with its last use; revoke by name closes the API to it; both
// changes are audited without the token.
func TestAPITokenCommands(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	setenv(t, "APP_ENV", "dev")
	setenv(t, "GOTRUE_URL", "")

	token, errOut, err := runCLI(t, url, "api-token", "create", "--name", "runtime")
	token = strings.TrimSpace(token)
	if err != nil || !strings.HasPrefix(token, "tcapi_") || !strings.Contains(errOut, "will not be shown again") {
		t.Fatalf("create: %v\nstdout %q\nstderr %s", err, token, errOut)
	}
	if _, errOut, err := runCLI(t, url, "api-token", "create", "--name", "runtime"); exitCode(err) != 2 ||
		!strings.Contains(errOut, "already called runtime") {
		t.Fatalf("a second runtime: %v %s", err, errOut)
	}
	if _, errOut, err := runCLI(t, url, "api-token", "create", "--name", "Not A Name!"); exitCode(err) != 2 ||
		!strings.Contains(errOut, "--name:") {
		t.Fatalf("a bad name: %v %s", err, errOut)
	}

	c := startConsole(t, url)
	ask := func() int {
		req, _ := http.NewRequest(http.MethodGet, c.base+"/api/v1/tenants?limit=10", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := ask(); got != http.StatusOK {
		t.Fatalf("the new token: %d", got)
	}

	out, _, err := runCLI(t, url, "api-token", "list")
	if err != nil || strings.Contains(out, token) || !strings.Contains(out, token[:10]+"…") ||
		!strings.Contains(out, "runtime") || strings.Contains(out, "never") || !strings.Contains(out, "live") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	if out, _, err := runCLI(t, url, "api-token", "revoke", "--name", "runtime"); err != nil || !strings.Contains(out, "Revoked token") {
		t.Fatalf("revoke: %v %s", err, out)
	}
	if got := ask(); got != http.StatusUnauthorized {
		t.Fatalf("the revoked token: %d", got)
	}
	if _, errOut, err := runCLI(t, url, "api-token", "revoke", "--name", "runtime"); exitCode(err) != 1 || !strings.Contains(errOut, "no live token") {
		t.Fatalf("revoke again by name: %v %s", err, errOut)
	}
	if out, _, err := runCLI(t, url, "api-token", "list"); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("list after revoking: %v\n%s", err, out)
	}

	var events int
	if err := connect(t, url).QueryRow(context.Background(), `SELECT count(*) FROM audit_events
		WHERE action IN ('api_token.created', 'api_token.revoked') AND actor_email = 'cli:api-token'
			AND strpos(coalesce(before::text, '') || coalesce(after::text, ''), $1) = 0`, token[6:]).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events != 2 {
		t.Fatalf("%d audit events without the token, want 2", events)
	}
}
