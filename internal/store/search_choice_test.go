package store

import "testing"

// A budgeted walk of the name order stops at a stretch it cannot afford;
// it always reads the first one, and needs no bound when it affords all.
func TestNameBound(t *testing.T) {
	asc := []walkGroup{{key: searchSep + "ab", rows: 100}, {key: searchSep + "ma", rows: 300}, {key: searchSep + "zz", rows: 50}}
	desc := []walkGroup{asc[2], asc[1], asc[0]}
	for _, c := range []struct {
		name   string
		groups []walkGroup
		budget float64
		desc   bool
		bound  string
		ok     bool
	}{
		{"ascending, stops before the stretch past the budget", asc, 250, false, "ma", true},
		{"ascending, the first stretch even over budget", asc, 10, false, "ma", true},
		{"ascending, every stretch afforded", asc, 1000, false, "", false},
		{"descending, names from the last stretch afforded", desc, 100, true, "zz", true},
		{"descending, two stretches afforded", desc, 360, true, "ma", true},
		{"descending, every stretch afforded", desc, 450, true, "", false},
	} {
		bound, ok := nameBound(c.groups, c.budget, c.desc)
		if bound != c.bound || ok != c.ok {
			t.Errorf("%s: got %q, %v; want %q, %v", c.name, bound, ok, c.bound, c.ok)
		}
	}
}
