package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// sessTenantNotice carries a one-off message to the next tenant page (after
// a post/redirect/get without htmx).
const sessTenantNotice = "tenant_notice"

// tenantSecretReplace is POST /tenants/:id/secrets/:name: a platform admin
// replaces one credential. The value is write-only: it is sealed at once and
// never echoed, logged or stored in plain text; the audit trail records the
// secret's name and key id. htmx gets the card back with a notice; a plain
// form post is redirected to the tenant page.
func (s *server) tenantSecretReplace(c echo.Context) error {
	if s.Secrets == nil {
		return errors.New("secret replacement is not wired (web.Deps.Secrets is nil)")
	}
	ctx := c.Request().Context()
	actor := s.actor(c)
	id, name := c.Param("id"), c.Param("name")
	res, err := s.Secrets.Replace(ctx, actor, id, name, secrets.NewValue(c.FormValue("value")))
	if verr, ok := apperr.AsValidation(err); ok {
		return s.secretsAnswer(c, actor, http.StatusUnprocessableEntity, id, "", map[string]string{name: verr.Get("value")})
	}
	if err != nil {
		return err
	}
	notice := secretNotice(name, res)
	if htmxOf(c).wantsFragment() {
		setToast(c, "success", notice)
		return s.secretsAnswer(c, actor, http.StatusOK, id, notice, nil)
	}
	s.Sessions.Put(ctx, sessTenantNotice, notice)
	return c.Redirect(http.StatusSeeOther, "/tenants/"+url.PathEscape(id)+"#secrets-card")
}

// secretNotice says what replacing a credential did.
func secretNotice(name string, res tenant.SecretReplaced) string {
	label := tenantviews.SecretLabel(name)
	switch {
	case !res.Changed:
		return "No changes: " + label + " already holds this value, so nothing was written."
	case res.Kind == tenant.SecretEnvRef:
		return label + " now reads the environment variable " + res.EnvRef + "."
	}
	return label + " replaced; it is stored encrypted (key " + res.KeyID + ")."
}

// secretsAnswer renders the credentials card: alone for htmx, inside a page
// otherwise.
func (s *server) secretsAnswer(c echo.Context, actor tenant.Actor, status int, id, notice string, errs map[string]string) error {
	d, err := s.Tenants.Get(c.Request().Context(), actor, id)
	if err != nil {
		return err
	}
	card := tenantviews.SecretsProps{TenantID: d.Tenant.ID, Secrets: d.Secrets, CSRFToken: csrfToken(c),
		Notice: notice, Errors: errs, ReadOnly: d.Tenant.ReadOnly(), Location: tenantLocation(d)}
	c.Response().Header().Add("Vary", "HX-Request")
	if htmxOf(c).wantsFragment() {
		return render(c, status, tenantviews.SecretsCard(card))
	}
	return render(c, status, tenantviews.SecretsPage(tenantviews.SecretsPageProps{
		Chrome: s.chrome(c, d.Tenant.Name, "tenants"), TenantName: d.Tenant.Name, Card: card,
	}))
}
