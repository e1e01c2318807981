package store

import "github.com/jackc/pgx/v5/pgxpool"

// Pool exposes the pool to this package's tests for fixtures outside the API.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }
