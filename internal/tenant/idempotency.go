package tenant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/tenant-console/console/internal/apperr"
)

// Forms that change something carry an idempotency key made when the form
// was rendered (docs/design.md, "Double submits"). A second request with the
// key of one still running waits for it here and then answers with its
// stored result, so a double click shows what the first click did instead
// of racing it through GoTrue. The wait holds no database connection: the
// first request may spend seconds on GoTrue. Across console processes the
// key's claim in the transaction that writes the change keeps the outcome
// single; this gate only spares the second request the race.

// keyGate lets one request per key run at a time in this process.
type keyGate struct {
	mu   sync.Mutex
	keys map[string]*keyTurn
}

// keyTurn is one key's token (a one-slot channel) and how many requests
// hold or wait for it, so the entry goes when the last one leaves.
type keyTurn struct {
	token chan struct{}
	users int
}

// enter waits for key's turn. waited says another request with the key
// was running when this one arrived: its result, once stored, is this
// request's answer too. leave must be called once the request is done.
func (g *keyGate) enter(ctx context.Context, key string) (leave func(), waited bool, err error) {
	g.mu.Lock()
	if g.keys == nil {
		g.keys = map[string]*keyTurn{}
	}
	turn := g.keys[key]
	if turn == nil {
		turn = &keyTurn{token: make(chan struct{}, 1)}
		g.keys[key] = turn
	}
	turn.users++
	waited = turn.users > 1
	g.mu.Unlock()

	release := func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if turn.users--; turn.users == 0 {
			delete(g.keys, key)
		}
	}
	select {
	case turn.token <- struct{}{}:
	case <-ctx.Done():
		release()
		return nil, false, ctx.Err()
	}
	return func() { <-turn.token; release() }, waited, nil
}

// waiting is how many requests hold or wait for key's turn.
func (g *keyGate) waiting(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if turn := g.keys[key]; turn != nil {
		return turn.users
	}
	return 0
}

// requestKey is a form's idempotency key within its scope: the kind of
// request and whose form it was, so a key only ever answers the person
// (and tenant) it was made for. The zero value is no key.
type requestKey struct {
	scope, key string
}

// newRequestKey reads raw as a key in scope. A request without one, or with
// something that is not a key (the CLI, a hand-made request), runs
// unguarded, as every request did before forms carried keys.
func newRequestKey(raw string, scope ...string) requestKey {
	if k, ok := FieldIdempotencyKey.OK(raw); !ok || k == "" || k != raw {
		return requestKey{}
	}
	return requestKey{scope: strings.Join(scope, ":"), key: raw}
}

// ResultStore reads the results stored under idempotency keys.
type ResultStore interface {
	// RequestResult decodes into v the result stored under scope and key,
	// or gives apperr.ErrNotFound when no request with them completed.
	RequestResult(ctx context.Context, scope, key string, v any) error
}

// ResultTx stores a result with the change it describes.
type ResultTx interface {
	// SaveRequestResult stores v under scope and key. A key stored already
	// gives an error matching apperr.ErrConflict; one that a running
	// transaction holds makes this wait for it.
	SaveRequestResult(ctx context.Context, scope, key string, v any) error
}

// once runs fn at most once per key: it waits for the turn of an earlier
// request with the same key, answers with a stored result when there is
// one, and otherwise runs fn, which stores its result with its change
// (saveResult). A twin in another process that stored one first makes fn
// fail with errKeyCompleted, and that result is the answer.
func once[T any](ctx context.Context, gate *keyGate, results ResultStore, k requestKey, fn func() (T, error)) (T, error) {
	var zero T
	if k.key == "" {
		return fn()
	}
	leave, _, err := gate.enter(ctx, k.scope+"\x00"+k.key)
	if err != nil {
		return zero, fmt.Errorf("wait for the same form's earlier submit: %w", err)
	}
	defer leave()
	if res, ok, err := storedResult[T](ctx, results, k); err != nil || ok {
		return res, err
	}
	res, err := fn()
	if errors.Is(err, errKeyCompleted) {
		stored, ok, err := storedResult[T](ctx, results, k)
		if err == nil && !ok {
			err = errors.New("the idempotency key was taken but holds no result")
		}
		return stored, err
	}
	return res, err
}

func storedResult[T any](ctx context.Context, results ResultStore, k requestKey) (T, bool, error) {
	var res T
	err := results.RequestResult(ctx, k.scope, k.key, &res)
	switch {
	case err == nil:
		return res, true, nil
	case errors.Is(err, apperr.ErrNotFound):
		return res, false, nil
	}
	return res, false, fmt.Errorf("read the result of the same form's earlier submit: %w", err)
}

// saveResult stores res under k inside tx (nothing without a key).
func saveResult(ctx context.Context, tx ResultTx, k requestKey, res any) error {
	if k.key == "" {
		return nil
	}
	err := tx.SaveRequestResult(ctx, k.scope, k.key, res)
	if errors.Is(err, apperr.ErrConflict) {
		return errKeyCompleted
	}
	return err
}
