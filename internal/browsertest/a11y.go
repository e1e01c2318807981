package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, pinned and checked by `make vendor-axe`. The test
// injects it through DevTools, so the console's CSP (no inline scripts)
// stays as it is in production.
//
//go:embed axe.min.js
var axeSource string

// PagesChecked counts the pages CheckA11y has run axe on in this process.
var PagesChecked atomic.Int64

type axeNode struct {
	Target []any  `json:"target"`
	HTML   string `json:"html"`
}

type axeViolation struct {
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	Nodes  []axeNode `json:"nodes"`
}

// CheckA11y runs axe-core on the page as it is now and fails the test on
// any violation of impact serious or critical, naming the rule, its impact
// and the elements. page names the screen in the message.
func CheckA11y(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	start := time.Now()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined" || (function(){`+axeSource+`
		;return true})()`)); err != nil {
		t.Fatalf("axe on %s: inject: %v", page, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]})
		.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe on %s: run: %v", page, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("axe on %s: %v", page, err)
	}
	PagesChecked.Add(1)
	t.Logf("axe: %s checked in %s, %d violation(s) of any impact", page, time.Since(start).Round(time.Millisecond), len(vs))
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprintf("%v %s", n.Target, clipHTML(n.HTML)))
		}
		t.Errorf("axe on %s: %s (%s): %s\n\t%s", page, v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
	}
}

func clipHTML(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

// Screenshot saves the whole page as it is now as name.png into the test's
// temporary directory. When readme is true it saves the 1280×800 viewport
// instead (the same size every time, and small enough to commit), into
// SCREENSHOTS_DIR when that is set (`make screenshots` points it at
// docs/screenshots).
func Screenshot(t *testing.T, ctx context.Context, name string, readme bool) {
	t.Helper()
	dir := os.Getenv("SCREENSHOTS_DIR")
	if dir == "" || !readme {
		dir = t.TempDir()
	}
	shot := chromedp.FullScreenshot(100)
	if readme {
		shot = chromedp.CaptureScreenshot()
	}
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
}

// Screen is what a journey does on each key screen: check it with axe and
// keep a picture of it.
func Screen(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	CheckA11y(t, ctx, name)
	Screenshot(t, ctx, name, false)
}

// ReadmeScreen is Screen for the screens the README shows: `make
// screenshots` refreshes their pictures under docs/screenshots.
func ReadmeScreen(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	CheckA11y(t, ctx, name)
	Screenshot(t, ctx, name, true)
}

// TabReaches presses Tab from the top of the page until every element that
// selectors match has had the keyboard focus, failing the test with those
// never reached. Each must show a visible focus style when reached by
// keyboard (an outline or a focus ring's box-shadow).
func TabReaches(t *testing.T, ctx context.Context, what string, selectors ...string) {
	t.Helper()
	want := Eval[int](t, ctx, `(() => {
		window.__tabWant = new Set();
		for (const s of `+jsonString(selectors)+`) document.querySelectorAll(s).forEach(el => window.__tabWant.add(el));
		window.__tabSeen = new Set(); window.__tabUnstyled = [];
		document.activeElement?.blur();
		return window.__tabWant.size;
	})()`)
	if want == 0 {
		t.Fatalf("%s: no element matches %v", what, selectors)
	}
	for i := 0; i < 300; i++ {
		if _, err := chromedp.Run(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatalf("%s: tab: %v", what, err)
		}
		done := Eval[bool](t, ctx, `(() => {
			const el = document.activeElement;
			if (el && window.__tabWant.has(el) && !window.__tabSeen.has(el)) {
				window.__tabSeen.add(el);
				const cs = getComputedStyle(el);
				const outline = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0;
				if (!outline && (cs.boxShadow === "none" || cs.boxShadow === "")) window.__tabUnstyled.push(el.outerHTML.slice(0, 120));
			}
			return window.__tabSeen.size === window.__tabWant.size;
		})()`)
		if done {
			break
		}
	}
	missed := Eval[[]string](t, ctx, `[...window.__tabWant].filter(el => !window.__tabSeen.has(el)).map(el => el.outerHTML.slice(0, 120))`)
	if len(missed) > 0 {
		t.Errorf("%s: Tab never reached %d of %d controls:\n\t%s", what, len(missed), want, strings.Join(missed, "\n\t"))
	}
	if unstyled := Eval[[]string](t, ctx, `window.__tabUnstyled`); len(unstyled) > 0 {
		t.Errorf("%s: no visible focus style on:\n\t%s", what, strings.Join(unstyled, "\n\t"))
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
