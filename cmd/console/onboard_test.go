package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/testdb"
)

// onboardEnv runs the CLI in dev with no GOTRUE_URL: the embedded dev auth
// server starts over the test database, as it does on a laptop.
func onboardEnv(t *testing.T) string {
	t.Helper()
	setenv(t, "APP_ENV", "dev")
	setenv(t, "GOTRUE_URL", "")
	setenv(t, "LOG_LEVEL", "error")
	return testdb.URL(t)
}

var tenantIDPattern = regexp.MustCompile(`tn_[0-9a-f]{8}_[0-9a-z]{4}`)

func TestOnboardCommandWithFlags(t *testing.T) {
	t.Parallel()
	url := onboardEnv(t)
	out, errOut, err := runCLI(t, url, "onboard",
		"--name", "Kruger Safaris", "--support-email", "help@krugersafaris.example",
		"--currency", "ZAR", "--timezone", "Africa/Johannesburg", "--plan", "pro",
		"--owner-email", "thandi@krugersafaris.example", "--owner-name", "Thandi Nkosi",
		"--owner-password", "lion-kings-2024!")
	if err != nil {
		t.Fatalf("onboard: %v\nstderr: %s", err, errOut)
	}
	id := tenantIDPattern.FindString(out)
	for _, want := range []string{"Tenant:  " + id + " (Kruger Safaris)", "tenant_settings", "organization_users",
		"thandi@krugersafaris.example signs in with the password you set.", "/tenants/" + id} {
		if id == "" || !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, "lion-kings-2024!") {
		t.Error("the password was printed")
	}
	pool := connect(t, url)
	var createdBy, plan, actor string
	err = pool.QueryRow(context.Background(), `SELECT t.created_by, t.plan, a.actor_email FROM tenants t
		JOIN audit_events a ON a.tenant_id = t.id WHERE t.id = $1`, id).Scan(&createdBy, &plan, &actor)
	if err != nil {
		t.Fatal(err)
	}
	if createdBy != "cli:onboard" || plan != "pro" || actor != "cli:onboard" {
		t.Errorf("created_by %q plan %q audit actor %q", createdBy, plan, actor)
	}
}

