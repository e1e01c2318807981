package tenant

import "testing"

// The three-way merge of one field: the value read with is the base.
func TestFieldResolution(t *testing.T) {
	for _, c := range []struct {
		name string
		f    FieldValue
		want Resolution
	}{
		{"nobody changed it", FieldValue{Original: "a", HasOriginal: true, Saved: "a", Yours: "a"}, ResolveSame},
		{"only they changed it", FieldValue{Original: "a", HasOriginal: true, Saved: "b", Yours: "a"}, ResolveTheirs},
		{"only you changed it", FieldValue{Original: "a", HasOriginal: true, Saved: "a", Yours: "c"}, ResolveYours},
		{"both, to the same value", FieldValue{Original: "a", HasOriginal: true, Saved: "b", Yours: "b"}, ResolveSame},
		{"both, differently", FieldValue{Original: "a", HasOriginal: true, Saved: "b", Yours: "c"}, ResolveAsk},
		{"emptied by them", FieldValue{Original: "a", HasOriginal: true, Saved: "", Yours: "a"}, ResolveTheirs},
		{"unknown base, differing", FieldValue{Saved: "b", Yours: "a"}, ResolveAsk},
		{"unknown base, agreeing", FieldValue{Saved: "b", Yours: "b"}, ResolveSame},
	} {
		if got := c.f.Resolution(); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
