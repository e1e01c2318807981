package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// sessMembersNotice carries what the last change did to the members page
// it redirects to.
const sessMembersNotice = "members_notice"

// tenantMembers is GET /tenants/:id/members: the tenant's people and open
// invitations. Owners and admins of the tenant and platform admins change
// them; support only looks; anyone else is told there is nothing here.
func (s *server) tenantMembers(c echo.Context) error {
	notice := s.Sessions.PopString(c.Request().Context(), sessMembersNotice)
	return s.membersPage(c, http.StatusOK, tenant.InviteInput{}, nil, notice, "")
}

// membersPage renders the members page with what was typed, errors beside
// their fields, and a notice or a problem.
func (s *server) membersPage(c echo.Context, status int, form tenant.InviteInput, errs map[string]string, notice, problem string) error {
	if form.IdempotencyKey == "" {
		form.IdempotencyKey = tenant.NewIdempotencyKey() // a new form; a form sent back keeps its own
	}
	p, err := s.Members.List(c.Request().Context(), s.actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, status, tenantviews.MembersPage(tenantviews.MembersProps{
		Chrome: s.chrome(c, "Members · "+p.Tenant.Name, "tenants"),
		Nav:    s.tenantNav(c, p.Tenant, tenantviews.SectionMembers),
		People: p, Form: form, Errors: errs, Notice: notice, Problem: problem,
	}))
}

// membersDone answers a change to a tenant's people (see answerChange).
func (s *server) membersDone(c echo.Context, form tenant.InviteInput, notice string, err error) error {
	page := func(status int, errs map[string]string, problem string) error {
		return s.membersPage(c, status, form, errs, "", problem)
	}
	return s.answerChange(c, err, page, sessMembersNotice, notice,
		"/tenants/"+url.PathEscape(c.Param("id"))+"/members")
}

// answerChange answers a form that changes something: post/redirect/get
// with the notice on success; the form's page again, with what was typed,
// when the change was refused: the fields' messages (422), or the sentence
// saying why the current state does not allow it (409). Anything else goes
// to the error handler.
func (s *server) answerChange(c echo.Context, err error, page func(status int, errs map[string]string, problem string) error,
	noticeKey, notice, to string) error {
	if verr, ok := apperr.AsValidation(err); ok {
		return page(errStatus(err), verr.Fields, "")
	}
	if why := tenant.Refused(err); why != "" {
		return page(errStatus(err), nil, why)
	}
	if err != nil {
		return err
	}
	s.Sessions.Put(c.Request().Context(), noticeKey, notice)
	return c.Redirect(http.StatusSeeOther, to)
}
