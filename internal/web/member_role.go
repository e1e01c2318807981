package web

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/tenant"
)

// memberRole is POST /tenants/:id/members/:user/role. The last owner keeps
// the role (409).
func (s *server) memberRole(c echo.Context) error {
	m, err := s.Members.ChangeRole(c.Request().Context(), s.actor(c), c.Param("id"), c.Param("user"), c.FormValue("role"))
	return s.membersDone(c, tenant.InviteInput{}, fmt.Sprintf("%s is now %s.", m.Email, m.Role), err)
}
