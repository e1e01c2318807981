package web

import (
	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/tenant"
)

// staffAdd is POST /staff: an existing account is linked and keeps its
// password; a new address is invited. Someone already staff gets the role.
// The form's idempotency key makes a double submit answer the first one's
// result.
func (s *server) staffAdd(c echo.Context) error {
	form := tenant.StaffInput{Email: c.FormValue("email"), Role: c.FormValue("role"),
		IdempotencyKey: c.FormValue("idempotency_key")}
	res, err := s.Staff.Ensure(c.Request().Context(), s.actor(c), form)
	return s.staffDone(c, form, res.Message(), err)
}
