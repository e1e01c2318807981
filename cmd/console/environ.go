package main

import (
	"context"
	"os"

	"github.com/caarlos0/env/v11"
)

type environKey struct{}

// withEnviron makes commands run with ctx read their configuration from
// environ (name → value) rather than from the process environment: main
// hands over the process's once, and tests give each run its own, so runs
// of different tests can go side by side.
func withEnviron(ctx context.Context, environ map[string]string) context.Context {
	return context.WithValue(ctx, environKey{}, environ)
}

// environ is the environment commands run with ctx read.
func environ(ctx context.Context) map[string]string {
	if m, ok := ctx.Value(environKey{}).(map[string]string); ok {
		return m
	}
	return env.ToMap(os.Environ())
}
