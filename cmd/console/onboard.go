package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/goccy/go-yaml"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

// onboardFlagUsage describes each field's flag; the flag is the field name
// with hyphens (short_name → --short-name).
var onboardFlagUsage = map[string]string{
	"name":               "the company's name (required)",
	"short_name":         "lower-case letters, digits and hyphens (default: made from --name)",
	"support_email":      "the support e-mail address (required)",
	"support_phone":      "the support phone number, e.g. \"+27 21 555 0100\"",
	"website":            "the website, an https:// address",
	"currency":           "ISO 4217 currency code, e.g. ZAR (required)",
	"timezone":           "IANA time zone, e.g. Africa/Johannesburg (required)",
	"preset_theme":       "preset theme: " + themeIDs() + " (default " + tenant.DefaultThemeID + ")",
	"color_primary":      "primary colour #RRGGBB (default: the theme's)",
	"color_secondary":    "secondary colour #RRGGBB (default: the theme's)",
	"color_accent":       "accent colour #RRGGBB (default: the theme's)",
	"logo_url":           "the logo, an https:// address",
	"email_from_name":    "e-mail sender name (default: the company name)",
	"email_from_email":   "e-mail sender address (default: the support e-mail)",
	"plan":               "lite, pro or enterprise (default lite)",
	"max_users":          "user quota (default: the plan's)",
	"max_monthly_quotes": "monthly quote quota (default: the plan's)",
	"max_storage_gb":     "storage quota in GB (default: the plan's)",
	"owner_email":        "the owner's e-mail address (required)",
	"owner_name":         "the owner's name",
	"owner_password":     "DISCOURAGED (visible to other users): the owner's password; prefer the prompt or --password-stdin (" + tenant.PasswordPolicyHint + ")",
	"idempotency_key":    "a key that makes re-running this command safe: a run with a key already used prints the first run's result (default: a fresh key)",
}

func themeIDs() string {
	ids := make([]string, len(tenant.Themes))
	for i, t := range tenant.Themes {
		ids[i] = t.ID
	}
	return strings.Join(ids, ", ")
}

func flagName(field string) string { return strings.ReplaceAll(field, "_", "-") }

func runOnboard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("onboard", "onboard [--file F] [--name N --support-email E … --owner-email O [--password-stdin | --invite]]",
		"Onboards a tenant, as the web console's onboarding form does, with the same\n"+
			"checks and messages: the owner's GoTrue account first (created, invited, or —\n"+
			"when the e-mail already has one — linked without touching its password), then\n"+
			"the tenant, its settings, branding, default prompt, owner membership and audit\n"+
			"event in one transaction.\n\n"+
			"Fields come from flags or from --file, a YAML or JSON file whose keys are the\n"+
			"flag names with underscores (support_email: …); flags override the file.\n"+
			"Quote colours in YAML (\"#1E40AF\"): an unquoted # starts a comment.\n\n"+
			"The owner's password (unless --invite) is asked for on the terminal (not\n"+
			"echoed, typed twice), or read from the first line of stdin with\n"+
			"--password-stdin, or taken from the file. --owner-password still works but\n"+
			"prints a warning: other users of the machine can see it in the process list.\n"+
			"GoTrue is GOTRUE_URL, or in dev the embedded dev auth server.\n\n"+
			"Exit status: 0 onboarded (or already onboarded with this --idempotency-key),\n"+
			"2 invalid input (one \"field: message\" line each on stderr), 1 any other failure.", stderr)
	file := fs.String("file", "", "a YAML or JSON file with the fields (snake_case keys)")
	for _, name := range tenant.OnboardFields {
		if name == "owner_mode" {
			continue // --invite
		}
		fs.String(flagName(name), "", onboardFlagUsage[name])
	}
	invite := fs.Bool("invite", false, "send the owner a GoTrue invitation e-mail instead of setting a password")
	passwordStdin := fs.Bool("password-stdin", false, "read the owner's password from the first line of stdin")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "console onboard: unexpected argument %q (fields are flags, e.g. --name)\n", fs.Arg(0))
		return errUsage
	}

	in := tenant.OnboardInput{}
	if *file != "" {
		var err error
		if in, err = readOnboardFile(*file); err != nil {
			fmt.Fprintln(stderr, "console onboard:", err)
			return errUsage
		}
	}
	passwordFlag := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "password-stdin" || f.Name == "invite" || f.Name == "file" {
			return
		}
		passwordFlag = passwordFlag || f.Name == flagName("owner_password")
		in.Set(strings.ReplaceAll(f.Name, "-", "_"), f.Value.String())
	})
	if *passwordStdin {
		if *invite || in.OwnerPassword != "" {
			fmt.Fprintln(stderr, "owner_password: --password-stdin gives the password; leave it out of the flags and the file, and do not use --invite.")
			return errUsage
		}
		pw, err := readPasswordStdin(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "owner_password:", err)
			return errUsage
		}
		in.OwnerPassword = pw
	}
	if *invite {
		if in.OwnerPassword != "" {
			fmt.Fprintln(stderr, "owner_password: Leave the password out when sending an invitation (--invite).")
			return errUsage
		}
		in.OwnerMode = tenant.OwnerModeInvite
	}
	if in.OwnerMode == "" {
		in.OwnerMode = tenant.OwnerModePassword
	}
	if in.OwnerMode == tenant.OwnerModePassword && in.OwnerPassword == "" {
		pw, err := promptPassword(ctx, stderr, "Password for the owner "+strings.TrimSpace(in.OwnerEmail))
		switch {
		case err == nil:
			in.OwnerPassword = pw
		case errors.Is(err, errNoPassword):
			// Validation names the missing field below.
			fmt.Fprintln(stderr, "console onboard: the owner's password is asked for on a terminal; "+
				"without one, pass it with --password-stdin or use --invite")
		default:
			fmt.Fprintln(stderr, "console onboard:", err)
			return errUsage
		}
	}
	if tenant.Blank(in.IdempotencyKey) {
		in.IdempotencyKey = tenant.NewIdempotencyKey()
	}
	// Everything that needs no database is checked before connecting.
	if _, err := in.Validate(); err != nil {
		return onboardFailed(stderr, in, err)
	}
	if passwordFlag {
		warnPasswordFlag(stderr, flagName("owner_password"))
	}

	env, err := openStore(ctx, stderr, cliNeeds{})
	if err != nil {
		return err
	}
	defer env.Close()
	gt, stop, err := openGoTrue(ctx, env.cfg, env.log, env.pool)
	if err != nil {
		return err
	}
	defer stop()

	accounts := auth.Accounts{Client: gt}
	if in.OwnerMode == tenant.OwnerModeInvite {
		// The invitation's link leads to the console's callback.
		public, err := env.cfg.PublicBase(env.cfg.ListenAddr)
		if err != nil {
			return err
		}
		accounts.RedirectTo = auth.CallbackURL(public)
	}
	ob := tenant.NewOnboarding(env.store, accounts)
	res, err := ob.Onboard(ctx, tenant.System("cli:onboard"), in)
	if err != nil {
		return onboardFailed(stderr, in, err)
	}
	printOnboardResult(stdout, res, in.IdempotencyKey)
	return nil
}

