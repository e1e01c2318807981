package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
)

// staffTokenRevoke is POST /staff/api-tokens/:token/revoke: the token
// stops opening the API at its next request.
func (s *server) staffTokenRevoke(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("token"), 10, 64)
	if err != nil {
		return apperr.ErrNotFound
	}
	tok, err := s.APITokens.Revoke(c.Request().Context(), s.actor(c), id)
	if err != nil {
		return err
	}
	s.Sessions.Put(c.Request().Context(), sessTokenNotice, "The token "+tok.Name+" is revoked: it no longer opens the API.")
	return c.Redirect(http.StatusSeeOther, "/staff#api-tokens")
}
