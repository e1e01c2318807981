package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/tenant"
	staffviews "github.com/tenant-console/console/views/staff"
)

const sessStaffNotice = "staff_notice"

// staffList is GET /staff (platform admins): the platform's staff.
func (s *server) staffList(c echo.Context) error {
	notice := s.Sessions.PopString(c.Request().Context(), sessStaffNotice)
	return s.staffPage(c, http.StatusOK, tenant.StaffInput{}, nil, notice, "")
}

func (s *server) staffPage(c echo.Context, status int, form tenant.StaffInput, errs map[string]string, notice, problem string) error {
	if form.IdempotencyKey == "" {
		form.IdempotencyKey = tenant.NewIdempotencyKey() // a new form; a form sent back keeps its own
	}
	list, err := s.Staff.List(c.Request().Context(), s.actor(c))
	if err != nil {
		return err
	}
	tokens, err := s.staffTokens(c)
	if err != nil {
		return err
	}
	return render(c, status, staffviews.Page(staffviews.Props{
		Chrome: s.chrome(c, "Staff", "staff"), Staff: list, Form: form, Errors: errs, Notice: notice, Problem: problem,
		Tokens: tokens,
		Viewer: s.actor(c),
	}))
}

// staffDone answers a change to the staff (see answerChange).
func (s *server) staffDone(c echo.Context, form tenant.StaffInput, notice string, err error) error {
	page := func(status int, errs map[string]string, problem string) error {
		return s.staffPage(c, status, form, errs, "", problem)
	}
	return s.answerChange(c, err, page, sessStaffNotice, notice, "/staff")
}
