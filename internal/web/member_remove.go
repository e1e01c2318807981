package web

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// memberRemove is POST /tenants/:id/members/:user/remove. Only the
// confirming form removes (see confirmed); the person's session loses the
// tenant at their next request (roles are read on every request). The last
// owner stays, and nobody removes themselves (409).
func (s *server) memberRemove(c echo.Context) error {
	if !confirmed(c) {
		p, err := s.Members.List(c.Request().Context(), s.actor(c), c.Param("id"))
		if err != nil {
			return err
		}
		// Who may not change the people is told so by the action itself.
		if p.CanManage {
			for _, m := range p.Members {
				if m.UserID == c.Param("user") {
					return s.askPage(c, tenantviews.MemberRemoval(p.Tenant, m, csrfToken(c)), tenantviews.MembersURL(p.Tenant.ID))
				}
			}
			return fmt.Errorf("member %q: %w", c.Param("user"), apperr.ErrNotFound)
		}
	}
	m, err := s.Members.Remove(c.Request().Context(), s.actor(c), c.Param("id"), c.Param("user"))
	return s.membersDone(c, tenant.InviteInput{}, m.Email+" was removed.", err)
}
