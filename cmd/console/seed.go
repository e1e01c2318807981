package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
)

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", "seed --tenants N [--batch N] [--seed N]",
		"Inserts N synthetic tenants (with settings, branding and a prompt) into\n"+
			"DATABASE_URL for load tests and demos. Rows are written with COPY in\n"+
			"batches, each batch one transaction. Existing tenants are left alone.", stderr)
	n := fs.Int("tenants", 0, "how many tenants to insert (required)")
	batch := fs.Int("batch", 5000, "tenants per transaction")
	seed := fs.Uint64("seed", 0, "random seed for names (0: random)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n <= 0 || *batch <= 0 {
		fmt.Fprintln(stderr, "console seed: --tenants must be a positive number, e.g. --tenants 1000")
		return errUsage
	}
	env, err := openStore(ctx, stderr, cliNeeds{})
	if err != nil {
		return err
	}
	defer env.Close()
	start := time.Now()
	st := env.store
	done, err := seedTenants(ctx, st, *n, *batch, *seed, newProgress(stderr, "seeding", *n))
	if err != nil {
		return fmt.Errorf("seed: %d of %d tenants inserted: %w", done, *n, err)
	}
	if err := st.Tidy(ctx); err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(stdout, "Inserted %d tenants in %s (%.0f tenants/s).\n", done, elapsed.Round(time.Millisecond),
		float64(done)/elapsed.Seconds())
	return nil
}

// seedTenants inserts n synthetic tenants in batches and returns how many
// landed; a failed batch leaves the earlier ones in place.
func seedTenants(ctx context.Context, st *store.Store, n, batch int, seed uint64, p *progress) (int, error) {
	gen := demo.NewGenerator(seed, time.Now())
	done := 0
	recs := make([]tenant.Record, 0, batch)
	for done < n {
		if err := ctx.Err(); err != nil {
			return done, errors.New("interrupted")
		}
		recs = recs[:0]
		for i := 0; i < batch && done+i < n; i++ {
			recs = append(recs, gen.Next())
		}
		if err := st.BulkInsert(ctx, recs); err != nil {
			return done, err
		}
		done += len(recs)
		p.update(done, "")
	}
	p.finish()
	return done, nil
}