func TestOnboardCommandFromAFileWithFlagsOverridingAndRetriesSafely(t *testing.T) {
	t.Parallel()
	url := onboardEnv(t)
	dir := t.TempDir()
	yamlFile := filepath.Join(dir, "kruger.yaml")
	err := os.WriteFile(yamlFile, []byte(`# onboarding Kruger Safaris
name: Kruger Typo
support_email: help@krugersafaris.example
currency: zar
timezone: Africa/Johannesburg
preset_theme: safari_gold
color_accent: "#abcdef"
plan: enterprise
max_users: 300
owner_email: thandi@krugersafaris.example
owner_mode: invite
idempotency_key: kruger-2026-03-01
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"onboard", "--file", yamlFile, "--name", "Kruger Safaris"}
	out, errOut, err := runCLI(t, url, args...)
	if err != nil {
		t.Fatalf("onboard: %v\nstderr: %s", err, errOut)
	}
	if !strings.Contains(out, "(Kruger Safaris)") || !strings.Contains(out, "An invitation e-mail was sent to thandi@krugersafaris.example") {
		t.Fatalf("output:\n%s", out)
	}
	pool := connect(t, url)
	var name, accent string
	var users int
	err = pool.QueryRow(context.Background(), `SELECT t.name, t.max_users, b.color_accent FROM tenants t
		JOIN tenant_branding b ON b.tenant_id = t.id`).Scan(&name, &users, &accent)
	if err != nil || name != "Kruger Safaris" || users != 300 || accent != "#ABCDEF" {
		t.Fatalf("tenant %q users %d accent %s (%v)", name, users, accent, err)
	}

	// The same run again: the key makes it a replay, not a second tenant.
	again, errOut, err := runCLI(t, url, args...)
	if err != nil {
		t.Fatalf("second run: %v\nstderr: %s", err, errOut)
	}
	if !strings.Contains(again, "nothing new was created") || tenantIDPattern.FindString(again) != tenantIDPattern.FindString(out) {
		t.Fatalf("second run said:\n%s", again)
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM tenants`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d tenants (%v), want 1", n, err)
	}

	// JSON works the same way.
	jsonFile := filepath.Join(dir, "lodges.json")
	err = os.WriteFile(jsonFile, []byte(`{"name": "Kruger Lodges", "support_email": "help@krugerlodges.example",
		"currency": "ZAR", "timezone": "Africa/Johannesburg", "max_storage_gb": 1000000,
		"owner_email": "thandi@krugersafaris.example", "owner_password": "a new password here"}`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err = runCLI(t, url, "onboard", "--file", jsonFile)
	if err != nil {
		t.Fatalf("json: %v\nstderr: %s", err, errOut)
	}
	if !strings.Contains(out, "An account for thandi@krugersafaris.example already exists") || !strings.Contains(out, "1000000 GB") {
		t.Fatalf("json run said:\n%s", out)
	}
}

func TestOnboardCommandReportsEachInvalidField(t *testing.T) {
	t.Parallel()
	// Checked before any connection: no database is needed.
	_, errOut, err := runCLI(t, "postgres://unused", "onboard",
		"--name", "Kruger Safaris", "--support-email", "help-at-kruger", "--currency", "XYZ",
		"--timezone", "Mars/Olympus_Mons", "--website", "http://krugersafaris.example",
		"--color-primary", "blue", "--owner-email", "thandi@krugersafaris.example", "--owner-password", "short")
	if exitCode(err) != 2 {
		t.Fatalf("exit %d (%v), want 2", exitCode(err), err)
	}
	want := "support_email: Enter an e-mail address like name@example.com.\n" +
		"website: Use an https:// address.\n" +
		"currency: Choose a currency from the list (ISO 4217, e.g. ZAR).\n" +
		"timezone: Choose a time zone from the list (e.g. Africa/Johannesburg).\n" +
		"color_primary: Use a colour like #1E40AF.\n" +
		"owner_password: Use at least 10 characters.\n"
	if errOut != want {
		t.Fatalf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
}

func TestOnboardCommandRefusesBadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"typo.yaml":   "name: Kruger\nsuport_email: help@kruger.example\n",
		"colour.yaml": "name: Kruger\ncolor_primary: #1E40AF\n",
		"list.yaml":   "- name: Kruger\n",
		"nested.json": `{"name": {"first": "Kruger"}}`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, errOut, err := runCLI(t, "postgres://unused", "onboard", "--file", path)
		if exitCode(err) != 2 || !strings.Contains(errOut, name) {
			t.Errorf("%s: exit %d, stderr %q", name, exitCode(err), errOut)
		}
	}
	_, errOut, err := runCLI(t, "postgres://unused", "onboard", "--invite", "--owner-password", "lion-kings-2024!")
	if exitCode(err) != 2 || !strings.Contains(errOut, "owner_password: Leave the password out") {
		t.Errorf("--invite with a password: exit %d, stderr %q", exitCode(err), errOut)
	}
}

func TestOnboardCommandShortNameTaken(t *testing.T) {
	t.Parallel()
	url := onboardEnv(t)
	args := []string{"onboard", "--name", "Kruger Safaris", "--support-email", "help@krugersafaris.example",
		"--currency", "ZAR", "--timezone", "Africa/Johannesburg", "--owner-email", "thandi@krugersafaris.example", "--invite"}
	if _, errOut, err := runCLI(t, url, args...); err != nil {
		t.Fatalf("first: %v\n%s", err, errOut)
	}
	_, errOut, err := runCLI(t, url, append(args, "--short-name", "kruger-safaris")...)
	if exitCode(err) != 2 || errOut != "short_name: This short name is taken by Kruger Safaris.\n" {
		t.Fatalf("exit %d, stderr %q", exitCode(err), errOut)
	}
}

func TestOnboardCommandNeedsGoTrueInProduction(t *testing.T) {
	t.Parallel()
	url := onboardEnv(t)
	setenv(t, "APP_ENV", "production")
	_, _, err := runCLI(t, url, "onboard", "--name", "Kruger Safaris", "--support-email", "help@krugersafaris.example",
		"--currency", "ZAR", "--timezone", "Africa/Johannesburg", "--owner-email", "thandi@krugersafaris.example", "--invite")
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "GOTRUE_URL") {
		t.Fatalf("exit %d, err %v", exitCode(err), err)
	}
	var n int
	if err := connect(t, url).QueryRow(context.Background(), `SELECT count(*) FROM tenants`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d tenants (%v)", n, err)
	}
}
