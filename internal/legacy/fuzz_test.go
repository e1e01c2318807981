package legacy

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tenant-console/console/internal/tenant"
)

// FuzzParseClient feeds client.yaml bytes to Parse: it must never panic,
// a refusal must say why, and an accepted client must obey the registry's
// rules, export, and read back as itself.
//
//	go test -fuzz=FuzzParseClient ./internal/legacy/
func FuzzParseClient(f *testing.F) {
	for _, dir := range []string{sampleDir, messyDir} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "client.y") {
				return err
			}
			data, err := os.ReadFile(p)
			if err == nil {
				f.Add(data)
			}
			return err
		})
		if err != nil {
			f.Fatal(err)
		}
	}
	f.Add([]byte(baseYAML))

	f.Fuzz(func(t *testing.T, data []byte) {
		c, warnings, err := Parse("fuzz/client.yaml", data)
		for _, w := range warnings {
			if w.Kind == "" || w.Message == "" {
				t.Fatalf("warning without kind or message: %#v", w)
			}
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Reasons) == 0 {
				t.Fatalf("refusal without reasons: %v", err)
			}
			for _, r := range pe.Reasons {
				if r.Kind == "" || r.Message == "" {
					t.Fatalf("reason without kind or message: %#v", r)
				}
			}
			return
		}

		if err := c.Validate(); err != nil {
			t.Fatalf("accepted a client that breaks the rules: %v", err)
		}
		if v, ok := tenant.FieldColor.OK(c.Branding.ColorPrimary); !ok || v != c.Branding.ColorPrimary {
			t.Fatalf("primary colour %q", c.Branding.ColorPrimary)
		}
		if _, ok := tenant.FieldCurrency.OK(c.Settings.Currency); !ok {
			t.Fatalf("currency %q", c.Settings.Currency)
		}
		if _, ok := tenant.FieldTimezone.OK(c.Settings.Timezone); !ok {
			t.Fatalf("timezone %q", c.Settings.Timezone)
		}
		if _, ok := tenant.FieldShortName.OK(c.ShortName); !ok {
			t.Fatalf("short name %q", c.ShortName)
		}
		// What the console's own forms would refuse is never imported either.
		if s := c.Settings; !isPhone(s.SupportPhone) || len(s.Website) > maxURLLen || len(c.Branding.LogoURL) > maxURLLen {
			t.Fatalf("phone %q, website of %d and logo of %d bytes", s.SupportPhone, len(s.Website), len(c.Branding.LogoURL))
		}
		for _, v := range []string{c.Name, c.Settings.CompanyName, c.Settings.EmailFromName} {
			if clean, _ := cleanText(v); clean != v || utf8.RuneCountInString(v) > maxNameLen {
				t.Fatalf("text %q is not clean or too long", v)
			}
		}

		text := string(data)
		for _, s := range c.Secrets {
			v := s.Value.Reveal()
			// Only values that occur once in the input (their own line) can
			// be told apart from a field that happens to hold the same text.
			if len(v) < 16 || strings.Count(text, v) != 1 {
				continue
			}
			for _, w := range warnings {
				if strings.Contains(w.Message, v) {
					t.Fatalf("a secret value is in a warning: %s", w.Kind)
				}
			}
		}
		roundTrip(t, c)
	})
}

func isPhone(s string) bool {
	_, ok := tenant.FieldPhone.OK(s)
	return ok
}
