package web

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	staffviews "github.com/tenant-console/console/views/staff"
)

// staffRemove is POST /staff/:user/remove: only the confirming form
// removes (see confirmed). The staff role goes (at the person's next
// request); the account stays. The last platform admin stays, and nobody
// removes themselves (409).
func (s *server) staffRemove(c echo.Context) error {
	if !confirmed(c) {
		list, err := s.Staff.List(c.Request().Context(), s.actor(c))
		if err != nil {
			return err
		}
		for _, st := range list {
			if st.UserID == c.Param("user") {
				return s.askPage(c, staffviews.Removal(st, csrfToken(c)), "/staff")
			}
		}
		return fmt.Errorf("staff %q: %w", c.Param("user"), apperr.ErrNotFound)
	}
	st, err := s.Staff.Remove(c.Request().Context(), s.actor(c), c.Param("user"))
	return s.staffDone(c, tenant.StaffInput{}, st.Email+" is no longer staff.", err)
}
