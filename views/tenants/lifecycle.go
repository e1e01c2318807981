package tenants

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tenant-console/console/internal/tenant"
)

// selectable reports whether the list offers bulk selection: some bulk
// action fits the current tab and the viewer may ask it.
func selectable(p ListProps) bool { return len(bulkActions(p)) > 0 }

// hasRowActions reports whether the list has an actions column: only for
// people who may ask some lifecycle action.
func hasRowActions(viewer tenant.Actor) bool {
	for _, a := range tenant.LifecycleActions {
		if viewer.MayAsk(a) {
			return true
		}
	}
	return false
}

// bulkActions are the bulk actions the current tab offers: those that can
// apply to its tenants (Restore only on Deleted, Reactivate not on Active…)
// and that the viewer may ask. Delete is never in bulk: it asks for each
// tenant's id typed again.
func bulkActions(p ListProps) []tenant.LifecycleAction {
	var fit []tenant.LifecycleAction
	switch p.Result.Query.Status {
	case tenant.StatusActive:
		fit = []tenant.LifecycleAction{tenant.ActSuspend}
	case tenant.StatusSuspended:
		fit = []tenant.LifecycleAction{tenant.ActReactivate}
	case tenant.StatusDeleted:
		fit = []tenant.LifecycleAction{tenant.ActRestore}
	default:
		fit = []tenant.LifecycleAction{tenant.ActSuspend, tenant.ActReactivate}
	}
	var out []tenant.LifecycleAction
	for _, a := range fit {
		if p.Viewer.MayAsk(a) {
			out = append(out, a)
		}
	}
	return out
}

// RowFor is the default rendering of a list row for viewer.
func RowFor(viewer tenant.Actor, csrf string, q tenant.ListQuery, it tenant.ListItem) RowProps {
	p := ListProps{Viewer: viewer, Result: tenant.ListResult{Query: q}}
	return RowProps{
		Item: it, Offers: viewer.Offers(it.Status), CSRFToken: csrf, Return: ListURL(q),
		Selectable: selectable(p), Actions: hasRowActions(viewer),
		Deleted: q.Status == tenant.StatusDeleted,
	}
}

func rowProps(p ListProps, it tenant.ListItem) RowProps {
	r := RowFor(p.Viewer, p.Chrome.CSRFToken, p.Result.Query, it)
	r.Checked = p.Selected[it.ID]
	return r
}

// lifecycleFormURL is an action's form for one tenant; return is where the
// person goes back to afterwards.
func lifecycleFormURL(id string, a tenant.LifecycleAction, back string) string {
	u := lifecycleURL(id, a)
	if back != "" {
		u += "?" + url.Values{"return": {back}}.Encode()
	}
	return u
}

// consequence says, before an action is confirmed, what it does to the
// tenant's people.
func consequence(a tenant.LifecycleAction) string {
	switch a {
	case tenant.ActSuspend:
		return "Its people cannot sign in until it is reactivated. Nothing is removed."
	case tenant.ActReactivate:
		return "Its people can sign in again."
	case tenant.ActDelete:
		return fmt.Sprintf("Its people lose access at once. It can be restored for %d days; after that it is purged for good.",
			int(tenant.PurgeAfter.Hours()/24))
	case tenant.ActRestore:
		return "It becomes active again, with its settings and people as they were."
	}
	return ""
}

func selectedLabel(n int) string { return fmt.Sprintf("%d selected", n) }

// reasonPlaceholder hints whether the bulk reason may be left empty.
func reasonPlaceholder(actions []tenant.LifecycleAction) string {
	for _, a := range actions {
		if a.ReasonRequired() {
			return "Reason (required to " + strings.ToLower(a.Label()) + ")"
		}
	}
	return "Reason (optional)"
}

// ExportURL is the CSV export of a list state (every page of it).
func ExportURL(q tenant.ListQuery) string {
	q.Page = 1
	return strings.Replace(ListURL(q), "/tenants", "/tenants/export.csv", 1)
}

func bulkOutcomeLabel(o string) string {
	switch o {
	case tenant.BulkDone:
		return "Done"
	case tenant.BulkAlready:
		return "Already in that state"
	case tenant.BulkNotAllowed:
		return "Not allowed"
	}
	return "Failed"
}

func bulkSummary(rs []BulkResultItem) string {
	n := map[string]int{}
	for _, r := range rs {
		n[r.Outcome]++
	}
	return fmt.Sprintf("%d done, %d already in that state, %d not allowed, %d failed.",
		n[tenant.BulkDone], n[tenant.BulkAlready], n[tenant.BulkNotAllowed], n[tenant.BulkFailed])
}
