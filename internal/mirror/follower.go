package mirror

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Change is one committed change to a tenant, as announced by the database.
type Change struct {
	TenantID string
	// CommittedAt is when the change's transaction wrote its audit event,
	// by the database's clock: the start of the lag.
	CommittedAt time.Time
}

// Feed is one dedicated database connection: it holds the writer's lock
// and hears changes. internal/store implements it. Its lock lives as long
// as the connection, so a follower that dies releases it.
type Feed interface {
	// TryLock takes the lock called name if no other connection holds it.
	TryLock(ctx context.Context, name string) (bool, error)
	// Listen starts hearing changes committed from now on.
	Listen(ctx context.Context) error
	// Next waits for the next change. An error means the connection is
	// lost (or ctx ended).
	Next(ctx context.Context) (Change, error)
	Close(ctx context.Context) error
}

// State is what a follower is doing.
type State string

const (
	Connecting State = "connecting" // no connection to the database
	Waiting    State = "waiting"    // connected; another follower writes
	Writing    State = "writing"    // holds the lock and keeps the tree current
	Stopped    State = "stopped"
)

// Follower keeps a Mirror current: at most one follower writes a tree at a
// time, whatever the number of processes running one (docs/design.md §11).
//
// Once it holds the lock it listens, reconciles the whole tree, then
// applies each announced change; it reconciles again every ReconcileEvery
// and after every lost connection, so a missed announcement never leaves
// the tree wrong for long.
type Follower struct {
	Mirror *Mirror
	// Dial opens a Feed on a dedicated connection.
	Dial func(ctx context.Context) (Feed, error)
	// LockName names the writer's lock: followers of one tree share it.
	LockName string
	// ReconcileEvery is the time between full reconciles (default 5 min).
	ReconcileEvery time.Duration
	// Retry is the time between tries for the lock and for a connection
	// (default 1 s): how soon a waiting follower takes over.
	Retry time.Duration
	// Workers is how many tenants' changes are applied at once (default 4).
	Workers int
	Log     *slog.Logger
	Metrics *Metrics
	// Observed, when set, is called for each change applied with the time
	// from its commit to its folder being right (from several goroutines).
	Observed func(c Change, lag time.Duration)

	mu     sync.Mutex
	status Status
}

// Status is a follower's state for the health endpoint.
type Status struct {
	State         State     `json:"state"`
	LastReconcile time.Time `json:"last_reconcile,omitzero"`
	LastError     string    `json:"last_error,omitempty"`
	LastErrorAt   time.Time `json:"last_error_at,omitzero"`
}

// Status returns what the follower is doing now.
func (f *Follower) Status() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

func (f *Follower) setState(s State) {
	f.mu.Lock()
	changed := f.status.State != s
	f.status.State = s
	f.mu.Unlock()
	if changed {
		f.log().Info("mirror: follower "+string(s), slog.String("dir", f.Mirror.Dir))
	}
	f.Metrics.state(s)
}

func (f *Follower) failed(stage string, err error) {
	f.mu.Lock()
	f.status.LastError, f.status.LastErrorAt = stage+": "+err.Error(), time.Now()
	f.mu.Unlock()
	f.log().Warn("mirror: "+stage+" failed", slog.Any("error", err))
	f.Metrics.failed(stage)
}

func (f *Follower) log() *slog.Logger {
	if f.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return f.Log
}

// Run follows until ctx ends; it returns nil then.
func (f *Follower) Run(ctx context.Context) error {
	if f.ReconcileEvery <= 0 {
		f.ReconcileEvery = 5 * time.Minute
	}
	if f.Retry <= 0 {
		f.Retry = time.Second
	}
	if f.Workers <= 0 {
		f.Workers = 4
	}
	if f.LockName == "" {
		f.LockName = "sync-yaml"
	}
	defer f.setState(Stopped)
	for ctx.Err() == nil {
		f.setState(Connecting)
		feed, err := f.Dial(ctx)
		if err != nil {
			if ctx.Err() == nil {
				f.failed("connect", err)
			}
			sleep(ctx, f.Retry)
			continue
		}
		err = f.session(ctx, feed)
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = feed.Close(closeCtx) // the lock goes with the connection
		cancel()
		if err != nil && ctx.Err() == nil {
			f.failed("connection", err)
		}
	}
	return nil
}

