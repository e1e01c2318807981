package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/devdb"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
)

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("dev", "dev",
		"Runs the console for development (what `make run` does):\n"+
			"  1. makes sure the database exists: creates it on the server at\n"+
			"     DATABASE_URL, or starts a project-local PostgreSQL under .data/\n"+
			"     when no server answers and PostgreSQL is installed;\n"+
			"  2. applies migrations;\n"+
			"  3. seeds a few dozen demo tenants when the registry is empty;\n"+
			"  4. makes sure the demo people exist (a platform admin, a support\n"+
			"     user, a tenant owner) and prints how they sign in;\n"+
			"  5. serves on LISTEN_ADDR (default http://127.0.0.1:8080), with the\n"+
			"     embedded development auth server unless GOTRUE_URL is set.", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, log, err := loadConfig(ctx, stderr)
	if err != nil {
		return err
	}
	if err := cfg.ChooseDev(); err != nil {
		return err
	}
	url, err := devdb.Ensure(ctx, cfg.DatabaseURL, cfg.DataDir+"/postgres", log)
	if err != nil {
		return err
	}
	cfg.DatabaseURL = url
	pool, err := openPool(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := store.Migrate(ctx, pool, log); err != nil {
		return err
	}
	st := store.New(pool)
	n, err := st.CountTenants(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		agencies := demo.Agencies(time.Now())
		if err := st.BulkInsert(ctx, agencies); err != nil {
			return fmt.Errorf("seed demo tenants: %w", err)
		}
		log.Info("seeded demo tenants", "count", len(agencies))
	}
	auths, err := openAuthServer(ctx, cfg, log, pool)
	if err != nil {
		return err
	}
	defer auths.stop()
	people, err := ensureDemoPeople(ctx, st, auths.client, log)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, log, pool, auths, func(addr string) {
		var b strings.Builder
		fmt.Fprintf(&b, "\nTenant Console is running on http://%s  (Ctrl-C stops it)\n\nSign in as:\n", addr)
		for _, p := range people {
			fmt.Fprintf(&b, "  %-16s %-26s password: %s\n", p.label, p.email, p.password)
		}
		if auths.mail != nil {
			fmt.Fprintf(&b, "\nE-mails (invitations, password links) are kept at http://%s/dev/mail\n", addr)
		}
		fmt.Fprintln(stdout, b.String())
	})
}

// demoPerson is one account `make run` prepares.
type demoPerson struct {
	label, email, password string
	staff                  tenant.Role
	owns                   []string // tenant ids
}

var demoPeople = []demoPerson{
	{"platform admin", "admin@console.example", "admin-demo-password", tenant.RolePlatformAdmin, nil},
	{"support", "support@console.example", "support-demo-password", tenant.RoleSupport, nil},
	{"tenant owner", "owner@africastay.com", "owner-demo-password", "", []string{"africastay", "tn_1f3a9c0b_k3xq"}},
}

// ensureDemoPeople makes the demo accounts and their roles; accounts that
// already exist keep their passwords (so the printed one may be stale if
// someone changed it). The demo owner owns those of its tenants the registry
// has (a registry filled by import-yaml may lack the demo agencies); with none
// of them it is left out.
func ensureDemoPeople(ctx context.Context, st *store.Store, gt *gotrue.Client, log *slog.Logger) ([]demoPerson, error) {
	accounts := auth.Accounts{Client: gt}
	actor := tenant.System("cli:dev")
	var ready []demoPerson
	for _, p := range demoPeople {
		if len(p.owns) > 0 {
			existing, err := st.ListTenants(ctx, tenant.ListQuery{}.Normalize(), tenant.OnlyTenants(p.owns...))
			if err != nil {
				return nil, err
			}
			p.owns = p.owns[:0:0]
			for _, it := range existing.Items {
				p.owns = append(p.owns, it.ID)
			}
			if len(p.owns) == 0 {
				continue
			}
		}
		acct, _, err := tenant.EnsureAccount(ctx, accounts, p.email, p.password, "")
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", p.email, err)
		}
		if p.staff != "" {
			in := tenant.StaffInput{Email: p.email, Role: string(p.staff), Password: p.password, PasswordRequired: true}
			if _, err := tenant.NewStaffService(st, accounts).Ensure(ctx, actor, in); err != nil {
				return nil, fmt.Errorf("demo staff %s: %w", p.email, err)
			}
		}
		access, err := st.LoadAccess(ctx, acct.ID)
		if err != nil {
			return nil, err
		}
		for _, tenantID := range p.owns {
			if _, member := (tenant.Actor{Memberships: access.Memberships}).Membership(tenantID); member {
				continue
			}
			err := st.InTx(ctx, func(tx tenant.Tx) error {
				m := tenant.Member{TenantID: tenantID, UserID: acct.ID, Email: p.email, Role: tenant.MemberOwner}
				if err := tx.InsertMember(ctx, m, actor.Email); err != nil {
					return err
				}
				ev := tenant.NewAuditEvent(actor, tenantID, tenant.ActionMemberAdded)
				ev.After = map[string]any{"email": p.email, "role": string(tenant.MemberOwner)}
				return tx.InsertAudit(ctx, ev)
			})
			if err != nil {
				return nil, fmt.Errorf("demo owner of %s: %w", tenantID, err)
			}
		}
		ready = append(ready, p)
	}
	log.Info("demo people ready", "count", len(ready))
	return ready, nil
}
