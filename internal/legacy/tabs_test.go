package legacy

import "testing"

// Tabs YAML allows inside values, which goccy/go-yaml misreads on its own.
func TestParseTabsInsideValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, from, to string
		want           func(Client) string
		value          string
	}{
		{"double-quoted, a key after it", `name: "Acme Travel"`, "name: \"Acme\tTravel\"", func(c Client) string { return c.Name }, "Acme Travel"},
		{"escaped in double quotes", `name: "Acme Travel"`, `name: "Acme\tTravel"`, func(c Client) string { return c.Name }, "Acme Travel"},
		{"plain", `name: "Acme Travel"`, "name: Acme\tTravel", func(c Client) string { return c.Name }, "Acme Travel"},
		{"plain, before a comment", `name: "Acme Travel"`, "name: Acme Travel\t# the name", func(c Client) string { return c.Name }, "Acme Travel"},
		{"single-quoted", `name: "Acme Travel"`, "name: 'Acme\tTravel'", func(c Client) string { return c.Name }, "Acme Travel"},
		{"after the colon", `name: "Acme Travel"`, "name:\t\"Acme Travel\"", func(c Client) string { return c.Name }, "Acme Travel"},
		{"quote inside a plain scalar", `name: "Acme Travel"`, "name: Acme \"Best\"\tTravel", func(c Client) string { return c.Name }, `Acme "Best" Travel`},
		{"apostrophe inside a plain scalar", `name: "Acme Travel"`, "name: O'Brien\tTravel", func(c Client) string { return c.Name }, "O'Brien Travel"},
		{"in a flow sequence", "  website: https://www.acme.example\n", "  tags: [\"a\tb\", c\td]\n  website: https://www.acme.example\n", func(c Client) string { return c.Settings.Website }, "https://www.acme.example"},
		// A credential is never altered: one with a tab in it is refused.
		{"secret with a tab", `url: "${SUPABASE_URL}"`, "url: \"https://x.supabase.co\"\n    anon_key: \"ab\tcd\"", func(c Client) string { s, _ := c.Secret("supabase_anon_key"); return s.Value.Reveal() }, ""},
		{"literal block kept as written", `name: "Acme Travel"`, "name: |-\n    Acme \"Big\tTravel", func(c Client) string { return c.Name }, `Acme "Big Travel`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := mustParse(t, edit(t, tc.from, tc.to))
			if got := tc.want(c); got != tc.value {
				t.Errorf("got %q, want %q", got, tc.value)
			}
		})
	}
}

func TestUntabChangesOnlyTabs(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a: \"x\ty\"\nb: c\n":               "a: \"x\\ty\"\nb: c\n",
		"a: x\ty # c\td\n":                  "a: x y # c\td\n",
		"a: 'x\ty'\n":                       "a: 'x\ty'\n",
		"a: \"x\\\"\ty\"\n":                 "a: \"x\\\"\\ty\"\n",
		"a: |\n  \"x\ty\n\tz\nb: \"\t1\"\n": "a: |\n  \"x\ty\n\tz\nb: \"\\t1\"\n",
		"a: \"x\t\n  \ty\"\n":               "a: \"x\t\n  \ty\"\n",
		"a: &k x\ty\n":                      "a: &k x y\n",
		"- [\"a\tb\", c\td]\n":              "- [\"a\\tb\", c d]\n",
	} {
		if got := untab(in); got != want {
			t.Errorf("untab(%q) = %q, want %q", in, got, want)
		}
	}
}
