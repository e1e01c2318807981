package tenant_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

// The field rules proven against the migrated schema: every CHECK guards
// either a column some rule lists or an internal column named below, and
// every value a rule accepts is accepted by the CHECKs of each of its
// columns, in a real row.

// internalColumns are the CHECKed columns no person types a value into:
// the code sets them from its own constants or derives them. A CHECK on
// any other column needs a field rule listing it in Columns.
var internalColumns = map[string]string{
	"tenants.status":              "lifecycle state, set by the lifecycle use case",
	"tenants.source":              "how the tenant came in, set by onboarding or the importer",
	"tenants.version":             "optimistic-locking counter",
	"tenants.suspended_at":        "set with the status (its CHECK also covers the reason, a field)",
	"tenants.deleted_at":          "set with the status (its CHECK also covers the reason, a field)",
	"tenant_settings.version":     "optimistic-locking counter",
	"tenant_branding.version":     "optimistic-locking counter",
	"tenant_secrets.name":         "one of secrets.Names, chosen by the code",
	"tenant_secrets.kind":         "encrypted or env_ref, decided by tenant.SealSecret",
	"tenant_secrets.ciphertext":   "AES-GCM output",
	"tenant_secrets.key_id":       "id of the key that sealed the value",
	"tenant_secrets.hint":         "last characters of the value, derived",
	"user_invitations.status":     "invitation lifecycle, set by the code",
	"user_invitations.created_at": "timestamps set by the code",
	"user_invitations.expires_at": "timestamps set by the code",
	"audit_events.action":         "action names are constants of the code",
	"sign_in_attempts.attempts":   "a counter",
	"tenants.revision":            "change counter, kept by a trigger",
	"api_tokens.token_hash":       "SHA-256 of a generated token",
	"api_tokens.hint":             "first characters of a generated token",
	"api_tokens.revoked_at":       "set with revoked_by when a token is revoked",
	"api_tokens.revoked_by":       "the actor who revoked the token, set by the code",
}

func TestEveryCheckGuardsAFieldOrAnInternalColumn(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	ctx := context.Background()

	ruled := map[string]bool{}
	for _, f := range tenant.Fields {
		for _, c := range f.Columns {
			ruled[c] = true
		}
	}
	exists := map[string]bool{}
	rows, err := pool.Query(ctx, `SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		exists[c] = true
	}
	for c := range ruled {
		if !exists[c] {
			t.Errorf("a field rule lists %s, which the schema does not have", c)
		}
	}
	for c := range internalColumns {
		if !exists[c] {
			t.Errorf("internalColumns lists %s, which the schema does not have", c)
		}
	}

	rows, err = pool.Query(ctx, `
		SELECT c.conrelid::regclass::text || '.' || a.attname, c.conname
		FROM pg_constraint c
		CROSS JOIN LATERAL unnest(c.conkey) AS k(attnum)
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
		WHERE c.contype = 'c' AND c.connamespace = 'public'::regnamespace
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	type check struct{ Column, Name string }
	checks, err := pgx.CollectRows(rows, pgx.RowToStructByPos[check])
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) < 20 {
		t.Fatalf("found only %d CHECKed columns; the catalog query is wrong", len(checks))
	}
	for _, c := range checks {
		if !ruled[c.Column] && internalColumns[c.Column] == "" {
			t.Errorf("CHECK %s guards %s, which no field rule lists in Columns and which is not an internal column: "+
				"add a rule in internal/tenant/fields.go (or, for a column nobody types, an entry in internalColumns)", c.Name, c.Column)
		}
	}
}

