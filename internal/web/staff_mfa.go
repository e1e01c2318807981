package web

import (
	"errors"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
)

// staffMFAReset is POST /staff/:user/mfa/reset (platform admins): every
// second factor of another staff member goes, with a reason; they enrol
// again at their next request (their sessions fall to aal1 at GoTrue).
func (s *server) staffMFAReset(c echo.Context) error {
	ctx := c.Request().Context()
	actor := s.actor(c)
	list, err := s.Staff.List(ctx, actor)
	if err != nil {
		return err
	}
	var target tenant.StaffMember
	for _, st := range list {
		if st.UserID == c.Param("user") {
			target = st
		}
	}
	if target.UserID == "" {
		return apperr.ErrNotFound
	}
	n, err := s.Auth.ResetStaffFactors(ctx, actor, target, c.FormValue("reason"))
	var ae *apperr.Error
	switch {
	case errors.As(err, &ae) && ae.Message != "":
		return s.staffPage(c, errStatus(err), tenant.StaffInput{}, nil, "", ae.Message)
	case err != nil:
		return err
	case n == 0:
		return s.staffDone(c, tenant.StaffInput{}, target.Email+" has no second factor: nothing to reset.", nil)
	}
	return s.staffDone(c, tenant.StaffInput{}, fmt.Sprintf(
		"%s's second factor is reset: they set up a new one at their next sign-in or click.", target.Email), nil)
}
