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

// At a million tenants a term's first sample holds a handful of matches per
// tab. Whatever way its counts take, each tab ends exact or with enough
// sampled matches for ±15%: never a budget's worth of guesses.
func TestCountsAreExactOrSampledEnough(t *testing.T) {
	million := func(hits [3]int) searchSample {
		return searchSample{statuses: []statusSample{
			{status: "active", total: 870_000, buckets: 1, seen: 850, hits: hits[0]},
			{status: "suspended", total: 80_000, buckets: 4, seen: 312, hits: hits[1]},
			{status: "deleted", total: 30_000, buckets: 9, seen: 264, hits: hits[2]},
		}}
	}
	for _, c := range []struct {
		name      string
		sample    searchSample
		exactCost float64
		exactly   bool
	}{
		// 1%: 400 sampled matches per tab would take over 100,000 sampled
		// rows; reading the 10,000 matches is cheaper.
		{"1% of a million", million([3]int{8, 3, 3}), 10_000 * heapCost, true},
		// 10%: a few thousand more sampled rows reach 400 per tab.
		{"10% of a million", million([3]int{85, 31, 26}), 100_000 * heapCost, false},
	} {
		more, exactly := c.sample.further(c.exactCost)
		if exactly != c.exactly {
			t.Errorf("%s: count exactly = %v, want %v", c.name, exactly, c.exactly)
		}
		if exactly {
			continue
		}
		buckets := c.sample.buckets(more)
		for _, st := range c.sample.statuses {
			expected := float64(st.hits) * float64(buckets[st.status]) / float64(st.buckets)
			if expected < minSampleHits && buckets[st.status] < sampleBuckets {
				t.Errorf("%s: %s read in %d buckets, about %.0f sampled matches (want %d)", c.name, st.status,
					buckets[st.status], expected, minSampleHits)
			}
		}
	}
}
