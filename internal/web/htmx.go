package web

import (
	"bytes"
	"encoding/json"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// htmxRequest is what the HX-* request headers say, parsed once.
type htmxRequest struct {
	Request        bool // HX-Request: sent by htmx
	Boosted        bool // HX-Boosted: a boosted link or form wants a whole page
	HistoryRestore bool // HX-History-Restore-Request: back/forward wants a whole page
	Target         string
}

func htmxOf(c echo.Context) htmxRequest {
	h := c.Request().Header
	return htmxRequest{
		Request:        h.Get("HX-Request") == "true",
		Boosted:        h.Get("HX-Boosted") == "true",
		HistoryRestore: h.Get("HX-History-Restore-Request") == "true",
		Target:         h.Get("HX-Target"),
	}
}

// wantsFragment reports whether the answer should be a fragment, not a page.
func (h htmxRequest) wantsFragment() bool {
	return h.Request && !h.Boosted && !h.HistoryRestore
}

// setToast asks the page (static/js/app.js) to show message as a toast of
// level ("success", "error") once htmx has swapped the answer.
func setToast(c echo.Context, level, message string) {
	trigger, _ := json.Marshal(map[string]any{"toast": map[string]string{"level": level, "message": message}})
	c.Response().Header().Set("HX-Trigger", string(trigger))
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes comp with status. It renders into a buffer first, so a
// failing template produces the error page, never half a page.
func render(c echo.Context, status int, comp templ.Component) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(buf.Bytes())
	return err
}

// renderPageOrFragment answers an htmx request with fragment and any other
// request with page. Vary tells caches the two are different answers.
func renderPageOrFragment(c echo.Context, status int, page, fragment templ.Component) error {
	c.Response().Header().Add("Vary", "HX-Request")
	if htmxOf(c).wantsFragment() {
		return render(c, status, fragment)
	}
	return render(c, status, page)
}
