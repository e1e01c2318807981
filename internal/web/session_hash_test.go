package web_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
	"github.com/tenant-console/console/migrations"
)

// withCookie is a fresh browser presenting token as its session cookie.
func withCookie(t *testing.T, a *app, token string) *browser {
	t.Helper()
	b := a.newBrowser(t)
	u, _ := url.Parse(a.URL)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "console_session", Value: token}})
	return b
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// storedTokens are the keys of the sessions table.
func storedTokens(t *testing.T, a *app) []string {
	t.Helper()
	rows, err := a.pool.Query(context.Background(), `SELECT token FROM sessions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var token string
		if err := rows.Scan(&token); err != nil {
			t.Fatal(err)
		}
		out = append(out, token)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// expectNoUsableToken checks that cookie works, that the sessions table
// holds only its hash, and that presenting any stored key as a cookie
// signs nobody in.
func expectNoUsableToken(t *testing.T, a *app, cookie string) {
	t.Helper()
	if res, _ := withCookie(t, a, cookie).get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatalf("the cookie itself does not open the list: %d", res.StatusCode)
	}
	stored := storedTokens(t, a)
	hashed := false
	for _, key := range stored {
		if key == cookie {
			t.Fatal("the sessions table holds the cookie's token")
		}
		hashed = hashed || key == sha256Hex(cookie)
		res, _ := withCookie(t, a, key).get("/tenants")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Fatalf("a stored key used as a cookie: %d %q, want the sign-in page", res.StatusCode, res.Header.Get("Location"))
		}
	}
	if !hashed {
		t.Fatalf("the session is not stored under its token's SHA-256: %v", stored)
	}
}

func TestTheSessionsTableHoldsNoUsableToken(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	cookie := sessionCookie(t, b)
	if cookie == "" {
		t.Fatal("no session cookie after signing in")
	}
	expectNoUsableToken(t, a, cookie)

	// Signing out removes the row it is stored under.
	b.get("/tenants")
	if res, _ := b.post("/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	var left int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE token = $1`, sha256Hex(cookie)).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatal("the signed-out session is still stored")
	}
}

// hashedSessionsVersion is the migration that hashes stored session tokens.
const hashedSessionsVersion = 8

func TestSessionsStoredBeforeHashingAreHashedByTheMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.Empty(t)
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.UpTo(ctx, hashedSessionsVersion-1); err != nil {
		t.Fatal(err)
	}

	a := newAppWith(t, appOptions{databaseURL: dbURL, noDemoData: true})
	b := a.newBrowser(t)
	b.signIn(a.createPerson(t, "before-hashing@console.example", tenant.RolePlatformAdmin, nil))
	cookie := sessionCookie(t, b)
	// The row as the console stored it before: under the raw token.
	if _, err := a.pool.Exec(ctx, `UPDATE sessions SET token = $1 WHERE token = $2`, cookie, sha256Hex(cookie)); err != nil {
		t.Fatal(err)
	}

	// Up to the newest: the pages the check visits read today's schema;
	// no later migration touches the sessions table.
	if _, err := provider.Up(ctx); err != nil {
		t.Fatal(err)
	}
	// The person stays signed in; the table no longer holds their token.
	expectNoUsableToken(t, a, cookie)
}
