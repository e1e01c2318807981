package store

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Pool exposes the pool to this package's tests for fixtures outside the API.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// WithExactMatches has searches under ctx count terms exactly only up to n
// estimated matches.
func WithExactMatches(ctx context.Context, n float64) context.Context {
	return context.WithValue(ctx, exactMatchesKey{}, n)
}