// edgeCases are hand-picked values every rule is tried with.
func edgeCases() []string {
	long := func(s string, n int) string { return strings.Repeat(s, n) }
	return []string{
		"", " ", "\t\n", "\u00a0", "\u3000", "\u200b", "\u200e", "\u200f", "\u202e", "\u2066x\u2069", "\ufeff",
		"\x00", "a\x00b", "\xff", "a\xc3", "\x1b[31m", "\x7f", "a\u0085b", "line\nbreak", "tab\there",
		"https://example.test/x", "HTTPS://Example.test/x", "https://EXAMPLE.test:8443/Path?Q=1#F", "http://example.test",
		"https://", "https://user:pw@example.test", "https:// example.test", "https://exa\u200bmple.test",
		"https://例え.テスト/パス", "ftp://example.test", "//example.test", "example.test", " https://example.test ",
		"Kruger Safaris", "  kruger   safaris ", "KRUGER-SAFARIS", "kruger--safaris", "-kruger", "kruger-",
		"Société", "Socie\u0301te\u0301", "\u0301", "ß", "İstanbul", "Ǆ", "ﬁ", "\u212a", "ſ",
		"name@example.com", "Name@Example.COM", " name@example.com ", "na me@example.com", `"john doe"@example.com`,
		"a@b@c", "name@exa\u200bmple.com", "näme@example.com", "name@example", "@example.com",
		"first.last+tag@sub.example.co.za", "o'brien@example.ie", "ÄNDERUNG@Example.DE", "user@例え.jp",
		"x@y.z", "a.b-c_d@e-f.example", "name@example.org.", "name..dots@example.com", long("a", 64) + "@example.com",
		long("a", 60) + "@" + long("b", 63) + "." + long("c", 63) + "." + long("d", 60) + ".com",
		"#1e40af", "#1E40AF", "1E40AF", "#123", "#GGGGGG", " #abcdef ", "#ＡＢＣＤＥＦ",
		"zar", "ZAR", "usd ", "XYZ", "ZA R", "ｚａｒ",
		"Africa/Johannesburg", "africa/johannesburg", "UTC", "utc", "Local", "Mars/Olympus", "../etc/passwd", "Etc/GMT+3",
		"+27 21 555 0100", "021-555-0100", "(021) 555 0100 ext 5", "12345", "1234", "١٢٣٤٥٦",
		"lite", "PRO", "Enterprise ", "gold",
		"0", "5,000", "5 000", "5_000", "-1", "1000000000", "1000000001", "99999999999999999999", "2.5", "lots", "+7", "007", "٣",
		"inbound", "Inbound", "in bound", "a.b_c-d", ".hidden",
		"platform_admin", "SUPPORT", "owner", "Admin", "member", "guest",
		"${SUPABASE_URL}", "${1X}", "$X", "${X Y}", " ${X} ",
		"tn_1f3a9c0b_k3xq", "africastay", "Bad Id", "_x", "AfricaStay",
		"professional_blue", "Safari_Gold", "nope",
		"abcdefgh", "short", "key:with.dots-and_underscores",
		"👍", "👨\u200d👩\u200d👧", "Zoë 🦁 Tours", "שלום", "\u200fשלום\u200f", "مرحبا\u061c", "a\u200db",
		long("a", 10000), long("é", 201), long("e\u0301", 200), long("a", 200), long("x", 63), long("x", 64),
		"https://example.test/" + long("a", 1980), "https://example.test/" + long("a", 1979), long(" ", 10000),
	}
}

// caseVariants are raw in upper, lower and title case.
func caseVariants(raw string) []string {
	return []string{strings.ToUpper(raw), strings.ToLower(raw), strings.ToTitle(raw)}
}

// runePool is what generated values are made of: the characters fields
// are made of, and the ones that break them.
var runePool = []rune("abcxyzABCXYZ0123456789 -_.@#:/+()$%{},'\"\t\n\u00a0\u3000" +
	"éüßİıǄﬁ\u212a\u0301\u0308" + // letters with case quirks, combining marks
	"\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202e\u2066\u2069\ufeff" + // invisible and direction
	"\x00\x01\x1b\x7f\u0085\u2028" + // controls and separators
	"שلм中👍🦁")

