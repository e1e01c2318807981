package main

import (
	"context"
	"errors"
	"maps"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/caarlos0/env/v11"

	"github.com/tenant-console/console/internal/config"
)

// testProcess is what the commands a test runs see of the process around
// them: the process environment with the test's own changes, and the
// terminal the test types on. It is kept per test rather than in the
// process (t.Setenv, a package variable) so that tests run in parallel.
type testProcess struct {
	mu        sync.Mutex
	set       map[string]string
	unset     map[string]bool
	passwords *passwordSource
}

var testProcesses sync.Map // testing.TB → *testProcess

func processOf(t testing.TB) *testProcess {
	p, loaded := testProcesses.LoadOrStore(t, &testProcess{set: map[string]string{}, unset: map[string]bool{}})
	if !loaded {
		t.Cleanup(func() { testProcesses.Delete(t) })
	}
	return p.(*testProcess)
}

// setenv sets name for the commands t runs (runCLI, cliContext,
// startConsole, testConfig), as t.Setenv would for the whole process. A
// subtest starts from the process environment, not from its parent's.
func setenv(t testing.TB, name, value string) {
	p := processOf(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.set[name] = value
	delete(p.unset, name)
}

// unsetenv removes name from what the commands t runs see.
func unsetenv(t testing.TB, name string) {
	p := processOf(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.set, name)
	p.unset[name] = true
}

// testEnviron is the environment t's commands read: the process's with t's
// changes and, when dbURL is not empty, DATABASE_URL=dbURL.
func testEnviron(t testing.TB, dbURL string) map[string]string {
	m := env.ToMap(os.Environ())
	p := processOf(t)
	p.mu.Lock()
	maps.Copy(m, p.set)
	for name := range p.unset {
		delete(m, name)
	}
	p.mu.Unlock()
	if dbURL != "" {
		m["DATABASE_URL"] = dbURL
	}
	return m
}

// cliContext is ctx carrying t's environment (see testEnviron) and, when
// fakeTerminal gave one, its terminal: what run and the commands take.
func cliContext(ctx context.Context, t testing.TB, dbURL string) context.Context {
	ctx = withEnviron(ctx, testEnviron(t, dbURL))
	p := processOf(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.passwords != nil {
		ctx = withPasswordSource(ctx, *p.passwords)
	}
	return ctx
}

// testConfig is the configuration t's commands read.
func testConfig(t testing.TB, dbURL string) config.Config {
	t.Helper()
	cfg, err := config.LoadFrom(testEnviron(t, dbURL))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// fakeTerminal makes the commands t runs read stdin from stdin and — when
// typed is not nil — a terminal on which the person types those lines, one
// per prompt.
func fakeTerminal(t testing.TB, stdin string, typed []string) {
	t.Helper()
	src := passwordSource{
		stdin:    strings.NewReader(stdin),
		terminal: func() bool { return typed != nil },
		readLine: func() ([]byte, error) {
			if len(typed) == 0 {
				return nil, errors.New("nothing more typed")
			}
			line := typed[0]
			typed = typed[1:]
			return []byte(line), nil
		},
	}
	p := processOf(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.passwords = &src
}
