package web_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/mirror"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
)

// The platform follows the console: with `sync-yaml --follow` keeping the
// legacy tree beside the console, support suspends a tenant from the list
// and its folder leaves the live tree for .removed; an owner saves a new
// primary colour and the tenant's client.yaml carries it. Each time from
// the click to the tree is logged (the target is a second; the wait is
// bounded generously for a loaded machine).
func TestBrowserJourneyMirrorFollowsTheConsole(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	tree := followTree(t, a)
	support := a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	if _, err := os.Stat(filepath.Join(tree, tenantB, "client.yaml")); err != nil {
		t.Fatalf("the follower's first reconcile did not write %s: %v", tenantB, err)
	}
	ctx := bt.New(t)

	signInBrowser(t, ctx, a, support, "")
	bt.Do(t, ctx, "filter to Kruger", chromedp.SendKeys(chromedp.CSS("#tenant-search"), "kruger"))
	row := `#tenant-row-` + tenantB
	bt.WaitTrue(t, ctx, "one row", `document.querySelectorAll("#tenant-results tbody tr").length === 1 &&
		document.querySelector("`+row+`") !== null`)
	bt.WaitHTMXIdle(t, ctx)
	bt.Do(t, ctx, "open the actions menu", chromedp.Click(chromedp.CSS(row+` details[data-menu] summary`)))
	bt.Do(t, ctx, "choose Suspend", chromedp.Click(chromedp.CSS(row+` [role="menuitem"][data-action="suspend"]`)))
	bt.WaitTrue(t, ctx, "the dialog", `document.querySelector("#action-dialog").open`)
	bt.Do(t, ctx, "give the reason", chromedp.SendKeys(chromedp.CSS("#reason-suspend-"+tenantB), "Unpaid invoices"))
	start := time.Now()
	bt.Do(t, ctx, "confirm", chromedp.Click(chromedp.CSS(`#action-dialog form[data-lifecycle-form="suspend"] button[type="submit"]`)))
	took := waitTree(t, "the suspended tenant's folder to leave the live tree", start, func() bool {
		note, err := os.ReadFile(filepath.Join(tree, mirror.RemovedDir, tenantB, mirror.RemovedNote))
		return !pathExists(filepath.Join(tree, tenantB)) && err == nil &&
			strings.Contains(string(note), "status: suspended") && strings.Contains(string(note), `"Unpaid invoices"`)
	})
	t.Logf("suspend: %s from the click to the folder under .removed", took.Round(time.Millisecond))
	bt.WaitTrue(t, ctx, "the row to show Suspended", `document.querySelector("`+row+`")?.dataset.status === "suspended"`)
	bt.WaitHTMXIdle(t, ctx)

	bt.Do(t, ctx, "sign out", chromedp.Evaluate[chromedp.Void](`document.querySelector("form[action='/logout']").requestSubmit()`),
		chromedp.WaitVisible(chromedp.CSS("#email")))
	signInBrowser(t, ctx, a, owner, "")
	bt.Do(t, ctx, "open branding", chromedp.Navigate(a.URL+"/tenants/"+tenantA+"/branding"),
		chromedp.WaitVisible(chromedp.CSS("#color_primary")))
	bt.WaitTrue(t, ctx, "htmx to load", `typeof htmx !== "undefined"`)
	const colour = "#0E7490"
	bt.Do(t, ctx, "type a primary colour", chromedp.Evaluate[chromedp.Void](`document.querySelector("#color_primary").value = ""`),
		chromedp.SendKeys(chromedp.CSS("#color_primary"), colour))
	bt.WaitHTMXIdle(t, ctx)
	clientYAML := filepath.Join(tree, tenantA, "client.yaml")
	if data, err := os.ReadFile(clientYAML); err != nil || strings.Contains(string(data), colour) {
		t.Fatalf("before saving, client.yaml is %q (%v)", data, err)
	}
	start = time.Now()
	bt.Do(t, ctx, "save", chromedp.Click(chromedp.CSS("#save-branding")))
	took = waitTree(t, "client.yaml to carry the new colour", start, func() bool {
		data, err := os.ReadFile(clientYAML)
		return err == nil && strings.Contains(string(data), `primary_color: "`+colour+`"`)
	})
	t.Logf("branding: %s from the click to client.yaml", took.Round(time.Millisecond))
	bt.Do(t, ctx, "see it saved", chromedp.WaitVisible(chromedp.CSS("#edit-notice")))
}

// followTree runs a follower of a fresh tree over a's database, as `console
// sync-yaml DIR --follow` does, and waits (bounded) for its first reconcile.
func followTree(t *testing.T, a *app) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "clients")
	url := a.pool.Config().ConnString()
	fl := &mirror.Follower{
		Mirror: &mirror.Mirror{Dir: dir, Store: a.store},
		Dial: func(ctx context.Context) (mirror.Feed, error) {
			return store.DialChangeFeed(ctx, url)
		},
		Retry: 50 * time.Millisecond,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fl.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("follower: %v", err)
		}
	})
	waitTree(t, "the follower's first reconcile", time.Now(), func() bool { return !fl.Status().LastReconcile.IsZero() })
	return dir
}

// waitTree polls cond for up to 10 s and says how long it took since start.
func waitTree(t *testing.T, what string, start time.Time, cond func() bool) time.Duration {
	t.Helper()
	for !cond() {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

func pathExists(p string) bool {
	_, err := os.Stat(p)
	return !errors.Is(err, fs.ErrNotExist)
}
