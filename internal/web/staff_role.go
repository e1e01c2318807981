package web

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/tenant"
)

// staffRole is POST /staff/:user/role. The last platform admin stays one.
func (s *server) staffRole(c echo.Context) error {
	st, err := s.Staff.ChangeRole(c.Request().Context(), s.actor(c), c.Param("user"), c.FormValue("role"))
	return s.staffDone(c, tenant.StaffInput{}, fmt.Sprintf("%s is now %s.", st.Email, st.Role), err)
}
