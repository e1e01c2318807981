package web

import (
	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/tenant"
)

// staffRemove is POST /staff/:user/remove: the staff role goes (at the
// person's next request); the account stays. The last platform admin stays.
func (s *server) staffRemove(c echo.Context) error {
	st, err := s.Staff.Remove(c.Request().Context(), s.actor(c), c.Param("user"))
	return s.staffDone(c, tenant.StaffInput{}, st.Email+" is no longer staff.", err)
}
