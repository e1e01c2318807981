package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	staffviews "github.com/tenant-console/console/views/staff"
)

// staffTokenCreate is POST /staff/api-tokens: makes a token and answers
// with the staff page showing it, this once. No redirect: the token is
// never put in the session (or anywhere else) to show it later.
func (s *server) staffTokenCreate(c echo.Context) error {
	name := c.FormValue("name")
	made, err := s.APITokens.Create(c.Request().Context(), s.actor(c), name)
	if verr, ok := apperr.AsValidation(err); ok {
		c.Set(tokensFormKey, staffviews.TokensProps{Name: name, Error: verr.Fields["name"]})
		return s.staffPage(c, errStatus(err), tenant.StaffInput{}, nil, "", "")
	}
	if err != nil {
		return err
	}
	// The page holds a secret: no cache may keep it.
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	c.Set(tokensFormKey, staffviews.TokensProps{Created: &made})
	return s.staffPage(c, http.StatusOK, tenant.StaffInput{}, nil, "", "")
}
