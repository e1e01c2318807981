package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
)

// A person searches the list: the results swap in place (no page load), the
// URL follows, and the back button brings the earlier list back.
func TestBrowserSearchSwapsResultsAndBackRestores(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ctx := bt.New(t)

	bt.Do(t, ctx, "open the list", chromedp.Navigate(a.URL+"/tenants"),
		chromedp.WaitVisible(chromedp.CSS("#tenant-search")))
	bt.WaitTrue(t, ctx, "htmx to load", `typeof htmx !== "undefined"`)
	// A marker on window survives htmx swaps but not a full page load.
	bt.Eval[bool](t, ctx, `window.__samePage = true`)

	bt.Do(t, ctx, "type a search", chromedp.SendKeys(chromedp.CSS("#tenant-search"), "kruger"))
	bt.WaitTrue(t, ctx, "the results to show only Kruger",
		`document.querySelector("#tenant-summary")?.textContent.includes("of 1 tenant") &&
		 document.querySelectorAll("#tenant-results tbody tr").length === 1 &&
		 document.querySelector("#tenant-results tbody tr").textContent.includes("Kruger Safaris")`)
	bt.WaitTrue(t, ctx, "the URL to carry the search", `location.search.includes("q=kruger")`)
	if !bt.Eval[bool](t, ctx, `window.__samePage === true`) {
		t.Fatal("the search reloaded the whole page instead of swapping the results")
	}
	bt.WaitTrue(t, ctx, "the All tab to count the match",
		`document.querySelector('#status-tabs [aria-current="page"] .tab-count').textContent.trim() === "1"`)

	bt.Do(t, ctx, "open the Suspended tab", chromedp.Click(chromedp.CSS(`#status-tabs a[href*="status=suspended"]`)))
	bt.WaitTrue(t, ctx, "the URL to carry the status", `location.search.includes("status=suspended") && location.search.includes("q=kruger")`)
	bt.WaitTrue(t, ctx, "the empty state", `document.querySelector("#tenant-results").textContent.includes("No tenant matches")`)

	bt.Do(t, ctx, "go back", chromedp.NavigateBack())
	bt.WaitTrue(t, ctx, "back to the search without a status",
		`location.search === "?q=kruger" && document.querySelectorAll("#tenant-results tbody tr").length === 1`)
	if v := bt.Eval[string](t, ctx, `document.querySelector("#tenant-search").value`); v != "kruger" {
		t.Fatalf("after back the search box shows %q", v)
	}

	bt.Do(t, ctx, "go back again", chromedp.NavigateBack())
	bt.WaitTrue(t, ctx, "the full list", `location.search === "" && document.querySelectorAll("#tenant-results tbody tr").length === 25`)
	if v := bt.Eval[string](t, ctx, `document.querySelector("#tenant-search").value`); v != "" {
		t.Fatalf("after back the search box shows %q", v)
	}
}
