package web

import (
	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/tenant"
)

// memberInvite is POST /tenants/:id/members: invite by e-mail with a role.
// A new address gets a GoTrue invitation; one that has an account is added
// at once and keeps its password; a member or a pending invitation is said
// so and nothing changes. The form's idempotency key makes a double submit
// answer the first one's result.
func (s *server) memberInvite(c echo.Context) error {
	form := tenant.InviteInput{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: c.FormValue("role"),
		IdempotencyKey: c.FormValue("idempotency_key")}
	res, err := s.Members.Invite(c.Request().Context(), s.actor(c), c.Param("id"), form)
	return s.membersDone(c, form, res.Message(), err)
}
