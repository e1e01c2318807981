package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth/devgotrue"
	devviews "github.com/tenant-console/console/views/dev"
)

// DevMailbox is the embedded development auth server's mailbox: the
// e-mails it would have sent.
type DevMailbox interface {
	Mail(ctx context.Context, limit int) ([]devgotrue.Mail, error)
	MailByID(ctx context.Context, id int64) (devgotrue.Mail, error)
}

// mailboxSize is how many of the newest e-mails the mailbox lists.
const mailboxSize = 200

// devMailbox is GET /dev/mail: dev only (404 otherwise, or when GoTrue is
// a real one, which sends its mail).
func (s *server) devMailbox(c echo.Context) error {
	if !s.Dev || s.DevMail == nil {
		return apperr.ErrNotFound
	}
	mail, err := s.DevMail.Mail(c.Request().Context(), mailboxSize)
	if err != nil {
		return err
	}
	props := devviews.MailboxProps{Chrome: s.chrome(c, "Development mailbox", "")}
	for _, m := range mail {
		props.Messages = append(props.Messages, devMessage(m))
	}
	return render(c, http.StatusOK, devviews.Mailbox(props))
}

// devMail is GET /dev/mail/:id, one e-mail with its link.
func (s *server) devMail(c echo.Context) error {
	if !s.Dev || s.DevMail == nil {
		return apperr.ErrNotFound
	}
	id, err := strconv.ParseInt(c.Param("mail"), 10, 64)
	if err != nil {
		return apperr.ErrNotFound
	}
	m, err := s.DevMail.MailByID(c.Request().Context(), id)
	if errors.Is(err, devgotrue.ErrNoMail) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, devviews.Mail(devviews.MailProps{
		Chrome: s.chrome(c, m.Subject, ""), Message: devMessage(m),
	}))
}

// devMessage adds the link a template pointing at the console directly
// would carry: the redirect's site with /auth/confirm.
func devMessage(m devgotrue.Mail) devviews.Message {
	msg := devviews.Message{ID: m.ID, To: m.To, Subject: m.Subject, Kind: m.Kind, Link: m.Link, SentAt: m.SentAt}
	if u, err := url.Parse(m.RedirectTo); err == nil && u.Host != "" {
		msg.ConfirmLink = u.Scheme + "://" + u.Host + "/auth/confirm?" +
			url.Values{"token_hash": {m.TokenHash}, "type": {m.Kind}}.Encode()
	}
	return msg
}
