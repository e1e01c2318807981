package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
)

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", "seed --tenants N [--batch N] [--seed N]",
		"Inserts N synthetic tenants (with settings, branding and a prompt) into\n"+
			"DATABASE_URL for load tests and demos. Rows are written with COPY in\n"+
			"batches, each batch one transaction, a few batches at a time.\n"+
			"Existing tenants are left alone.", stderr)
	n := fs.Int("tenants", 0, "how many tenants to insert (required)")
	batch := fs.Int("batch", 5000, "tenants per transaction")
	seed := fs.Uint64("seed", 0, "random seed for names (0: random)")
	workers := fs.Int("workers", 2, "batches written at a time")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n <= 0 {
		fmt.Fprintln(stderr, "console seed: --tenants must be a positive number, e.g. --tenants 1000")
		return errUsage
	}
	if *batch <= 0 || *workers <= 0 {
		fmt.Fprintln(stderr, "console seed: --batch and --workers must be positive numbers (defaults: 5000 and 2)")
		return errUsage
	}
	env, err := openStore(ctx, stderr, cliNeeds{})
	if err != nil {
		return err
	}
	defer env.Close()
	start := time.Now()
	st := env.store
	done, err := seedTenants(ctx, st, *n, *batch, *workers, *seed, newProgress(stderr, "seeding", *n))
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

// seedTenants inserts n synthetic tenants in batches, workers batches at a
// time, and returns how many landed; a failed batch stops the others and
// leaves the batches already written in place. Most of a batch's time is
// the server's index work, so two connections keep both cores of a small
// machine busy while the generator, one batch ahead, keeps the names the
// same for a given seed.
func seedTenants(parent context.Context, st *store.Store, n, batch, workers int, seed uint64, p *progress) (int, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	gen := demo.NewGenerator(seed, time.Now())
	batches := make(chan []tenant.Record)
	var (
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for recs := range batches {
				err := st.BulkInsert(ctx, recs)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				} else if err == nil {
					done += len(recs)
					p.update(done, "")
				}
				mu.Unlock()
			}
		}()
	}
	for queued := 0; queued < n && ctx.Err() == nil; {
		recs := make([]tenant.Record, 0, min(batch, n-queued))
		for len(recs) < cap(recs) {
			recs = append(recs, gen.Next())
		}
		select {
		case batches <- recs:
			queued += len(recs)
		case <-ctx.Done():
		}
	}
	close(batches)
	wg.Wait()
	if parent.Err() != nil {
		return done, errors.New("interrupted")
	}
	if firstErr != nil {
		return done, firstErr
	}
	p.finish()
	return done, nil
}
