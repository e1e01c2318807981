package devgotrue_test

import (
	"context"
	"log"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/auth/gotrue"
)

// How the console runs without Supabase: start the dev server on its own
// database pool and point the GoTrue adapter at it.
func ExampleServer_Start() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://postgres@127.0.0.1:5432/console")
	if err != nil {
		log.Fatal(err)
	}
	srv, err := devgotrue.New(ctx, pool, devgotrue.Options{Logger: slog.Default(), Autoconfirm: true})
	if err != nil {
		log.Fatal(err)
	}
	url, stop, err := srv.Start(ctx, "127.0.0.1:9999")
	if err != nil {
		log.Fatal(err)
	}
	defer stop(context.Background())

	auth := gotrue.New(gotrue.Config{URL: url, AnonKey: srv.AnonKey(), ServiceRoleKey: srv.ServiceRoleKey()})
	_ = auth // hand it to the sign-in handlers
}
