package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/views/components"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// sessBulkSummary carries a bulk action's per-tenant outcome to the list
// page it redirects to (without JavaScript).
const sessBulkSummary = "bulk_summary"

// listQueryFromForm reads the list state a row or bulk form carries along
// (htmx includes the filter form), so the answer can recount the tabs.
func listQueryFromForm(c echo.Context) tenant.ListQuery {
	page, _ := strconv.Atoi(c.FormValue("page"))
	perPage, _ := strconv.Atoi(c.FormValue("per_page"))
	return tenant.ListQuery{
		Search: c.FormValue("q"), Status: tenant.Status(c.FormValue("status")),
		Plan: tenant.Plan(c.FormValue("plan")), Sort: c.FormValue("sort"), Page: page, PerPage: perPage,
	}.Normalize()
}

// listItemOf is a tenant page's data as a list row.
func listItemOf(d tenant.Detail) tenant.ListItem {
	t := d.Tenant
	it := tenant.ListItem{ID: t.ID, Name: t.Name, ShortName: t.ShortName, Status: t.Status, Plan: t.Plan,
		CreatedAt: t.CreatedAt, Source: t.Source, DeletedAt: t.DeletedAt, Version: t.Version}
	if d.Settings != nil {
		it.SupportEmail = d.Settings.SupportEmail
	}
	return it
}

// tenantLifecycle is POST /tenants/:id/lifecycle/:action: suspend,
// reactivate, delete or restore one tenant. From a list row (htmx) the row
// comes back in place with the status tabs recounted; a plain form is
// redirected (post/redirect/get). A wrong field is 422 and a refusal 409,
// both with the form and what was typed.
func (s *server) tenantLifecycle(c echo.Context) error {
	ctx := c.Request().Context()
	actor := s.actor(c)
	id, action := c.Param("id"), tenant.LifecycleAction(c.Param("action"))
	version, _ := strconv.Atoi(c.FormValue("version"))
	req := tenant.LifecycleRequest{TenantID: id, Action: action, Version: version,
		Reason: c.FormValue("reason"), ConfirmID: c.FormValue("confirm_id")}
	inRow := htmxOf(c).wantsFragment()
	back := localPath(c.FormValue("return"))
	if back == "" {
		back = "/tenants/" + url.PathEscape(id)
	}

	t, err := s.Tenants.Lifecycle(ctx, actor, req)
	status := http.StatusOK
	form := tenantviews.LifecycleForm{TenantID: id, Action: action, Version: version, CSRFToken: csrfToken(c),
		Return: back, InRow: inRow, Reason: req.Reason, ConfirmID: req.ConfirmID}
	if verr, ok := apperr.AsValidation(err); ok {
		status, form.Errors = errStatus(err), verr.Fields
	} else if tenant.RefusalCode(err) != "" {
		status, form.Message, form.Version = errStatus(err), apperr.MessageOf(err), t.Version
	} else if err != nil {
		return err
	}

	notice := ""
	if status == http.StatusOK {
		notice = lifecycleNotice(t.Name, action)
		if !inRow {
			s.Sessions.Put(ctx, sessTenantNotice, notice)
			return c.Redirect(http.StatusSeeOther, back)
		}
	}
	d, err := s.Tenants.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	form.TenantName = d.Tenant.Name
	if !inRow {
		return render(c, status, tenantviews.LifecyclePage(tenantviews.LifecyclePageProps{
			Chrome: s.chrome(c, action.Label()+" "+d.Tenant.Name, "tenants"), Form: form}))
	}

	q := listQueryFromForm(c)
	row := tenantviews.RowFor(actor, csrfToken(c), q, listItemOf(d))
	row.Notice = notice
	// A wrong field, or a stale form whose action still applies, goes back
	// into the dialog it came from; a refusal that leaves nothing to ask
	// (someone else already did it) shows on the refreshed row.
	stillOffered := status == http.StatusConflict && containsAction(row.Offers, action)
	if status == http.StatusUnprocessableEntity || stillOffered {
		form.Version, form.InDialog = d.Tenant.Version, true
		c.Response().Header().Set("HX-Retarget", "#action-dialog-body")
		c.Response().Header().Set("HX-Reswap", "innerHTML")
		return render(c, status, tenantviews.LifecycleDialog(tenantviews.LifecyclePageProps{Form: form}))
	}
	if status == http.StatusConflict {
		row.Warning = form.Message
	}
	if status == http.StatusOK {
		setToast(c, "success", notice)
	}
	list, err := s.Tenants.List(ctx, actor, q)
	if err != nil {
		return err
	}
	return render(c, status, tenantviews.RowAnswer(row, s.listProps(c, actor, list)))
}