// generated returns n values from a seeded generator: random strings and
// mutations of the hand-picked cases.
func generated(seed uint64, n int) []string {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	seeds := edgeCases()
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		switch rng.IntN(3) {
		case 0: // random runes
			for range rng.IntN(12) {
				b.WriteRune(runePool[rng.IntN(len(runePool))])
			}
		case 1: // a hand-picked value with one rune inserted
			s := []rune(seeds[rng.IntN(len(seeds))])
			if len(s) > 200 {
				s = s[:200]
			}
			i := rng.IntN(len(s) + 1)
			s = slices.Insert(s, i, runePool[rng.IntN(len(runePool))])
			b.WriteString(string(s))
		default: // a hand-picked value with a raw byte that is not UTF-8
			s := seeds[rng.IntN(len(seeds))]
			if len(s) > 200 {
				s = s[:200]
			}
			i := rng.IntN(len(s) + 1)
			b.WriteString(s[:i] + string([]byte{byte(0x80 + rng.IntN(0x80))}) + s[i:])
		}
		out = append(out, b.String())
	}
	return out
}

// humane reports what is wrong with msg as a sentence for a person: it
// must say something, as a sentence, without Go's error text.
func humane(msg string) string {
	switch {
	case msg == "":
		return "empty"
	case !unicode.IsUpper([]rune(msg)[0]):
		return "does not start with a capital letter"
	case !strings.HasSuffix(msg, "."):
		return "does not end with a full stop"
	case len(msg) > 240:
		return "longer than a sentence or two"
	}
	for _, jargon := range []string{"%!", "error", "strconv", "syntax", "nil", "parse", "regexp", "utf8.", "pq:", "SQLSTATE"} {
		if strings.Contains(strings.ToLower(msg), strings.ToLower(jargon)) {
			return "holds " + jargon
		}
	}
	return ""
}

// probe writes one value into one column, in a minimal valid row around
// it, and reports the database's refusal.
type probe struct {
	tx     pgx.Tx
	parent string // a tenant every child row belongs to
}

// sqlExpr is a default written as SQL rather than passed as a parameter.
type sqlExpr string

// baseRows are the minimal valid rows of each table holding a ruled column.
var baseRows = map[string][]struct {
	col string
	val any
}{
	"tenants": {{"id", "zz-probe"}, {"name", "Probe"}, {"short_name", "zz-probe"}, {"plan", "lite"}, {"max_users", "1"},
		{"max_monthly_quotes", "1"}, {"max_storage_gb", "1"}, {"created_by", "test"}, {"source", "onboarding"}},
	"tenant_settings": {{"tenant_id", sqlExpr("$parent")}, {"company_name", "Probe"}, {"support_email", "a@example.com"},
		{"currency", "ZAR"}, {"timezone", "UTC"}, {"email_from_email", "a@example.com"}, {"updated_by", "test"}},
	"tenant_branding": {{"tenant_id", sqlExpr("$parent")}, {"preset_theme", "professional_blue"}, {"color_primary", "#000000"},
		{"color_secondary", "#000000"}, {"color_accent", "#000000"}, {"updated_by", "test"}},
	"tenant_prompts": {{"tenant_id", sqlExpr("$parent")}, {"name", "inbound"}, {"body", ""}, {"updated_by", "test"}},
	"tenant_secrets": {{"tenant_id", sqlExpr("$parent")}, {"name", "supabase_url"}, {"kind", "env_ref"}, {"env_ref", "${X}"}, {"updated_by", "test"}},
	"api_tokens":     {{"name", "probe"}, {"token_hash", sqlExpr("sha256('probe'::bytea)")}, {"hint", "tc_"}, {"created_by", "test"}},
	"staff":          {{"user_id", sqlExpr("gen_random_uuid()")}, {"email", "a@example.com"}, {"role", "support"}, {"created_by", "test"}},
	"organization_users": {{"tenant_id", sqlExpr("$parent")}, {"user_id", sqlExpr("gen_random_uuid()")}, {"email", "a@example.com"},
		{"role", "member"}, {"created_by", "test"}},
	"user_invitations": {{"tenant_id", sqlExpr("$parent")}, {"email", "a@example.com"}, {"role", "member"}, {"invited_by", "test"},
		{"expires_at", sqlExpr("now() + interval '1 day'")}},
	"onboarding_requests": {{"key", "probe-key-1"}, {"tenant_id", sqlExpr("$parent")}, {"result", sqlExpr("'{}'::jsonb")}},
}

// companions are the other values a column's CHECK needs beside it.
var companions = map[string]map[string]any{
	"tenants.suspended_reason": {"status": "suspended", "suspended_at": sqlExpr("now()")},
	"tenants.deleted_reason":   {"status": "deleted", "deleted_at": sqlExpr("now()")},
}

