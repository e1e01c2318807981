package tenant

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sort orders of the tenant list.
const (
	SortName        = "name"
	SortNameDesc    = "-name"
	SortCreated     = "created"
	SortCreatedDesc = "-created"
)

// Sorts in the order the list offers them, with their labels.
var Sorts = []struct{ Value, Label string }{
	{SortName, "Name A–Z"},
	{SortNameDesc, "Name Z–A"},
	{SortCreatedDesc, "Newest first"},
	{SortCreated, "Oldest first"},
}

// Page sizes the list offers; the first is the default.
var PageSizes = []int{25, 50, 100}

// ListQuery is the state of the tenant list: what the URL carries.
type ListQuery struct {
	Search string
	// SearchProblem is FieldSearch's message when the typed search cannot
	// be searched for (a NUL byte, invalid UTF-8): the list is then empty
	// and says why, and Search holds what could be shown of it.
	SearchProblem string

	Status  Status // "" means every status except deleted
	Plan    Plan   // "" means every plan
	Sort    string
	Page    int
	PerPage int
	// After and Before are keyset cursors (see Cursor): the page starts
	// after, or ends before, the row they name. Page then only labels it.
	After  string
	Before string
}

// ShortSearch says whether the term is too short for trigrams: such terms
// match the start of the name, id or e-mail address instead of any part.
func (q ListQuery) ShortSearch() bool {
	return q.Search != "" && utf8.RuneCountInString(q.Search) < 3
}

// Normalize replaces anything out of range by its default, so any URL a
// person types gives a sensible list instead of an error.
func (q ListQuery) Normalize() ListQuery {
	// A problem found by an earlier Normalize stays: Search then holds only
	// what could be shown of the refused term.
	if q.SearchProblem == "" {
		if search, msg := FieldSearch.Clean(q.Search); msg != "" {
			// What is shown of it is bounded like an accepted term.
			shown, _ := Strip(q.Search)
			if r := []rune(CleanText(shown)); len(r) > maxSearchLen {
				shown = string(r[:maxSearchLen])
			}
			q.Search, q.SearchProblem = CleanText(shown), msg
		} else {
			q.Search = search
		}
	}
	if q.Status != "" && !q.Status.Valid() {
		q.Status = ""
	}
	if q.Plan != "" && !q.Plan.Valid() {
		q.Plan = ""
	}
	switch q.Sort {
	case SortName, SortNameDesc, SortCreated, SortCreatedDesc:
	default:
		q.Sort = SortName
	}
	if q.Page < 1 {
		q.Page = 1
	}
	// A cursor is meaningful only for the sort it was made in; one that does
	// not decode is dropped rather than shown as an error.
	if _, ok := DecodeCursor(q.After, q.Sort); !ok {
		q.After = ""
	}
	if _, ok := DecodeCursor(q.Before, q.Sort); !ok || q.After != "" {
		q.Before = ""
	}
	valid := false
	for _, n := range PageSizes {
		valid = valid || q.PerPage == n
	}
	if !valid {
		q.PerPage = PageSizes[0]
	}
	return q
}

// Offset is the number of rows before the current page.
func (q ListQuery) Offset() int { return (q.Page - 1) * q.PerPage }

// Cursor is a position in the list: the sort key of a row and its id.
type Cursor struct {
	Key string // lower(name) for name sorts; created_at in Unix microseconds for the others
	ID  string
}

func sortPrefix(sort string) string {
	if sort == SortCreated || sort == SortCreatedDesc {
		return "c"
	}
	return "n"
}

// EncodeCursor makes the URL form of c for the given sort.
func EncodeCursor(sort string, c Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(sortPrefix(sort) + c.Key + "\x00" + c.ID))
}

// DecodeCursor reads a cursor made by EncodeCursor for the same sort.
func DecodeCursor(s, sort string) (Cursor, bool) {
	if s == "" || len(s) > 600 {
		return Cursor{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(b) || len(b) < 3 || string(b[:1]) != sortPrefix(sort) {
		return Cursor{}, false
	}
	key, id, ok := strings.Cut(string(b[1:]), "\x00")
	if !ok || !ValidID(id) {
		return Cursor{}, false
	}
	if sortPrefix(sort) == "c" {
		if _, err := strconv.ParseInt(key, 10, 64); err != nil {
			return Cursor{}, false
		}
	}
	return Cursor{Key: key, ID: id}, true
}

// ListItem is one row of the tenant list.
type ListItem struct {
	ID           string
	Name         string
	ShortName    string
	Status       Status
	Plan         Plan
	SupportEmail string
	CreatedAt    time.Time
	Source       Source
	DeletedAt    *time.Time // when deleted: the purge date is 30 days later
	Version      int        // for the row's lifecycle forms
}

// PurgeDate is when a deleted tenant of the list may be purged.
func (i ListItem) PurgeDate() time.Time {
	return Tenant{DeletedAt: i.DeletedAt}.PurgeDate()
}

// ListResult is one page of the list with the counts its tabs show.
type ListResult struct {
	Query  ListQuery
	Items  []ListItem
	Total  int            // rows matching the query (all pages)
	Counts map[Status]int // per status, for the search and plan filter
	// Estimated: Total and Counts are estimates (a search matching too many
	// tenants to count on every keystroke); the page says "about".
	Estimated bool
	// HasNext says whether a page follows; NextAfter and PrevBefore are the
	// cursors of the links to the next and previous pages.
	HasNext    bool
	NextAfter  string
	PrevBefore string
}

// AllCount is what the "All" tab shows: every status but deleted.
func (r ListResult) AllCount() int {
	return r.Counts[StatusActive] + r.Counts[StatusSuspended]
}

// Pages is the number of pages (at least 1).
func (r ListResult) Pages() int {
	if r.Total == 0 || r.Query.PerPage == 0 {
		return 1
	}
	return (r.Total + r.Query.PerPage - 1) / r.Query.PerPage
}

// First and Last are the 1-based positions of the rows shown.
func (r ListResult) First() int {
	if len(r.Items) == 0 {
		return 0
	}
	return r.Query.Offset() + 1
}

// Last is the position of the last row shown.
func (r ListResult) Last() int { return r.Query.Offset() + len(r.Items) }
