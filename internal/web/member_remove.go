package web

import (
	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/tenant"
)

// memberRemove is POST /tenants/:id/members/:user/remove. The person's
// session loses the tenant at their next request (roles are read on every
// request). The last owner stays (409).
func (s *server) memberRemove(c echo.Context) error {
	m, err := s.Members.Remove(c.Request().Context(), s.actor(c), c.Param("id"), c.Param("user"))
	return s.membersDone(c, tenant.InviteInput{}, m.Email+" was removed.", err)
}
