package tenant

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenant-console/console/internal/apperr"
)

// Onboarding (docs/design.md §3), the use case: validate, the owner's sign-in
// account first, then every row of the new tenant in one transaction.

// Onboarding is the onboarding use case.
type Onboarding struct {
	store    Store
	accounts Accounts
	now      func() time.Time
	gate     keyGate
}

// NewOnboarding returns the use case over store and the identity provider.
func NewOnboarding(store Store, accounts Accounts) *Onboarding {
	return &Onboarding{store: store, accounts: accounts, now: time.Now}
}

// Onboard creates a tenant from in, in the order of docs/design.md §3:
//
//  1. validate every field (and that the short name is free);
//  2. get the owner's account: create it, or invite it, or — when the e-mail
//     already has one — link that one, never touching its password;
//  3. in one transaction: tenants, tenant_settings, tenant_branding,
//     tenant_prompts, organization_users, audit_events and the stored
//     result under the idempotency key.
//
// A key already completed returns that result with Replay set, without
// calling GoTrue; concurrent requests with one key create one tenant and all
// return its result, without Replay: the later ones wait for the first
// (in this process before calling GoTrue, across processes at the claim).
//
// Errors: apperr.ErrForbidden for anyone but a platform admin; a
// *apperr.ValidationError keyed by field; apperr.ErrUnavailable when GoTrue
// cannot be reached (nothing written); ErrOnboardNotSaved when the database
// failed (nothing written).
func (o *Onboarding) Onboard(ctx context.Context, actor Actor, in OnboardInput) (OnboardResult, error) {
	if !actor.IsPlatformAdmin() {
		return OnboardResult{}, fmt.Errorf("onboard: %w", apperr.ErrForbidden)
	}
	v, err := in.Validate()
	errs, _ := apperr.AsValidation(err)
	if errs == nil {
		errs = apperr.NewValidation()
	}

	// One request per key at a time (see keyGate): a double click waits
	// for the first click and answers with its result. A retry of a
	// completed request is answered before anything else: by now its short
	// name is taken (by itself) and its owner has an account.
	if !errs.Has("idempotency_key") {
		leave, waited, err := o.gate.enter(ctx, v.IdempotencyKey)
		if err != nil {
			return OnboardResult{}, fmt.Errorf("onboard: wait for the same form's earlier submit: %w", err)
		}
		defer leave()
		if res, ok, err := o.completed(ctx, v.IdempotencyKey); err != nil || ok {
			// Replay only when it was over before this request came: the
			// one it waited for is this request's own first click.
			res.Replay = ok && !waited
			return res, err
		}
	}

	if v.ShortName != "" && !errs.Has("short_name") {
		owner, err := o.store.ShortNameOwner(ctx, v.ShortName)
		switch {
		case err == nil:
			// The tenant holding it may be this very request's, committed
			// by a twin submit since the check above: then it is a replay.
			if res, ok, err := o.completed(ctx, v.IdempotencyKey); err != nil || ok {
				return res, err
			}
			errs.Add("short_name", shortNameTaken(v, owner))
		case !errors.Is(err, apperr.ErrNotFound):
			return OnboardResult{}, fmt.Errorf("onboard: %w: %w", ErrOnboardNotSaved, err)
		}
	}
	if err := errs.OrNil(); err != nil {
		return OnboardResult{}, err
	}

	acct, outcome, err := EnsureAccount(ctx, o.accounts, v.OwnerEmail, v.OwnerPassword, v.OwnerName)
	if err != nil {
		if errors.Is(err, ErrAccountRejected) {
			errs.Add("owner_email", msgRejectedEmail)
			return OnboardResult{}, errs
		}
		var weak *PasswordRejectedError
		if errors.As(err, &weak) {
			errs.Add("owner_password", weak.Reason)
			return OnboardResult{}, errs
		}
		// Unavailability keeps matching apperr.ErrUnavailable.
		return OnboardResult{}, fmt.Errorf("onboard: owner account: %w", err)
	}

	rec, member, res := v.build(NewID(), actor, acct, outcome, o.now().UTC().Truncate(time.Microsecond))
	err = o.store.InTx(ctx, func(tx Tx) error {
		// Claimed first: a concurrent request with the same key waits here
		// until this transaction ends, then finds the key taken.
		if err := tx.SaveOnboardingResult(ctx, v.IdempotencyKey, res); err != nil {
			if errors.Is(err, apperr.ErrConflict) {
				return errKeyCompleted
			}
			return err
		}
		if err := tx.InsertRecord(ctx, rec); err != nil {
			return err
		}
		if err := tx.InsertMember(ctx, member, actor.Email); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, auditCreated(actor, rec, member, outcome))
	})
	switch {
	case err == nil:
		return res, nil
	case errors.Is(err, errKeyCompleted):
		res, ok, err := o.completed(ctx, v.IdempotencyKey)
		if err == nil && !ok {
			err = fmt.Errorf("onboard: %w: the idempotency key was taken but holds no result", ErrOnboardNotSaved)
		}
		return res, err
	case errors.Is(err, ErrShortNameTaken):
		// A concurrent request won the short name between the check and
		// the insert.
		owner, lookupErr := o.store.ShortNameOwner(ctx, v.ShortName)
		if lookupErr != nil {
			owner = "another tenant"
		}
		errs.Add("short_name", shortNameTaken(v, owner))
		return OnboardResult{}, errs
	}
	if r, ok := apperr.AsRefused(err); ok {
		// The rules let through a value the database refused (nothing was
		// written): the message goes beside the field that holds it.
		if key := onboardColumnKeys[r.Field]; key != "" {
			errs.Add(key, RefusalMessage(r.Field))
			return OnboardResult{}, errs
		}
	}
	return OnboardResult{}, fmt.Errorf("onboard: %w: %w", ErrOnboardNotSaved, err)
}

