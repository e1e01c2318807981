package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/tenant"
)

// Tenant credentials (tenant_secrets): ciphertext with its key id, or an
// environment reference. Nothing here ever sees a plain-text value except
// RotateSecrets, which hands ciphertext to the keyring and gets ciphertext
// back.

var _ tenant.SecretStore = (*Store)(nil)

type sealedRow struct {
	Name       string    `db:"name"`
	Kind       string    `db:"kind"`
	Ciphertext []byte    `db:"ciphertext"`
	KeyID      *string   `db:"key_id"`
	EnvRef     *string   `db:"env_ref"`
	Hint       string    `db:"hint"`
	UpdatedAt  time.Time `db:"updated_at"`
	UpdatedBy  string    `db:"updated_by"`
}

func (r sealedRow) domain() tenant.SealedSecret {
	return tenant.SealedSecret{Name: r.Name, Kind: r.Kind, Ciphertext: r.Ciphertext, KeyID: deref(r.KeyID),
		EnvRef: deref(r.EnvRef), Hint: r.Hint, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy}
}

// listSealedSecrets returns a tenant's credential rows, ciphertext included.
func listSealedSecrets(ctx context.Context, q querier, id string) ([]tenant.SealedSecret, error) {
	rows, err := q.Query(ctx, `SELECT name, kind, ciphertext, key_id, env_ref, hint, updated_at, updated_by
		FROM tenant_secrets WHERE tenant_id = $1 ORDER BY name`, id)
	if err != nil {
		return nil, mapErr("list secret rows", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByName[sealedRow])
	if err != nil {
		return nil, mapErr("list secret rows", err)
	}
	out := make([]tenant.SealedSecret, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

// upsertSecret inserts or replaces one credential row.
func upsertSecret(ctx context.Context, q querier, tenantID string, s tenant.SealedSecret) error {
	return secretStmt(tenantID, s).exec(ctx, q)
}

// secretStmt is the insert or replacement of one credential row.
func secretStmt(tenantID string, s tenant.SealedSecret) stmt {
	var ciphertext []byte
	if s.Kind == tenant.SecretEncrypted {
		ciphertext = s.Ciphertext
	}
	return stmt{op: "write secret " + s.Name, sql: `
		INSERT INTO tenant_secrets (tenant_id, name, kind, ciphertext, key_id, env_ref, hint, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8)
		ON CONFLICT (tenant_id, name) DO UPDATE SET
			kind = EXCLUDED.kind, ciphertext = EXCLUDED.ciphertext, key_id = EXCLUDED.key_id,
			env_ref = EXCLUDED.env_ref, hint = EXCLUDED.hint, updated_at = now(), updated_by = EXCLUDED.updated_by`,
		args: []any{tenantID, s.Name, s.Kind, ciphertext, nullable(s.KeyID), nullable(s.EnvRef), s.Hint, s.UpdatedBy}}
}

// ReplaceSecret writes a tenant's credential and its audit event (ev.Before
// gets the kind and key id of the row it replaces) in one transaction,
// unless unchanged says the row it locked already holds the value; it
// reports whether it wrote.
func (s *Store) ReplaceSecret(ctx context.Context, tenantID string, sec tenant.SealedSecret, ev tenant.AuditEvent, unchanged func(current tenant.SealedSecret) bool) (bool, error) {
	written := false
	err := s.withTx(ctx, readWrite, func(t *txStore) error {
		tx := t.tx
		written = false // fn runs again after a dead connection
		var owner tenant.Tenant
		err := tx.QueryRow(ctx, `SELECT name, status FROM tenants WHERE id = $1 FOR KEY SHARE`, tenantID).Scan(&owner.Name, &owner.Status)
		if err != nil {
			return mapErr("replace secret: find tenant", err)
		}
		if err := tenant.RefuseDeleted(owner); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT name, kind, ciphertext, key_id, env_ref, hint, updated_at, updated_by
			FROM tenant_secrets WHERE tenant_id = $1 AND name = $2 FOR UPDATE`, tenantID, sec.Name)
		if err != nil {
			return mapErr("replace secret: read", err)
		}
		old, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[sealedRow])
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			ev.Before = map[string]any{sec.Name: nil}
		case err != nil:
			return mapErr("replace secret: read", err)
		case unchanged != nil && unchanged(old.domain()):
			return nil
		default:
			ev.Before = map[string]any{sec.Name: old.domain().AuditValue()}
		}
		if err := upsertSecret(ctx, tx, tenantID, sec); err != nil {
			return err
		}
		written = true
		return insertAudit(ctx, tx, ev)
	})
	return written, err
}

// Resealer opens a value sealed under any key it holds and seals it again
// under its current key; *secrets.Keyring is one.
type Resealer interface {
	CurrentID() string
	Rotate(ciphertext []byte, keyID string, aad []byte) ([]byte, string, error)
}

// Rotation is what RotateSecrets did.
type Rotation struct {
	KeyID     string // the current key every value is now sealed with
	Pending   int    // encrypted rows under another key when the run started
	Rotated   int    // re-sealed under KeyID
	Current   int    // under KeyID when the run ended
	Changed   int    // replaced by someone else while the run went on; left as they are
	Failed    []RotationFailure
	Remaining int // still under another key when the run ended
}

// RotationFailure is a row that could not be re-sealed (its key is not in
// the keyring, or the ciphertext does not open).
type RotationFailure struct {
	TenantID string
	Name     string
	KeyID    string
	Err      error
}

// RotateSecrets re-seals every encrypted credential that is not under the
// keyring's current key. Rows are read in batches of batch; each row is
// re-sealed in its own transaction with an audit event naming the secret
// and both key ids. A row that cannot be opened is reported and skipped.
// progress, when set, gets the number of rows handled and the total.
func (s *Store) RotateSecrets(ctx context.Context, kr Resealer, actor tenant.Actor, batch int, progress func(done, total int)) (Rotation, error) {
	res := Rotation{KeyID: kr.CurrentID()}
	if batch <= 0 {
		batch = 500
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM tenant_secrets
		WHERE kind = 'encrypted' AND key_id <> $1`, res.KeyID).Scan(&res.Pending); err != nil {
		return res, mapErr("rotate secrets: count", err)
	}
	type row struct {
		TenantID   string `db:"tenant_id"`
		Name       string `db:"name"`
		Ciphertext []byte `db:"ciphertext"`
		KeyID      string `db:"key_id"`
	}
	afterTenant, afterName, done := "", "", 0
	for {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("rotate secrets: interrupted after %d rows: %w", done, err)
		}
		rows, err := s.pool.Query(ctx, `SELECT tenant_id, name, ciphertext, key_id FROM tenant_secrets
			WHERE kind = 'encrypted' AND key_id <> $1 AND (tenant_id, name) > ($2, $3)
			ORDER BY tenant_id, name LIMIT $4`, res.KeyID, afterTenant, afterName, batch)
		if err != nil {
			return res, mapErr("rotate secrets: list", err)
		}
		page, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
		if err != nil {
			return res, mapErr("rotate secrets: list", err)
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			afterTenant, afterName = r.TenantID, r.Name
			sealed, newKey, err := kr.Rotate(r.Ciphertext, r.KeyID, secrets.AAD(r.TenantID, r.Name))
			if err != nil {
				res.Failed = append(res.Failed, RotationFailure{TenantID: r.TenantID, Name: r.Name, KeyID: r.KeyID, Err: err})
			} else {
				changed, err := s.resealRow(ctx, actor, r.TenantID, r.Name, r.Ciphertext, r.KeyID, sealed, newKey)
				if err != nil {
					return res, err
				}
				if changed {
					res.Rotated++
				} else {
					res.Changed++
				}
			}
			done++
			if progress != nil {
				progress(done, res.Pending)
			}
		}
	}
	err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE key_id = $1), count(*) FILTER (WHERE key_id <> $1)
		FROM tenant_secrets WHERE kind = 'encrypted'`, res.KeyID).Scan(&res.Current, &res.Remaining)
	return res, mapErr("rotate secrets: count", err)
}

// resealRow swaps one row's ciphertext if it still holds what was read,
// and audits the rotation. It reports false when the row changed meanwhile.
func (s *Store) resealRow(ctx context.Context, actor tenant.Actor, tenantID, name string, oldCT []byte, oldKey string, newCT []byte, newKey string) (bool, error) {
	changed := false
	err := s.withTx(ctx, readWrite, func(t *txStore) error {
		tx := t.tx
		changed = false
		tag, err := tx.Exec(ctx, `UPDATE tenant_secrets SET ciphertext = $5, key_id = $6
			WHERE tenant_id = $1 AND name = $2 AND kind = 'encrypted' AND key_id = $3 AND ciphertext = $4`,
			tenantID, name, oldKey, oldCT, newCT, newKey)
		if err != nil {
			return mapErr("rotate secret "+name+" of "+tenantID, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		changed = true
		ev := tenant.NewAuditEvent(actor, tenantID, tenant.ActionSecretRotated)
		ev.Before = map[string]any{name: map[string]any{"kind": tenant.SecretEncrypted, "key_id": oldKey}}
		ev.After = map[string]any{name: map[string]any{"kind": tenant.SecretEncrypted, "key_id": newKey}}
		return insertAudit(ctx, tx, ev)
	})
	return changed, err
}
