package tenants

import (
	"fmt"
	"strings"

	"github.com/tenant-console/console/internal/tenant"
)

// selectable reports whether the list offers bulk selection and row
// actions: only to people who may ask some lifecycle action.
func selectable(p ListProps) bool {
	return p.Viewer.MayAsk(tenant.ActSuspend) || p.Viewer.MayAsk(tenant.ActReactivate)
}

// RowFor is the default rendering of a list row for viewer.
func RowFor(viewer tenant.Actor, csrf string, q tenant.ListQuery, it tenant.ListItem) RowProps {
	return RowProps{
		Item: it, Offers: viewer.Offers(it.Status), CSRFToken: csrf, Return: ListURL(q),
		Selectable: viewer.MayAsk(tenant.ActSuspend) || viewer.MayAsk(tenant.ActReactivate),
		Deleted:    q.Status == tenant.StatusDeleted,
	}
}

func rowProps(p ListProps, it tenant.ListItem) RowProps {
	if r, ok := p.Rows[it.ID]; ok {
		return r
	}
	return RowFor(p.Viewer, p.Chrome.CSRFToken, p.Result.Query, it)
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