// session runs on one connection until it is lost or ctx ends.
func (f *Follower) session(ctx context.Context, feed Feed) error {
	f.setState(Waiting)
	for {
		ok, err := feed.TryLock(ctx, f.LockName)
		if err != nil {
			return err
		}
		if ok {
			break
		}
		if !sleep(ctx, f.Retry) {
			return nil
		}
	}
	// Listening before the reconcile reads anything: a change committed
	// during it is announced, not lost between the two.
	if err := feed.Listen(ctx); err != nil {
		return err
	}
	// Writes stop as soon as the connection (and so the lock) is lost: the
	// follower that takes over must be the only writer.
	sessCtx, cancel := context.WithCancelCause(ctx)
	changes := make(chan Change, 1024)
	listening := make(chan struct{})
	defer func() {
		cancel(nil)
		<-listening // the connection is used by one goroutine at a time
	}()
	go func() {
		defer close(listening)
		defer close(changes)
		for {
			c, err := feed.Next(sessCtx)
			if err != nil {
				cancel(err)
				return
			}
			select {
			case changes <- c:
			case <-sessCtx.Done():
				return
			}
		}
	}()
	f.setState(Writing)
	// A reconcile runs beside the announced changes, which do not wait for
	// it (the Mirror keeps the two from undoing each other): a long one
	// does not hold every change back.
	var reconciles sync.WaitGroup
	defer reconciles.Wait()
	reconciling := make(chan struct{}, 1)
	reconcile := func() {
		select {
		case reconciling <- struct{}{}:
			reconciles.Add(1)
			go func() {
				defer reconciles.Done()
				defer func() { <-reconciling }()
				f.reconcile(sessCtx)
			}()
		default: // one is running; the next tick starts another
		}
	}
	reconcile()
	ticker := time.NewTicker(f.ReconcileEvery)
	defer ticker.Stop()
	for {
		select {
		case <-sessCtx.Done():
			if ctx.Err() != nil {
				return nil
			}
			return context.Cause(sessCtx)
		case <-ticker.C:
			reconcile()
		case c, ok := <-changes:
			if !ok {
				<-sessCtx.Done()
				continue
			}
			f.apply(sessCtx, c, changes)
		}
	}
}

// apply syncs the tenants of first and of every change already waiting,
// each tenant once, several at a time.
func (f *Follower) apply(ctx context.Context, first Change, more <-chan Change) {
	batch := []Change{first}
	byTenant := map[string][]Change{first.TenantID: {first}}
	order := []string{first.TenantID}
drain:
	for len(batch) < cap(more) {
		select {
		case c, ok := <-more:
			if !ok {
				break drain
			}
			batch = append(batch, c)
			if _, seen := byTenant[c.TenantID]; !seen {
				order = append(order, c.TenantID)
			}
			byTenant[c.TenantID] = append(byTenant[c.TenantID], c)
		default:
			break drain
		}
	}
	f.Metrics.heard(len(batch))
	ids := make(chan string)
	var workers sync.WaitGroup
	for range min(f.Workers, len(order)) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for id := range ids {
				f.applyTenant(ctx, id, byTenant[id])
			}
		}()
	}
	for _, id := range order {
		ids <- id
	}
	close(ids)
	workers.Wait()
}

// applyTenant syncs one tenant's folder for the changes cs announced.
func (f *Follower) applyTenant(ctx context.Context, id string, cs []Change) {
	if ctx.Err() != nil {
		return
	}
	a, err := f.Mirror.SyncTenant(ctx, id)
	if err != nil {
		if ctx.Err() == nil {
			f.failed("sync "+id, err)
		}
		return
	}
	f.Metrics.applied(a)
	done := time.Now()
	for _, c := range cs {
		lag := done.Sub(c.CommittedAt)
		f.Metrics.lag(lag)
		if f.Observed != nil {
			f.Observed(c, lag)
		}
	}
}

func (f *Follower) reconcile(ctx context.Context) {
	start := time.Now()
	rep, err := f.Mirror.Reconcile(ctx)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		f.failed("reconcile", err)
		return
	}
	for _, a := range rep.Applied {
		f.Metrics.applied(&a)
	}
	for _, fl := range rep.Failed {
		f.failed("reconcile "+fl.TenantID, errors.New(fl.Error))
	}
	f.mu.Lock()
	f.status.LastReconcile = time.Now()
	f.mu.Unlock()
	f.Metrics.reconciled(time.Since(start))
	f.log().Info("mirror: reconciled", slog.String("dir", rep.Dir), slog.Int("changes", len(rep.Applied)),
		slog.Int("unchanged", rep.Unchanged), slog.Int("failed", len(rep.Failed)),
		slog.Duration("duration", time.Since(start)))
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
