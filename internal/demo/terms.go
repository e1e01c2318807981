package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/tenant-console/console/internal/tenant"
)

// TermRow is one tenant as the list's search sees it.
type TermRow struct {
	Name   string   // lower-cased
	ID     string   //
	Emails []string // lower-cased: the support e-mail first, then the members'
}

// SearchTerm is a search term picked for its class.
type SearchTerm struct {
	Term string `json:"term"`
	// Field is where the term was taken from: name, id, support or member.
	Field string `json:"field"`
	// Share is the fraction of tenants it matches; Matches how many.
	Share   float64 `json:"share"`
	Matches int     `json:"matches"`
	// Position is the fraction of the name order before its first match.
	Position float64 `json:"position"`
	Class    string  `json:"class"`
}

// Frequency bands (share of tenants) and positions (of the first match in
// name order) a set of terms should cover; a band spans a factor of three
// either side.
var (
	termShares    = []float64{0.0001, 0.001, 0.01, 0.1, 1}
	termPositions = []struct {
		Name     string
		From, To float64
	}{{"early", 0, 0.1}, {"middle", 0.3, 0.7}, {"late", 0.85, 1}}
)

// Matches says whether the term matches the row as the list's search
// does: a term of three or more characters anywhere in a field, a shorter
// one at the start of a field (case-insensitively).
func (r TermRow) Matches(term string) bool {
	term = strings.ToLower(term)
	short := len([]rune(term)) < 3
	has := func(field string) bool {
		if short {
			return strings.HasPrefix(field, term)
		}
		return strings.Contains(field, term)
	}
	if has(r.Name) || has(r.ID) {
		return true
	}
	return slices.ContainsFunc(r.Emails, has)
}

// SearchTerms picks terms from rows (in the list's name order) by class:
// for each frequency band and position of the first match, a term taken
// from a name, an id or an e-mail, when the data has one; then one- and
// two-character terms of each position; then a term of each field not yet
// covered. The same rows and seed give the same terms.
func SearchTerms(rows []TermRow, seed uint64) []SearchTerm {
	if len(rows) == 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
	type cand struct{ term, field string }
	seen := map[string]bool{}
	var cands []cand
	add := func(term, field string) {
		if clean, msg := tenant.FieldSearch.Clean(term); msg != "" || clean != term || seen[term] {
			return
		}
		seen[term] = true
		cands = append(cands, cand{term, field})
	}
	substr := func(s string, n int) string {
		rs := []rune(s)
		if len(rs) <= n {
			return s
		}
		i := r.IntN(len(rs) - n + 1)
		return string(rs[i : i+n])
	}
	// Candidates from tenants all along the name order.
	for i := 0; i < 400; i++ {
		row := rows[(i*len(rows)/400+r.IntN(max(1, len(rows)/400)))%len(rows)]
		fields := []struct{ text, kind string }{{row.Name, "name"}, {row.ID, "id"}}
		for j, e := range row.Emails {
			kind := "member"
			if j == 0 {
				kind = "support"
			}
			fields = append(fields, struct{ text, kind string }{e, kind})
		}
		for _, f := range fields {
			add(substr(f.text, 3+r.IntN(10)), f.kind)
			if rs := []rune(f.text); len(rs) >= 2 {
				add(string(rs[:1]), f.kind)
				add(string(rs[:2]), f.kind)
			}
		}
	}
	// Frequency and first position, on a subsample when rows are many.
	step := max(1, len(rows)/20000)
	type stat struct {
		share, first float64
	}
	stats := make([]stat, len(cands))
	for ci, c := range cands {
		hits, first := 0, -1
		for i := 0; i < len(rows); i += step {
			if rows[i].Matches(c.term) {
				if first < 0 {
					first = i
				}
				hits++
			}
		}
		stats[ci] = stat{float64(hits) / float64((len(rows)+step-1)/step), float64(first) / float64(len(rows))}
	}
	band := func(share float64) int {
		for i, s := range termShares {
			if share >= s/3 && share <= s*3 {
				return i
			}
		}
		return -1
	}
	place := func(pos float64) int {
		for i, p := range termPositions {
			if pos >= p.From && pos < p.To || p.To == 1 && pos >= p.From {
				return i
			}
		}
		return -1
	}
	picked := map[string]bool{}
	var out []SearchTerm
	pick := func(ok func(c cand, st stat) bool, class string) {
		var fits []int
		for ci, c := range cands {
			if !picked[c.term] && stats[ci].share > 0 && ok(c, stats[ci]) {
				fits = append(fits, ci)
			}
		}
		if len(fits) == 0 {
			return
		}
		ci := fits[r.IntN(len(fits))]
		picked[cands[ci].term] = true
		out = append(out, MeasureTerm(rows, cands[ci].term, cands[ci].field, class))
	}
	long := func(c cand) bool { return len([]rune(c.term)) >= 3 }
	for bi, s := range termShares {
		for pi, p := range termPositions {
			pick(func(c cand, st stat) bool {
				return long(c) && band(st.share) == bi && place(st.first) == pi
			}, fmt.Sprintf("%g%% · %s", s*100, p.Name))
		}
	}
	for _, n := range []int{1, 2} {
		for pi, p := range termPositions {
			pick(func(c cand, st stat) bool {
				return len([]rune(c.term)) == n && place(st.first) == pi
			}, fmt.Sprintf("%d letter%s · %s", n, map[bool]string{true: "s"}[n == 2], p.Name))
		}
	}
	for _, field := range []string{"name", "id", "support", "member"} {
		if !slices.ContainsFunc(out, func(t SearchTerm) bool { return t.Field == field && len([]rune(t.Term)) >= 3 }) {
			pick(func(c cand, st stat) bool { return long(c) && c.field == field }, "by "+field)
		}
	}
	return out
}

// MeasureTerm is term with how many of rows (in name order) it matches and
// where the first match lies.
func MeasureTerm(rows []TermRow, term, field, class string) SearchTerm {
	t := SearchTerm{Term: term, Field: field, Class: class, Position: 1}
	for i, row := range rows {
		if row.Matches(term) {
			if t.Matches == 0 {
				t.Position = float64(i) / float64(len(rows))
			}
			t.Matches++
		}
	}
	t.Share = float64(t.Matches) / float64(len(rows))
	return t
}
