package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// msgNoChanges: a save whose form matched what is saved.
const msgNoChanges = "No changes: the form matched what is saved, so nothing was written."

// origPrefix names the hidden fields an edit form carries the values it was
// read with in ("orig_company_name"), for the three-way merge of a stale form.
const origPrefix = "orig_"

// editForm is one of a tenant's one-row edit forms (settings, branding,
// plan) as its save handler sees it; they all answer alike.
type editForm[In any] struct {
	what   string // "Settings": names it in the notice and on the conflict page
	decode func(url.Values) In
	save   func(ctx context.Context, actor tenant.Actor, id string, in In) (tenant.EditResult, error)
	action func(id string) string // where the form posts
	done   func(id string) string // where a save leads; the conflict page's way back
	// refused shows the form again with the messages beside its fields.
	refused func(c echo.Context, id string, in In, errs *apperr.ValidationError) error
}

// saveEdit handles the POST of an edit form: a saved or unchanged form is
// redirected with what happened (post/redirect/get); a refused one comes
// back with the messages beside its fields (422); a stale one gets the page
// merging it with what was saved meanwhile (409).
func saveEdit[In any](s *server, c echo.Context, f editForm[In]) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest).SetInternal(err)
	}
	ctx, id, in := c.Request().Context(), c.Param("id"), f.decode(form)
	res, err := f.save(ctx, s.actor(c), id, in)
	if err == nil {
		s.Sessions.Put(ctx, sessTenantNotice, savedNotice(f.what, res))
		return c.Redirect(http.StatusSeeOther, f.done(id))
	}
	if stale, ok := tenant.AsStale(err); ok {
		return s.conflictPage(c, id, strings.ToLower(f.what), f.action(id), f.done(id), stale)
	}
	if verr, ok := apperr.AsValidation(err); ok {
		return f.refused(c, id, in, verr)
	}
	return err
}

// formStateOf reads what every edit form carries besides its fields: the
// version, the values it was read with, and which of keys it did not send.
func formStateOf(v url.Values, keys []string) tenant.FormState {
	st := tenant.FormState{Version: v.Get("version")}
	for _, k := range keys {
		if o, ok := v[origPrefix+k]; ok && len(o) > 0 {
			if st.Original == nil {
				st.Original = map[string]string{}
			}
			st.Original[k] = o[0]
		}
		if !v.Has(k) {
			st.Unchosen = append(st.Unchosen, k)
		}
	}
	return st
}

// savedNotice says what a save did.
func savedNotice(what string, res tenant.EditResult) string {
	if len(res.Changed) == 0 {
		return msgNoChanges
	}
	labels := make([]string, len(res.Changed))
	for i, k := range res.Changed {
		labels[i] = tenantviews.EditLabel(k)
	}
	msg := what + " saved: " + strings.Join(labels, ", ") + "."
	if slices.Equal(res.Changed, []string{"plan"}) {
		msg += " The quotas did not change; “Save with the plan's default quotas” sets the new plan's."
	}
	return msg
}

// conflictPage answers a stale form (409) with it merged with what was
// saved meanwhile, for the person to confirm; action re-submits the form,
// back leaves it.
func (s *server) conflictPage(c echo.Context, id, what, action, back string, stale *tenant.StaleError) error {
	d, err := s.Tenants.Get(c.Request().Context(), s.actor(c), id)
	if err != nil {
		return err
	}
	return render(c, http.StatusConflict, tenantviews.ConflictPage(tenantviews.ConflictProps{
		Chrome: s.chrome(c, "Changed meanwhile · "+d.Tenant.Name, "tenants"), Tenant: d.Tenant,
		What: what, Action: action, Back: back, Stale: stale,
	}))
}
