package web

import (
	"github.com/labstack/echo/v4"

	staffviews "github.com/tenant-console/console/views/staff"
)

// The API tokens section of the staff page (views/staff/tokens.templ).

const (
	sessTokenNotice = "api_token_notice"
	// tokensFormKey carries what a token action answers with (a refused
	// name, a token just made) to the staff page it renders.
	tokensFormKey = "api_tokens_form"
)

// staffTokens is the section's data for this request: every token, and
// what a token action put aside for it.
func (s *server) staffTokens(c echo.Context) (staffviews.TokensProps, error) {
	p, _ := c.Get(tokensFormKey).(staffviews.TokensProps)
	list, err := s.APITokens.List(c.Request().Context(), s.actor(c))
	if err != nil {
		return p, err
	}
	p.Tokens, p.CSRFToken = list, csrfToken(c)
	if p.Created == nil && p.Notice == "" {
		p.Notice = s.Sessions.PopString(c.Request().Context(), sessTokenNotice)
	}
	return p, nil
}
