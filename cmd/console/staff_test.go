package main

import (
	"context"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/logging"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

func TestCreateStaff(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	setenv(t, "APP_ENV", "dev")
	setenv(t, "GOTRUE_URL", "")

	out, errOut, err := runCLI(t, url, "create-staff", "--email", "Ops@Console.example", "--password", "first password!", "--role", "support")
	if err != nil || !strings.Contains(out, "Created the account ops@console.example") || !strings.Contains(out, "It is now support.") {
		t.Fatalf("create: %v\n%s%s", err, out, errOut)
	}
	// Again, with another password and role: the role changes, the password does not.
	out, errOut, err = runCLI(t, url, "create-staff", "--email", "ops@console.example", "--password", "second password!", "--role", "platform_admin")
	if err != nil || !strings.Contains(out, "already exists; it keeps its password") || !strings.Contains(out, "changed from support to platform_admin") {
		t.Fatalf("again: %v\n%s%s", err, out, errOut)
	}
	cfg := testConfig(t, url)
	pool := connect(t, url)
	log := logging.New(new(strings.Builder), "text", "error")
	gt, stop, err := openGoTrue(context.Background(), cfg, log, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	authn := &auth.Authenticator{GoTrue: gt, Store: store.New(pool), Log: log}
	p, _, err := authn.SignIn(context.Background(), "ops@console.example", "first password!", "127.0.0.1")
	if err != nil || p.Staff != tenant.RolePlatformAdmin {
		t.Fatalf("sign in with the first password: %+v %v", p, err)
	}
	if _, _, err := authn.SignIn(context.Background(), "ops@console.example", "second password!", "127.0.0.1"); err == nil {
		t.Fatal("the second run overwrote the password")
	}
}

func TestCreateStaffRefusesBadInput(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	setenv(t, "APP_ENV", "dev")
	setenv(t, "GOTRUE_URL", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--email", "not-an-email", "--password", "long enough pw", "--role", "support"}, "--email: enter an e-mail address"},
		{[]string{"--email", "a@console.example", "--password", "long enough pw", "--role", "owner"}, "--role: use platform_admin or support"},
		{[]string{"--email", "a@console.example", "--password", "short", "--role", "support"}, "--password: Use at least 10 characters."},
	} {
		_, errOut, err := runCLI(t, url, append([]string{"create-staff"}, c.args...)...)
		if exitCode(err) != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", c.args, exitCode(err), errOut, c.want)
		}
	}
}