func (p probe) insert(ctx context.Context, column, value string) error {
	table, col, _ := strings.Cut(column, ".")
	base, ok := baseRows[table]
	if !ok {
		return fmt.Errorf("no base row for table %s: add one to baseRows", table)
	}
	vals := map[string]any{}
	var order []string
	for _, c := range base {
		vals[c.col] = c.val
		order = append(order, c.col)
	}
	for c, v := range companions[column] {
		if _, ok := vals[c]; !ok {
			order = append(order, c)
		}
		vals[c] = v
	}
	if _, ok := vals[col]; !ok {
		order = append(order, col)
	}
	vals[col] = value
	var args []any
	var exprs []string
	for _, c := range order {
		switch v := vals[c].(type) {
		case sqlExpr:
			exprs = append(exprs, strings.ReplaceAll(string(v), "$parent", "'"+p.parent+"'"))
		default:
			args = append(args, v)
			exprs = append(exprs, fmt.Sprintf("$%d", len(args)))
		}
	}
	// A value for an integer column goes in as text, cast by Postgres, so
	// a rule's decimal form is what is tried.
	sql := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s", table, strings.Join(order, ", "), strings.Join(castAll(exprs, order, args), ", "))
	if _, err := p.tx.Exec(ctx, "SAVEPOINT probe"); err != nil {
		return err
	}
	_, err := p.tx.Exec(ctx, sql, args...)
	if _, rerr := p.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT probe"); rerr != nil {
		return rerr
	}
	return err
}

// castAll types every parameter as text (integers are cast to integer by
// the column), so Postgres, not pgx, decides what a value is.
func castAll(exprs, order []string, _ []any) []string {
	out := make([]string, len(exprs))
	for i, e := range exprs {
		if strings.HasPrefix(e, "$") {
			if slices.Contains([]string{"max_users", "max_monthly_quotes", "max_storage_gb"}, order[i]) {
				out[i] = e + "::text::integer"
			} else {
				out[i] = e + "::text"
			}
			continue
		}
		out[i] = e
	}
	return out
}

func TestEveryValueARuleAcceptsPassesItsChecks(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	ctx := context.Background()

	for i, f := range tenant.Fields {
		name := f.Key + "/" + f.Label
		values := append(edgeCases(), generated(uint64(i)+1, 300)...)
		for _, v := range edgeCases() {
			values = append(values, caseVariants(v)...)
		}
		accepted, refused := checkField(t, ctx, pool, f, name, values)
		t.Logf("%s: %d accepted (%d rows written per column), %d refused", name, accepted, accepted, refused)
		if accepted == 0 {
			t.Errorf("%s accepted none of %d values: the test proves nothing for it", name, len(values))
		}
	}
}

func checkField(t *testing.T, ctx context.Context, pool *pgxpool.Pool, f tenant.Field, name string, values []string) (accepted, refused int) {
	t.Helper()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	p := probe{tx: tx, parent: "zz-parent"}
	if _, err := tx.Exec(ctx, `INSERT INTO tenants (id, name, short_name, max_users, max_monthly_quotes, max_storage_gb, created_by, source)
		VALUES ('zz-parent', 'Parent', 'zz-parent', 1, 1, 1, 'test', 'onboarding')`); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, raw := range values {
		if seen[raw] {
			continue
		}
		seen[raw] = true
		v, msg := f.Clean(raw)
		if msg != "" {
			refused++
			if v != "" {
				t.Errorf("%s: Clean(%q) refused with %q but returned the value %q", name, raw, msg, v)
			}
			if why := humane(msg); why != "" {
				t.Errorf("%s: the message for %q, %q, %s", name, raw, msg, why)
			}
			if len(raw) > 12 && strings.Contains(msg, raw) {
				t.Errorf("%s: the message for %q quotes the value", name, raw)
			}
			continue
		}
		accepted++
		if again, msg := f.Clean(v); msg != "" || again != v {
			t.Errorf("%s: not idempotent: %q → %q → %q (%s)", name, raw, v, again, msg)
		}
		if !tenant.Storable(v) || !utf8.ValidString(v) {
			t.Errorf("%s: accepted %q, which Postgres cannot store", name, v)
		}
		if f.MaxRunes > 0 && utf8.RuneCountInString(v) > f.MaxRunes {
			t.Errorf("%s: accepted %d characters, over its limit of %d", name, utf8.RuneCountInString(v), f.MaxRunes)
		}
		if len(f.Columns) == 0 {
			// Not stored, but still sent to Postgres (a search term).
			var back string
			if err := tx.QueryRow(ctx, `SELECT $1::text`, v).Scan(&back); err != nil || back != v {
				t.Errorf("%s: Postgres does not take the accepted %q: %v", name, v, err)
			}
			continue
		}
		for _, col := range f.Columns {
			if err := p.insert(ctx, col, v); err != nil {
				t.Errorf("%s: accepted %q (from %q) but %s refuses it: %v", name, v, raw, col, err)
			}
		}
	}
	return accepted, refused
}

