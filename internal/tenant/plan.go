package tenant

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/tenant-console/console/internal/apperr"
)

// PlanInput is the plan-and-quotas form as typed.
type PlanInput struct {
	Plan             string
	MaxUsers         string
	MaxMonthlyQuotes string
	MaxStorageGB     string
	Version          string
}

// PlanFields are the plan form's fields in the order it shows them.
var PlanFields = []string{"plan", "max_users", "max_monthly_quotes", "max_storage_gb"}

// PlanInputFromForm reads a submitted plan form. With defaults set (the
// "use the plan's defaults" button) the quotas are the chosen plan's.
func PlanInputFromForm(v url.Values) PlanInput {
	in := PlanInput{
		Plan: v.Get("plan"), MaxUsers: v.Get("max_users"), MaxMonthlyQuotes: v.Get("max_monthly_quotes"),
		MaxStorageGB: v.Get("max_storage_gb"), Version: v.Get("version"),
	}
	if v.Get("defaults") != "" {
		if p, msg := FieldPlan.Clean(in.Plan); msg == "" {
			q := DefaultQuotas(Plan(p))
			in.MaxUsers, in.MaxMonthlyQuotes, in.MaxStorageGB = strconv.Itoa(q.MaxUsers),
				strconv.Itoa(q.MaxMonthlyQuotes), strconv.Itoa(q.MaxStorageGB)
		}
	}
	return in
}

// PlanInputOf is the form filled with the tenant's plan and quotas.
func PlanInputOf(t Tenant) PlanInput {
	return PlanInput{
		Plan: string(t.Plan), MaxUsers: strconv.Itoa(t.Quotas.MaxUsers),
		MaxMonthlyQuotes: strconv.Itoa(t.Quotas.MaxMonthlyQuotes), MaxStorageGB: strconv.Itoa(t.Quotas.MaxStorageGB),
		Version: strconv.Itoa(t.Version),
	}
}

// Get returns the typed value of the field key.
func (in PlanInput) Get(key string) string {
	switch key {
	case "plan":
		return in.Plan
	case "max_users":
		return in.MaxUsers
	case "max_monthly_quotes":
		return in.MaxMonthlyQuotes
	case "max_storage_gb":
		return in.MaxStorageGB
	}
	return ""
}

func (in PlanInput) clean() (Plan, Quotas, int, error) {
	errs := apperr.NewValidation()
	p := Plan(FieldPlan.Into(errs, "plan", in.Plan))
	// An empty quota is the plan's default, as on the onboarding form.
	n := func(key, raw string, def int) int {
		if strings.TrimSpace(raw) == "" && p != "" {
			return def
		}
		v, _ := strconv.Atoi(FieldQuota.Into(errs, key, raw))
		return v
	}
	d := DefaultQuotas(p)
	q := Quotas{
		MaxUsers:         n("max_users", in.MaxUsers, d.MaxUsers),
		MaxMonthlyQuotes: n("max_monthly_quotes", in.MaxMonthlyQuotes, d.MaxMonthlyQuotes),
		MaxStorageGB:     n("max_storage_gb", in.MaxStorageGB, d.MaxStorageGB),
	}
	version := formVersion(errs, in.Version)
	return p, q, version, errs.OrNil()
}

func planValues(p Plan, q Quotas) map[string]any {
	return map[string]any{
		"plan": string(p), "max_users": q.MaxUsers, "max_monthly_quotes": q.MaxMonthlyQuotes,
		"max_storage_gb": q.MaxStorageGB,
	}
}

// ChangePlan sets a tenant's plan and quotas: platform admins only.
func (s *Service) ChangePlan(ctx context.Context, actor Actor, id string, in PlanInput) (EditResult, error) {
	if !ValidID(id) {
		return EditResult{}, apperr.ErrNotFound
	}
	if !actor.IsPlatformAdmin() {
		if !actor.CanSee(id) {
			return EditResult{}, apperr.ErrNotFound
		}
		return EditResult{}, apperr.ErrForbidden
	}
	plan, quotas, version, err := in.clean()
	if err != nil {
		return EditResult{}, err
	}
	return s.runEdit(ctx, edit{
		actor: actor, tenantID: id, action: ActionPlanUpdated, version: version,
		lock: func(ctx context.Context, tx EditTx) (int, []FieldValue, map[string]any, map[string]any, error) {
			cur, err := tx.LockTenant(ctx, id)
			if err != nil {
				return 0, nil, nil, nil, err
			}
			saved, typed := planValues(cur.Plan, cur.Quotas), planValues(plan, quotas)
			return cur.Version, fieldValues(PlanFields, saved, typed), saved, typed, nil
		},
		save: func(ctx context.Context, tx EditTx, v int) (int, error) {
			return tx.SavePlan(ctx, id, plan, quotas, v, actorName(actor))
		},
	})
}
