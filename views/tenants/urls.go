// Package tenants holds the tenant list and tenant pages.
package tenants

import (
	"net/url"
	"strconv"

	"github.com/a-h/templ"

	"github.com/tenant-console/console/internal/tenant"
)

// ListURL is the shareable URL of a list state; defaults are left out so
// URLs stay short.
func ListURL(q tenant.ListQuery) string {
	v := url.Values{}
	if q.Search != "" {
		v.Set("q", q.Search)
	}
	if q.Status != "" {
		v.Set("status", string(q.Status))
	}
	if q.Plan != "" {
		v.Set("plan", string(q.Plan))
	}
	if q.Sort != "" && q.Sort != tenant.SortName {
		v.Set("sort", q.Sort)
	}
	if q.PerPage != 0 && q.PerPage != tenant.PageSizes[0] {
		v.Set("per_page", strconv.Itoa(q.PerPage))
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
		if q.After != "" {
			v.Set("after", q.After)
		} else if q.Before != "" {
			v.Set("before", q.Before)
		}
	}
	if len(v) == 0 {
		return "/tenants"
	}
	return "/tenants?" + v.Encode()
}

func withStatus(q tenant.ListQuery, s tenant.Status) string {
	q.Status, q.Page, q.After, q.Before = s, 1, "", ""
	return ListURL(q)
}

func withPage(q tenant.ListQuery, page int) string {
	q.Page, q.After, q.Before = page, "", ""
	return ListURL(q)
}

// nextPage and prevPage link to the neighbouring pages by cursor (keyset),
// so a deep page costs what the first does; the page number only labels it.
func nextPage(r tenant.ListResult) string {
	q := r.Query
	q.Page, q.After, q.Before = q.Page+1, r.NextAfter, ""
	return ListURL(q)
}

func prevPage(r tenant.ListResult) string {
	q := r.Query
	q.Page, q.After, q.Before = q.Page-1, "", r.PrevBefore
	if q.Page <= 1 || q.Before == "" {
		q.Page, q.Before = max(q.Page, 1), ""
	}
	return ListURL(q)
}

func withoutSearch(q tenant.ListQuery) string {
	q.Search, q.Page, q.After, q.Before = "", 1, "", ""
	return ListURL(q)
}

// count shows a count of the list, as an estimate when it is one.
func count(r tenant.ListResult, n int) string {
	if r.Estimated {
		return "about " + thousands(n)
	}
	return thousands(n)
}

func withoutFilters(q tenant.ListQuery) string {
	return ListURL(tenant.ListQuery{Sort: q.Sort, PerPage: q.PerPage})
}

func tenantURL(id string) templ.SafeURL {
	return templ.SafeURL("/tenants/" + url.PathEscape(id))
}

func safe(u string) templ.SafeURL { return templ.SafeURL(u) }

func itoa(n int) string { return strconv.Itoa(n) }

// thousands formats 12345 as "12,345".
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