// Spot checks of what the rules make of typed values: the property test
// above proves they are storable, these that they are what a person meant.
func TestFieldRulesNormalise(t *testing.T) {
	t.Parallel()
	cases := []struct {
		field tenant.Field
		raw   string
		want  string
	}{
		{tenant.FieldHTTPSURL, "HTTPS://Example.test/x", "https://example.test/x"},
		{tenant.FieldHTTPSURL, " https://EXAMPLE.test:8443/Path?Q=1#F ", "https://example.test:8443/Path?Q=1#F"},
		{tenant.FieldTenantName, "  Socie\u0301te\u0301   Générale \u200b", "Société Générale"},
		{tenant.FieldTenantName, "\u200fשלום\u200f", "שלום"},
		{tenant.FieldEmail, " Name@Example.COM ", "name@example.com"},
		{tenant.FieldColor, "#1e40af", "#1E40AF"},
		{tenant.FieldCurrency, "usd ", "USD"},
		{tenant.FieldTimezone, "africa/johannesburg", "Africa/Johannesburg"},
		{tenant.FieldShortName, "Kruger-Safaris", "kruger-safaris"},
		{tenant.FieldQuota, "5,000", "5000"},
		{tenant.FieldPlan, "PRO", "pro"},
		{tenant.FieldSearch, strings.Repeat("a", 150), strings.Repeat("a", 100)},
		{tenant.FieldPassword, " keep my spaces ", " keep my spaces "},
	}
	for _, c := range cases {
		if got, msg := c.field.Clean(c.raw); got != c.want || msg != "" {
			t.Errorf("%s.Clean(%q) = %q, %q; want %q", c.field.Label, c.raw, got, msg, c.want)
		}
	}
	refused := []struct {
		field tenant.Field
		raw   string
		says  string
	}{
		{tenant.FieldTenantName, "Kruger\x00Safaris", "control characters"},
		{tenant.FieldTenantName, "Kruger\xffSafaris", "not text"},
		{tenant.FieldTenantName, "\u202eevil", "control characters"},
		{tenant.FieldTenantName, "\u200b\u200b", "no visible characters"},
		{tenant.FieldSenderName, strings.Repeat("a", 10000), "at most 200"},
		{tenant.FieldHTTPSURL, "http://example.test", "https://"},
		{tenant.FieldHTTPSURL, "https://user:pw@example.test", "https://"},
		{tenant.FieldEmail, "name@exa\u200bmple.com", "e-mail address"},
		{tenant.FieldPassword, "correct horse\x00battery", "control characters"},
		{tenant.FieldSearch, "a\x00", "control characters"},
		{tenant.FieldQuota, "99999999999999999999", "0 or more"},
		{tenant.FieldQuota, "1000000001", "up to 1,000,000,000"},
	}
	for _, c := range refused {
		if got, msg := c.field.Clean(c.raw); got != "" || !strings.Contains(msg, c.says) {
			t.Errorf("%s.Clean(%q) = %q, %q; want refused saying %q", c.field.Label, c.raw, got, msg, c.says)
		}
	}
	if n := tenant.FieldQuota.Int("5000"); n != 5000 {
		t.Errorf("Int = %d", n)
	}
}
