// Package browsertest starts a headless Chromium for journey tests.
//
// Tests skip when no Chromium is installed, unless CHROMIUM_REQUIRED=1 (CI
// sets it) turns that into a failure. CHROMIUM_PATH names a binary
// explicitly.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds one journey; a hung page fails the test instead of CI.
// A whole journey with axe on each screen takes 20–40 s on a busy 2-core
// machine; the bound leaves room for that.
const Timeout = 150 * time.Second

// New returns a context driving a fresh tab of a fresh headless Chromium
// with its own empty profile, closed when the test ends.
func New(t *testing.T) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv("CHROMIUM_REQUIRED") == "1" {
			t.Fatal("chromium is not installed (apt-get install chromium) and CHROMIUM_REQUIRED=1")
		}
		t.Skip("chromium is not installed; apt-get install chromium to run browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1280, 800),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), Timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	// The page itself is 1280×800 whatever the window's frame takes, so
	// screenshots have one size on every machine.
	if err := chromedp.Do(tabCtx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return tabCtx
}

func findChromium() string {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// WaitTrue waits until the JavaScript expression is true, failing the test
// with what after 30 s. A page load in the middle (a form submit, a
// redirect) restarts the wait on the new page.
func WaitTrue(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		navigated := strings.Contains(err.Error(), "navigated or closed") || strings.Contains(err.Error(), "Cannot find context")
		if !navigated || time.Now().After(deadline) {
			t.Fatalf("waiting for %s (%s): %v", what, expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Do runs steps, failing the test with what on error.
func Do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Eval evaluates expr and returns its value.
func Eval[T any](t *testing.T, ctx context.Context, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// WaitHTMXIdle waits until htmx has no request in flight and has finished
// swapping and settling, so the new content is live (its links upgraded).
func WaitHTMXIdle(t *testing.T, ctx context.Context) {
	t.Helper()
	WaitTrue(t, ctx, "htmx to settle",
		`typeof htmx !== "undefined" && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")`)
}
