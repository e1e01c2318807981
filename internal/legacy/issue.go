package legacy

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Kind classifies an Issue, so a report can group and count them and tests
// can ask for one without matching sentences.
type Kind string

// Warnings: the tenant is imported, but something was read with a fallback
// or left out. Each one deserves a look from an admin.
const (
	WarnEncoding        Kind = "encoding"         // not UTF-8; converted
	WarnAltFileName     Kind = "alt_file_name"    // client.yml read instead of client.yaml
	WarnUnknownKey      Kind = "unknown_key"      // a key the console does not know; not imported
	WarnDuplicateKey    Kind = "duplicate_key"    // a key given twice with the same value
	WarnWrongType       Kind = "wrong_type"       // a list or mapping where text was expected; ignored
	WarnLayout          Kind = "layout"           // read from an older place; the export writes the standard one
	WarnConflict        Kind = "conflict"         // two places give different values; one was chosen
	WarnNormalized      Kind = "normalized"       // a value's spelling was corrected (case, #, …)
	WarnDerived         Kind = "derived"          // short_name derived from the name
	WarnDefaulted       Kind = "defaulted"        // a missing value filled from another field
	WarnNoBranding      Kind = "no_branding"      // no branding: section; default theme used
	WarnUnknownTheme    Kind = "unknown_theme"    // missing or unknown theme_id; default theme used
	WarnInvalidColor    Kind = "invalid_color"    // not #RRGGBB; the theme's colour used
	WarnMissingColor    Kind = "missing_color"    // no colour; the theme's colour used
	WarnUnknownTimezone Kind = "unknown_timezone" // missing or unknown time zone; UTC used
	WarnInsecureURL     Kind = "insecure_url"     // http:// (or no scheme) upgraded to https://
	WarnInvalidURL      Kind = "invalid_url"      // not a usable https:// URL; left empty
	WarnInvalidPhone    Kind = "invalid_phone"    // not a phone number the console accepts; left empty
	WarnPlainSecret     Kind = "plaintext_secret" // secrets in plain text: encrypted on import, rotate them
	WarnBrokenEnvRef    Kind = "broken_env_ref"   // looks like ${NAME} but is not; taken as a value
	WarnMissingSecret   Kind = "missing_secret"   // a credential is absent
	WarnMissingPrompt   Kind = "missing_prompt"   // no prompts/inbound.txt
	WarnPromptIgnored   Kind = "prompt_ignored"   // a file under prompts/ that is not imported
	WarnEmptyPrompt     Kind = "empty_prompt"     // a prompt file with no text
)

// Reasons: the folder is skipped; nothing of it is imported.
const (
	SkipNoClientFile       Kind = "no_client_file"       // the folder has no client.yaml
	SkipUnreadable         Kind = "unreadable"           // cannot be read, too large, or binary
	SkipEmpty              Kind = "empty_file"           // nothing but white space or comments
	SkipSyntax             Kind = "yaml_syntax"          // not valid YAML (a tab in the indentation, …)
	SkipMultipleDocs       Kind = "multiple_documents"   // several YAML documents in one file
	SkipNotMapping         Kind = "not_a_mapping"        // a list or a single value instead of sections
	SkipNoClientSection    Kind = "no_client_section"    // client: missing, empty or not a section
	SkipMissingField       Kind = "missing_field"        // id, name, email.primary or currency absent
	SkipInvalidField       Kind = "invalid_field"        // such a field present but unusable
	SkipAmbiguousKey       Kind = "ambiguous_key"        // a key given twice with different values
	SkipFolderMismatch     Kind = "folder_mismatch"      // client.id differs from the folder name
	SkipDuplicateID        Kind = "duplicate_id"         // several folders claim one id
	SkipDuplicateShortName Kind = "duplicate_short_name" // several tenants claim one short name
	SkipLink               Kind = "link"                 // another folder's tenant file, reached through a symbolic link
)

// Issue is one warning or skip reason, as a plain sentence for an admin.
type Issue struct {
	Kind    Kind   `json:"kind"`
	File    string `json:"file,omitempty"`  // relative to the tree, slash-separated: "tn_x/client.yaml"
	Line    int    `json:"line,omitempty"`  // 1-based; 0 when the issue has no single line
	Field   string `json:"field,omitempty"` // the client.yaml path concerned, e.g. "branding.primary_color"
	Message string `json:"message"`         // the sentence, without the file:line prefix
}

// String is the issue as a report line: "tn_x/client.yaml:7: message".
func (i Issue) String() string {
	switch {
	case i.File != "" && i.Line > 0:
		return fmt.Sprintf("%s:%d: %s", printable(i.File), i.Line, i.Message)
	case i.File != "":
		return printable(i.File) + ": " + i.Message
	default:
		return i.Message
	}
}

// printable shows a file or folder name in a report line or progress as it
// is, unless it holds a character that is not printable (a newline or an
// escape sequence in a folder name would forge or garble report lines):
// then quoted, with escapes.
func printable(name string) string {
	if strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(name)
	}
	return name
}

// ParseError is returned by Parse when a client.yaml cannot be imported.
// Reasons holds every problem found, not just the first.
type ParseError struct {
	Reasons []Issue
}

func (e *ParseError) Error() string {
	lines := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		lines[i] = r.String()
	}
	return "cannot import: " + strings.Join(lines, "; ")
}

// sortIssues orders issues by file, then line (issues without a line last
// within their file), keeping the order they were found in otherwise.
func sortIssues(issues []Issue) {
	slices.SortStableFunc(issues, func(a, b Issue) int {
		if c := cmp.Compare(a.File, b.File); c != 0 {
			return c
		}
		la, lb := a.Line, b.Line
		if la == 0 {
			la = int(^uint(0) >> 1)
		}
		if lb == 0 {
			lb = int(^uint(0) >> 1)
		}
		return cmp.Compare(la, lb)
	})
}

// HasKind reports whether issues holds one of kind k.
func HasKind(issues []Issue, k Kind) bool {
	return slices.ContainsFunc(issues, func(i Issue) bool { return i.Kind == k })
}
