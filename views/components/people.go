package components

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// commandLabels name the command-line runs that act as "cli:NAME".
var commandLabels = map[string]string{
	"dev":               "the demo data seeder",
	"import-yaml":       "the legacy YAML import",
	"sync-yaml":         "the legacy YAML mirror",
	"onboard":           "command-line onboarding",
	"purge":             "the purge job",
	"rotate-secret-key": "the key rotation",
	"create-staff":      "the create-staff command",
}

// PersonLabel is who did something as stored — an e-mail address, or
// "cli:NAME" for a command-line run — as people read it.
func PersonLabel(by string) string {
	name, cli := strings.CutPrefix(by, "cli:")
	switch {
	case by == "":
		return "the system"
	case !cli:
		return by
	}
	if l, ok := commandLabels[name]; ok {
		return l
	}
	return "a command-line run"
}

// PersonName is PersonLabel where it starts a sentence or fills a cell:
// a command-line run's words capitalized ("The demo data seeder"), an
// e-mail address as it is written.
func PersonName(by string) string {
	if strings.Contains(by, "@") {
		return by
	}
	return Capitalized(PersonLabel(by))
}

// Capitalized is s with its first letter in upper case, to start a sentence.
func Capitalized(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
