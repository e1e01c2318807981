package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tenant-console/console/internal/apperr"
)

// Results of requests sent with an idempotency key (request_results).

// RequestResult decodes into v the result stored under scope and key;
// apperr.ErrNotFound when no request with them completed.
func (s *Store) RequestResult(ctx context.Context, scope, key string, v any) error {
	var raw []byte
	err := s.pool.QueryRow(ctx, `SELECT result FROM request_results WHERE scope = $1 AND key = $2`, scope, key).Scan(&raw)
	if err != nil {
		return mapErr("request result", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("request result: decode: %w", err)
	}
	return nil
}

// SaveRequestResult stores v under scope and key with the change it
// describes. A key stored already (by a committed twin) gives
// apperr.ErrConflict; one a running transaction holds makes this wait for
// it. Results older than a day, past any form's use, go at the same time.
func (t *txStore) SaveRequestResult(ctx context.Context, scope, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("save request result: encode: %w", err)
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM request_results WHERE created_at < now() - interval '1 day'`); err != nil {
		return mapErr("save request result: forget old ones", err)
	}
	tag, err := t.tx.Exec(ctx, `INSERT INTO request_results (scope, key, result) VALUES ($1, $2, $3)
		ON CONFLICT (scope, key) DO NOTHING`, scope, key, raw)
	if err != nil {
		return mapErr("save request result", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("save request result: key already used: %w", apperr.ErrConflict)
	}
	return nil
}