// onboardFailed reports a failure: one "field: message" line per invalid
// field (exit 2), or the general message with the detail (exit 1).
func onboardFailed(stderr io.Writer, in tenant.OnboardInput, err error) error {
	if verr, ok := apperr.AsValidation(err); ok {
		printValidation(stderr, verr)
		return errUsage
	}
	msg := tenant.OnboardErrorMessage(err)
	if errors.Is(err, apperr.ErrUpstream) {
		msg = "The sign-in service answered with an error while making the owner's account, so nothing was created."
	}
	if errors.Is(err, tenant.ErrOnboardNotSaved) || errors.Is(err, apperr.ErrUnavailable) || errors.Is(err, apperr.ErrUpstream) {
		msg += "\nTo retry safely, run the same command with --idempotency-key " + in.IdempotencyKey + "."
	}
	return exitError{code: 1, err: fmt.Errorf("onboard: %s\ndetail: %w", msg, err)}
}

// printValidation prints the messages in the order of the form.
func printValidation(w io.Writer, verr *apperr.ValidationError) {
	seen := map[string]bool{}
	for _, name := range tenant.OnboardFields {
		if msg := verr.Get(name); msg != "" {
			fmt.Fprintf(w, "%s: %s\n", name, msg)
			seen[name] = true
		}
	}
	var rest []string
	for name := range verr.Fields {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	for _, name := range rest {
		fmt.Fprintf(w, "%s: %s\n", name, verr.Fields[name])
	}
}

func printOnboardResult(w io.Writer, res tenant.OnboardResult, key string) {
	if res.Replay {
		fmt.Fprintf(w, "Already onboarded by an earlier run with idempotency key %s; nothing new was created.\n", key)
	}
	fmt.Fprintf(w, "Tenant:  %s (%s)\n", res.TenantID, res.TenantName)
	fmt.Fprintln(w, "Created:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range res.Created {
		fmt.Fprintf(tw, "  %s\t%s\n", c.Table, c.Summary)
	}
	tw.Flush()
	fmt.Fprintln(w, "Owner:  ", res.SignInSummary())
	fmt.Fprintf(w, "Open:    /tenants/%s\n", res.TenantID)
}

// readOnboardFile reads the fields from a YAML or JSON file (.json is read
// as JSON, anything else as YAML). Unknown keys are refused so a typo does
// not silently leave a field empty.
func readOnboardFile(path string) (tenant.OnboardInput, error) {
	var in tenant.OnboardInput
	data, err := os.ReadFile(path)
	if err != nil {
		return in, err
	}
	var raw map[string]any
	if strings.EqualFold(filepath.Ext(path), ".json") {
		err = json.Unmarshal(data, &raw)
	} else {
		err = yaml.Unmarshal(data, &raw)
	}
	if err != nil {
		return in, fmt.Errorf("%s: not a YAML or JSON map of fields: %w", path, err)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		value, err := scalar(raw[key])
		if err == nil && raw[key] == nil && strings.HasPrefix(key, "color_") {
			err = errors.New(`empty; quote colours in YAML, e.g. "#1E40AF" (an unquoted # starts a comment)`)
		}
		if err != nil {
			return in, fmt.Errorf("%s: %s: %w", path, key, err)
		}
		if !in.Set(key, value) {
			return in, fmt.Errorf("%s: unknown key %q; the keys are: %s", path, key, strings.Join(tenant.OnboardFields, ", "))
		}
	}
	return in, nil
}

// scalar turns one file value into the text a person would have typed.
func scalar(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case int, int64, uint64:
		return fmt.Sprint(v), nil
	}
	return "", fmt.Errorf("want a single value, not %T", v)
}
