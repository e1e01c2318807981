package web

import (
	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/tenant"
)

// invitationRevoke is POST /tenants/:id/invitations/:invitation/revoke.
func (s *server) invitationRevoke(c echo.Context) error {
	inv, err := s.Members.Revoke(c.Request().Context(), s.actor(c), c.Param("id"), invitationID(c))
	return s.membersDone(c, tenant.InviteInput{}, "The invitation of "+inv.Email+" was revoked.", err)
}
