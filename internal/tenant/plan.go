package tenant

import (
	"context"
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
	FormState
}

// PlanFields are the plan form's fields in the order it shows them.
var PlanFields = []string{"plan", "max_users", "max_monthly_quotes", "max_storage_gb"}

// WithPlanDefaults returns in with the chosen plan's default quotas (an
// unknown plan changes nothing): the "use the plan's defaults" button.
func (in PlanInput) WithPlanDefaults() PlanInput {
	if p, msg := FieldPlan.Clean(in.Plan); msg == "" {
		q := DefaultQuotas(Plan(p))
		in.MaxUsers, in.MaxMonthlyQuotes, in.MaxStorageGB = strconv.Itoa(q.MaxUsers),
			strconv.Itoa(q.MaxMonthlyQuotes), strconv.Itoa(q.MaxStorageGB)
	}
	return in
}

// PlanInputOf is the form filled with the tenant's plan and quotas.
func PlanInputOf(t Tenant) PlanInput {
	return PlanInput{
		Plan: string(t.Plan), MaxUsers: strconv.Itoa(t.Quotas.MaxUsers),
		MaxMonthlyQuotes: strconv.Itoa(t.Quotas.MaxMonthlyQuotes), MaxStorageGB: strconv.Itoa(t.Quotas.MaxStorageGB),
		FormState: stateOf(t.Version, planOf(t).values(), PlanFields),
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

// planQuotas is what the plan form edits: a plan and its quotas.
type planQuotas struct {
	Plan   Plan
	Quotas Quotas
}

func planOf(t Tenant) planQuotas { return planQuotas{Plan: t.Plan, Quotas: t.Quotas} }

func (in PlanInput) clean() (planQuotas, int, error) {
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
	version := checkState(errs, in.FormState)
	return planQuotas{Plan: p, Quotas: q}, version, errs.OrNil()
}

func (pq planQuotas) values() map[string]any {
	return map[string]any{
		"plan": string(pq.Plan), "max_users": pq.Quotas.MaxUsers, "max_monthly_quotes": pq.Quotas.MaxMonthlyQuotes,
		"max_storage_gb": pq.Quotas.MaxStorageGB,
	}
}

// planEdit is how a plan form is saved; the plan lives on the tenant row.
var planEdit = editKind[planQuotas]{
	action: ActionPlanUpdated,
	fields: PlanFields,
	rules: map[string]Field{
		"plan": FieldPlan, "max_users": FieldQuota, "max_monthly_quotes": FieldQuota, "max_storage_gb": FieldQuota,
	},
	values: planQuotas.values,
	lock: func(ctx context.Context, tx EditTx, id string) (*planQuotas, int, error) {
		t, err := tx.LockTenant(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		pq := planOf(t)
		return &pq, t.Version, nil
	},
	save: func(ctx context.Context, tx EditTx, id string, pq planQuotas, version int, by string) (int, error) {
		return tx.SavePlan(ctx, id, pq.Plan, pq.Quotas, version, by)
	},
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
	typed, version, err := in.clean()
	if err != nil {
		return EditResult{}, err
	}
	return runEdit(ctx, s, planEdit, actor, id, typed, version, in.Original)
}
