package config

import (
	"os"
	"strings"
	"testing"
)

// unset clears name for this test (t.Setenv restores it afterwards).
func unset(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "")
	os.Unsetenv(name)
}

func TestUnsetAppEnvIsProduction(t *testing.T) {
	unset(t, "APP_ENV")
	unset(t, "MIGRATE_ON_START")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.AppEnv != EnvProduction || c.Dev() {
		t.Fatalf("APP_ENV unset: AppEnv %q, Dev %v; want production", c.AppEnv, c.Dev())
	}
	if c.MigrateAtStart(false) {
		t.Fatal("production migrates at start without being asked")
	}
	if !c.MigrateAtStart(true) {
		t.Fatal("--migrate is not honoured")
	}
}

func TestMigrateOnStart(t *testing.T) {
	unset(t, "APP_ENV")
	t.Setenv("MIGRATE_ON_START", "true")
	c, err := Load()
	if err != nil || !c.MigrateAtStart(false) {
		t.Fatalf("MIGRATE_ON_START=true: %v %v", c.MigrateAtStart(false), err)
	}
	t.Setenv("MIGRATE_ON_START", "maybe")
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "MigrateOnStart") {
		t.Fatalf("MIGRATE_ON_START=maybe: %v", err)
	}
}

func TestDevIsChosenExplicitly(t *testing.T) {
	unset(t, "APP_ENV")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ChooseDev(); err != nil || !c.Dev() || !c.MigrateAtStart(false) {
		t.Fatalf("ChooseDev with APP_ENV unset: %v, Dev %v", err, c.Dev())
	}

	t.Setenv("APP_ENV", "production")
	c, err = Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ChooseDev(); err == nil || c.Dev() {
		t.Fatal("ChooseDev turned an explicit APP_ENV=production into dev")
	}

	t.Setenv("APP_ENV", "staging")
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "APP_ENV") {
		t.Fatalf("APP_ENV=staging: %v", err)
	}
}

func TestTrustedProxies(t *testing.T) {
	unset(t, "TRUSTED_PROXIES")
	c, err := Load()
	if err != nil || len(c.TrustedProxies) != 0 {
		t.Fatalf("TRUSTED_PROXIES unset: %v %v; want none trusted", c.TrustedProxies, err)
	}
	t.Setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7,2001:db8::/32")
	c, err = Load()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range c.TrustedProxies {
		got = append(got, n.String())
	}
	if strings.Join(got, " ") != "10.0.0.0/8 192.0.2.7/32 2001:db8::/32" {
		t.Fatalf("TRUSTED_PROXIES parsed as %v", got)
	}
	t.Setenv("TRUSTED_PROXIES", "10.0.0.0/8,private")
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES") {
		t.Fatalf("a bad entry: %v", err)
	}
}

func TestAuthRecheckInterval(t *testing.T) {
	unset(t, "APP_ENV")
	unset(t, "AUTH_RECHECK_INTERVAL")
	c, err := Load()
	if err != nil || c.AuthRecheck.Seconds() != 60 {
		t.Fatalf("AUTH_RECHECK_INTERVAL unset: %v %v, want a minute", c.AuthRecheck, err)
	}
	t.Setenv("AUTH_RECHECK_INTERVAL", "15s")
	if c, err := Load(); err != nil || c.AuthRecheck.Seconds() != 15 {
		t.Fatalf("AUTH_RECHECK_INTERVAL=15s: %v %v", c.AuthRecheck, err)
	}
	t.Setenv("AUTH_RECHECK_INTERVAL", "0s")
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "AUTH_RECHECK_INTERVAL") {
		t.Fatalf("AUTH_RECHECK_INTERVAL=0s: %v", err)
	}
}

func TestPublicURL(t *testing.T) {
	unset(t, "PUBLIC_URL")
	unset(t, "APP_ENV")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublicBase("127.0.0.1:8080"); err != ErrNoPublicURL {
		t.Fatalf("production without PUBLIC_URL: %v, want ErrNoPublicURL", err)
	}
	t.Setenv("APP_ENV", "dev")
	if c, _ = Load(); must(c.PublicBase("127.0.0.1:8080")) != "http://127.0.0.1:8080" {
		t.Fatalf("dev without PUBLIC_URL: %q, want the listen address", must(c.PublicBase("127.0.0.1:8080")))
	}
	t.Setenv("PUBLIC_URL", "https://console.example.com/")
	if c, _ = Load(); must(c.PublicBase("127.0.0.1:8080")) != "https://console.example.com" {
		t.Fatalf("PUBLIC_URL given: %q", must(c.PublicBase("127.0.0.1:8080")))
	}
	for _, bad := range []string{"console.example.com", "ftp://console.example.com", "https://console.example.com/?a=b", "https://"} {
		t.Setenv("PUBLIC_URL", bad)
		if _, err := Load(); err == nil || !strings.Contains(err.Error(), "PUBLIC_URL") {
			t.Errorf("PUBLIC_URL=%q: %v, want it refused", bad, err)
		}
	}
}

func must(s string, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return s
}

func TestStaffMFA(t *testing.T) {
	unset(t, "APP_ENV")
	unset(t, "STAFF_MFA")
	c, err := Load()
	if err != nil || !c.RequireStaffMFA() {
		t.Fatalf("production, STAFF_MFA unset: required=%v %v, want required", c.RequireStaffMFA(), err)
	}
	if err := c.ChooseDev(); err != nil || c.RequireStaffMFA() {
		t.Fatalf("dev, STAFF_MFA unset: required=%v %v, want optional", c.RequireStaffMFA(), err)
	}
	t.Setenv("STAFF_MFA", "optional")
	if c, err := Load(); err != nil || c.RequireStaffMFA() {
		t.Fatalf("STAFF_MFA=optional in production: required=%v %v", c.RequireStaffMFA(), err)
	}
	t.Setenv("STAFF_MFA", "sometimes")
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "STAFF_MFA") {
		t.Fatalf("STAFF_MFA=sometimes: %v", err)
	}
}

// LoadFrom reads the environment it is given, not the process's: what lets
// the CLI's tests each run with their own settings side by side.
func TestLoadFromReadsOnlyTheGivenEnvironment(t *testing.T) {
	t.Setenv("APP_ENV", "staging") // invalid, were it read
	t.Setenv("LISTEN_ADDR", "127.0.0.1:1")
	c, err := LoadFrom(map[string]string{"APP_ENV": "dev", "DATABASE_URL": "postgres://given/db"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Dev() || c.DatabaseURL != "postgres://given/db" || c.ListenAddr != "127.0.0.1:8080" {
		t.Fatalf("LoadFrom: AppEnv %q, DatabaseURL %q, ListenAddr %q", c.AppEnv, c.DatabaseURL, c.ListenAddr)
	}
	if c, err := LoadFrom(nil); err != nil || c.AppEnv != EnvProduction || c.ListenAddr != "127.0.0.1:8080" {
		t.Fatalf("LoadFrom(nil): %v, AppEnv %q, ListenAddr %q; want the defaults", err, c.AppEnv, c.ListenAddr)
	}
}
