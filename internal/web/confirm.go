package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/views/components"
)

// confirmed reports whether a removal's form is the confirming one (see
// views/components/confirm.go); any other POST gets the page that asks.
func confirmed(c echo.Context) bool {
	return c.FormValue(components.ConfirmField) == components.ConfirmValue
}

// askPage answers an unconfirmed removal with the page asking for it.
func (s *server) askPage(c echo.Context, ask components.Ask, back string) error {
	return render(c, http.StatusOK, components.ConfirmPage(components.ConfirmProps{
		Chrome: s.chrome(c, ask.Question, ""), Ask: ask, Back: back,
	}))
}