// onboardColumnKeys maps each column onboarding writes from the form to the
// form field whose value it holds, for a refusal by the database.
var onboardColumnKeys = map[string]string{
	"tenants.name": "name", "tenant_settings.company_name": "name", "tenants.short_name": "short_name",
	"tenant_settings.support_email": "support_email", "tenant_settings.support_phone": "support_phone",
	"tenant_settings.website": "website", "tenant_settings.currency": "currency",
	"tenant_settings.timezone": "timezone", "tenant_branding.preset_theme": "preset_theme",
	"tenant_branding.logo_url": "logo_url", "tenant_branding.color_primary": "color_primary",
	"tenant_branding.color_secondary": "color_secondary", "tenant_branding.color_accent": "color_accent",
	"tenant_settings.email_from_name": "email_from_name", "tenant_settings.email_from_email": "email_from_email",
	"tenants.plan": "plan", "tenants.max_users": "max_users", "tenants.max_monthly_quotes": "max_monthly_quotes",
	"tenants.max_storage_gb": "max_storage_gb", "organization_users.email": "owner_email",
	"organization_users.display_name": "owner_name", "onboarding_requests.key": "idempotency_key",
}

// Result returns the result of a completed onboarding by its idempotency
// key, for a result page reached by a redirect (post/redirect/get); Replay
// is false. A key that never completed gives apperr.ErrNotFound.
func (o *Onboarding) Result(ctx context.Context, actor Actor, key string) (OnboardResult, error) {
	if !actor.IsPlatformAdmin() {
		return OnboardResult{}, fmt.Errorf("onboarding result: %w", apperr.ErrForbidden)
	}
	if k, ok := FieldIdempotencyKey.OK(key); !ok || k == "" || k != key {
		return OnboardResult{}, fmt.Errorf("onboarding result: %w", apperr.ErrNotFound)
	}
	res, err := o.store.OnboardingResult(ctx, key)
	if err != nil {
		return OnboardResult{}, fmt.Errorf("onboarding result: %w", err)
	}
	return res, nil
}

// completed returns the stored result of a completed request with key;
// the caller says whether it is a replay.
func (o *Onboarding) completed(ctx context.Context, key string) (OnboardResult, bool, error) {
	res, err := o.store.OnboardingResult(ctx, key)
	switch {
	case err == nil:
		return res, true, nil
	case errors.Is(err, apperr.ErrNotFound):
		return OnboardResult{}, false, nil
	}
	return OnboardResult{}, false, fmt.Errorf("onboard: %w: %w", ErrOnboardNotSaved, err)
}

func shortNameTaken(v OnboardValues, owner string) string {
	if v.ShortNameDerived {
		return "The short name made from the name, " + v.ShortName + ", is taken by " + owner + ". Enter another short name."
	}
	return "This short name is taken by " + owner + "."
}
