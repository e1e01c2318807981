package web

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// invitationRevoke is POST /tenants/:id/invitations/:invitation/revoke;
// only the confirming form revokes (see confirmed).
func (s *server) invitationRevoke(c echo.Context) error {
	if !confirmed(c) {
		p, err := s.Members.List(c.Request().Context(), s.actor(c), c.Param("id"))
		if err != nil {
			return err
		}
		// Who may not change the people is told so by the action itself.
		if p.CanManage {
			for _, inv := range p.Invitations {
				if inv.ID == invitationID(c) {
					return s.askPage(c, tenantviews.InvitationRevocation(p.Tenant, inv, csrfToken(c)), tenantviews.MembersURL(p.Tenant.ID))
				}
			}
			return fmt.Errorf("invitation %q: %w", c.Param("invitation"), apperr.ErrNotFound)
		}
	}
	inv, err := s.Members.Revoke(c.Request().Context(), s.actor(c), c.Param("id"), invitationID(c))
	return s.membersDone(c, tenant.InviteInput{}, "The invitation of "+inv.Email+" was revoked.", err)
}
