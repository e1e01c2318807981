package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/logging"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/testdb"
)

// canSignIn reports whether email signs in with password (through the same
// GoTrue the CLI used: the embedded dev server over the database at url).
func canSignIn(t *testing.T, url, email, password string) bool {
	t.Helper()
	cfg := testConfig(t, url)
	pool := connect(t, url)
	log := logging.New(io.Discard, "text", "error")
	gt, stop, err := openGoTrue(context.Background(), cfg, log, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	authn := &auth.Authenticator{GoTrue: gt, Store: store.New(pool), Log: log}
	_, _, err = authn.SignIn(context.Background(), email, password, "127.0.0.1")
	return err == nil
}

func staffEnv(t *testing.T) string {
	t.Helper()
	setenv(t, "APP_ENV", "dev")
	setenv(t, "GOTRUE_URL", "")
	setenv(t, "LOG_LEVEL", "error")
	return testdb.URL(t)
}

func TestCreateStaffReadsThePasswordFromStdin(t *testing.T) {
	t.Parallel()
	url := staffEnv(t)
	fakeTerminal(t, "a stdin password!\r\n", nil)
	out, errOut, err := runCLI(t, url, "create-staff", "--email", "ops@console.example", "--role", "support", "--password-stdin")
	if err != nil || !strings.Contains(out, "Created the account ops@console.example") {
		t.Fatalf("create-staff --password-stdin: %v\n%s%s", err, out, errOut)
	}
	if strings.Contains(errOut, "warning") || strings.Contains(out+errOut, "a stdin password!") {
		t.Fatalf("stderr %q", errOut)
	}
	if !canSignIn(t, url, "ops@console.example", "a stdin password!") {
		t.Fatal("the account does not sign in with the password from stdin (line ending removed)")
	}
}

func TestCreateStaffAsksForThePasswordOnATerminal(t *testing.T) {
	t.Parallel()
	url := staffEnv(t)
	fakeTerminal(t, "", []string{"typed at the prompt", "typed at the prompt"})
	out, errOut, err := runCLI(t, url, "create-staff", "--email", "ops@console.example", "--role", "support")
	if err != nil || !strings.Contains(out, "Created the account") {
		t.Fatalf("create-staff at a terminal: %v\n%s%s", err, out, errOut)
	}
	if !strings.Contains(errOut, "Password for the new account ops@console.example: ") || strings.Contains(errOut, "typed at the prompt") {
		t.Fatalf("prompt: %q", errOut)
	}
	if !canSignIn(t, url, "ops@console.example", "typed at the prompt") {
		t.Fatal("the account does not sign in with the typed password")
	}

	// An existing account keeps its password: nobody is asked for one.
	fakeTerminal(t, "", []string{})
	out, errOut, err = runCLI(t, url, "create-staff", "--email", "ops@console.example", "--role", "platform_admin")
	if err != nil || strings.Contains(errOut, "Password for") || !strings.Contains(out, "keeps its password") {
		t.Fatalf("existing account: %v\n%s%s", err, out, errOut)
	}

	// Two different passwords: nothing is made.
	fakeTerminal(t, "", []string{"first try password", "second try password"})
	_, errOut, err = runCLI(t, url, "create-staff", "--email", "new@console.example", "--role", "support")
	if err == nil || !strings.Contains(err.Error()+errOut, "the two passwords differ") {
		t.Fatalf("mismatch: %v %q", err, errOut)
	}
}

func TestCreateStaffWithoutAPasswordSource(t *testing.T) {
	t.Parallel()
	url := staffEnv(t)
	fakeTerminal(t, "", nil) // not a terminal, nothing on stdin
	_, errOut, err := runCLI(t, url, "create-staff", "--email", "ops@console.example", "--role", "support")
	if exitCode(err) != 2 || !strings.Contains(errOut, "--password-stdin") {
		t.Fatalf("no password, no terminal: exit %d, stderr %q", exitCode(err), errOut)
	}
	fakeTerminal(t, "\n", nil)
	_, errOut, err = runCLI(t, url, "create-staff", "--email", "ops@console.example", "--role", "support", "--password-stdin")
	if exitCode(err) != 2 || !strings.Contains(errOut, "stdin gave no password") {
		t.Fatalf("empty stdin: exit %d, stderr %q", exitCode(err), errOut)
	}
	_, errOut, err = runCLI(t, url, "create-staff", "--email", "ops@console.example", "--role", "support",
		"--password-stdin", "--password", "also given here")
	if exitCode(err) != 2 || !strings.Contains(errOut, "one way") {
		t.Fatalf("both: exit %d, stderr %q", exitCode(err), errOut)
	}
}

func TestPasswordFlagsWarn(t *testing.T) {
	t.Parallel()
	url := staffEnv(t)
	fakeTerminal(t, "", nil)
	_, errOut, err := runCLI(t, url, "create-staff", "--email", "ops@console.example", "--role", "support", "--password", "a flag password!")
	if err != nil || !strings.Contains(errOut, "warning: --password puts the password where other users") {
		t.Fatalf("create-staff --password: %v, stderr %q", err, errOut)
	}
	_, errOut, err = runCLI(t, url, "onboard", "--name", "Kruger Safaris", "--support-email", "help@krugersafaris.example",
		"--currency", "ZAR", "--timezone", "Africa/Johannesburg", "--owner-email", "thandi@krugersafaris.example",
		"--owner-password", "lion-kings-2024!")
	if err != nil || !strings.Contains(errOut, "warning: --owner-password puts the password where other users") {
		t.Fatalf("onboard --owner-password: %v, stderr %q", err, errOut)
	}
}

func TestOnboardReadsTheOwnerPasswordFromStdinOrThePrompt(t *testing.T) {
	t.Parallel()
	url := staffEnv(t)
	args := func(short, owner string) []string {
		return []string{"onboard", "--name", "Kruger Safaris", "--short-name", short, "--support-email", "help@krugersafaris.example",
			"--currency", "ZAR", "--timezone", "Africa/Johannesburg", "--owner-email", owner}
	}
	fakeTerminal(t, "owner from stdin!\n", nil)
	out, errOut, err := runCLI(t, url, append(args("kruger-one", "one@krugersafaris.example"), "--password-stdin")...)
	if err != nil || !strings.Contains(out, "signs in with the password you set") || strings.Contains(errOut, "warning") {
		t.Fatalf("onboard --password-stdin: %v\n%s%s", err, out, errOut)
	}
	if !canSignIn(t, url, "one@krugersafaris.example", "owner from stdin!") {
		t.Fatal("the owner does not sign in with the password from stdin")
	}

	fakeTerminal(t, "", []string{"owner at the prompt", "owner at the prompt"})
	out, errOut, err = runCLI(t, url, args("kruger-two", "two@krugersafaris.example")...)
	if err != nil || !strings.Contains(errOut, "Password for the owner two@krugersafaris.example: ") {
		t.Fatalf("onboard at a terminal: %v\n%s%s", err, out, errOut)
	}
	if !canSignIn(t, url, "two@krugersafaris.example", "owner at the prompt") {
		t.Fatal("the owner does not sign in with the typed password")
	}

	// Neither: the missing field is named and how to give it is said.
	fakeTerminal(t, "", nil)
	_, errOut, err = runCLI(t, url, args("kruger-three", "three@krugersafaris.example")...)
	if exitCode(err) != 2 || !strings.Contains(errOut, "owner_password:") || !strings.Contains(errOut, "--password-stdin") {
		t.Fatalf("no password: exit %d, stderr %q", exitCode(err), errOut)
	}
	fakeTerminal(t, "x\n", nil)
	_, errOut, err = runCLI(t, url, append(args("kruger-four", "four@krugersafaris.example"), "--password-stdin", "--invite")...)
	if exitCode(err) != 2 || !strings.Contains(errOut, "do not use --invite") {
		t.Fatalf("--password-stdin --invite: exit %d, stderr %q", exitCode(err), errOut)
	}
}

func TestPasswordHelp(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"create-staff", "onboard"} {
		_, errOut, err := runCLI(t, "postgres://unused", cmd, "--help")
		if err != nil || !strings.Contains(errOut, "--password-stdin") || !strings.Contains(errOut, "asked for on the terminal") {
			t.Errorf("%s --help: %v\n%s", cmd, err, errOut)
		}
	}
}
