package web

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/tenant"
)

// invitationID reads the :invitation parameter; a malformed one becomes 0,
// which no invitation has, so the use case still checks the role first and
// then answers "not found".
func invitationID(c echo.Context) int64 {
	id, _ := strconv.ParseInt(c.Param("invitation"), 10, 64)
	return id
}

// invitationResend is POST /tenants/:id/invitations/:invitation/resend: the
// e-mail again, and 7 more days.
func (s *server) invitationResend(c echo.Context) error {
	res, err := s.Members.Resend(c.Request().Context(), s.actor(c), c.Param("id"), invitationID(c))
	notice := res.Message()
	if res.Outcome == tenant.InviteSent {
		notice = "Invitation sent to " + res.Email + " again; it expires in 7 days."
	}
	return s.membersDone(c, tenant.InviteInput{}, notice, err)
}