// tenantLifecycleForm is GET /tenants/:id/lifecycle/:action: the action's
// form. The list's actions menu loads it into its confirmation dialog
// (htmx); without JavaScript the menu's link opens it as a page.
func (s *server) tenantLifecycleForm(c echo.Context) error {
	ctx := c.Request().Context()
	actor := s.actor(c)
	id, action := c.Param("id"), tenant.LifecycleAction(c.Param("action"))
	if !action.Valid() {
		return echo.ErrNotFound
	}
	if !actor.MayAsk(action) {
		return echo.ErrForbidden
	}
	d, err := s.Tenants.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	back := localPath(c.QueryParam("return"))
	if back == "" {
		back = "/tenants/" + url.PathEscape(id)
	}
	inDialog := htmxOf(c).wantsFragment()
	p := tenantviews.LifecyclePageProps{
		Chrome: s.chrome(c, action.Label()+" "+d.Tenant.Name, "tenants"),
		Form: tenantviews.LifecycleForm{TenantID: id, TenantName: d.Tenant.Name, Action: action, Version: d.Tenant.Version,
			CSRFToken: csrfToken(c), Return: back, InRow: inDialog, InDialog: inDialog},
	}
	if !containsAction(actor.Offers(d.Tenant.Status), action) {
		p.Unavailable = d.Tenant.Name + " is " + strings.ToLower(components.StatusLabel(d.Tenant.Status)) +
			" now, so it cannot be asked to " + strings.ToLower(action.Label()) + "."
	}
	return renderPageOrFragment(c, http.StatusOK, tenantviews.LifecyclePage(p), tenantviews.LifecycleDialog(p))
}

// lifecycleNotice says what an action did, in the words a person would use.
func lifecycleNotice(name string, a tenant.LifecycleAction) string {
	switch a {
	case tenant.ActSuspend:
		return name + " is suspended."
	case tenant.ActReactivate:
		return name + " is active again."
	case tenant.ActDelete:
		return name + " is deleted. It can be restored until it is purged."
	case tenant.ActRestore:
		return name + " is restored."
	}
	return name + " is changed."
}

func containsAction(list []tenant.LifecycleAction, a tenant.LifecycleAction) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

func (s *server) listProps(c echo.Context, actor tenant.Actor, res tenant.ListResult) tenantviews.ListProps {
	return tenantviews.ListProps{
		Chrome:     s.chrome(c, "Tenants", "tenants"),
		Result:     res,
		CanOnboard: actor.IsPlatformAdmin(),
		Viewer:     actor,
	}
}

// tenantBulk is POST /tenants/bulk: one action and reason for the ticked
// rows, one transaction per tenant. htmx gets the results back with a
// per-tenant summary; a plain form is redirected to the list with it.
func (s *server) tenantBulk(c echo.Context) error {
	ctx := c.Request().Context()
	actor := s.actor(c)
	params, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	action := tenant.LifecycleAction(c.FormValue("action"))
	results, err := s.Tenants.Bulk(ctx, actor, action, params["ids"], c.FormValue("reason"))
	q := listQueryFromForm(c)
	back := localPath(c.FormValue("return"))
	if back == "" {
		back = tenantviews.ListURL(q)
	}
	status := http.StatusOK
	verr, invalid := apperr.AsValidation(err)
	if invalid {
		status = http.StatusUnprocessableEntity
	} else if err != nil {
		return err
	}
	items := make([]tenantviews.BulkResultItem, len(results))
	for i, r := range results {
		items[i] = tenantviews.BulkResultItem{Outcome: r.Outcome, Message: r.Message}
		if r.Err != nil {
			s.log.ErrorContext(ctx, "bulk action failed for a tenant", slog.String("tenant", r.TenantID), slog.Any("error", r.Err))
		}
	}
	if !invalid && !htmxOf(c).wantsFragment() {
		b, _ := json.Marshal(items)
		s.Sessions.Put(ctx, sessBulkSummary, string(b))
		return c.Redirect(http.StatusSeeOther, back)
	}
	res, err := s.Tenants.List(ctx, actor, q)
	if err != nil {
		return err
	}
	props := s.listProps(c, actor, res)
	props.BulkResults = items
	if invalid {
		props.BulkErrors, props.BulkReason = verr.Fields, c.FormValue("reason")
		// The ticks stay: the person fixes the reason, not the selection.
		props.Selected = map[string]bool{}
		for _, id := range params["ids"] {
			props.Selected[id] = true
		}
	}
	var page, fragment templ.Component = tenantviews.ListPage(props), tenantviews.ListFragment(props)
	return renderPageOrFragment(c, status, page, fragment)
}

// popBulkSummary takes the summary a bulk redirect left for the list page.
func (s *server) popBulkSummary(c echo.Context) []tenantviews.BulkResultItem {
	raw := s.Sessions.PopString(c.Request().Context(), sessBulkSummary)
	if raw == "" {
		return nil
	}
	var items []tenantviews.BulkResultItem
	_ = json.Unmarshal([]byte(raw), &items)
	return items
}
