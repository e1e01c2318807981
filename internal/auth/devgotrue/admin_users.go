package devgotrue

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// adminUserParams is the body of POST and PUT /admin/users. BanDuration is
// a Go duration string ("876000h") or "none"; a JSON number (what gotrue-go
// sends) does not decode, which GoTrue answers with bad_json.
type adminUserParams struct {
	Email        string         `json:"email"`
	Phone        string         `json:"phone"`
	Password     *string        `json:"password"`
	EmailConfirm bool           `json:"email_confirm"`
	UserMetadata map[string]any `json:"user_metadata"`
	BanDuration  string         `json:"ban_duration"`
}

// banDuration parses ban_duration; ok is false when it is absent. "none"
// is a zero duration, which lifts a ban.
func (p adminUserParams) banDuration() (d time.Duration, ok bool, err error) {
	switch p.BanDuration {
	case "":
		return 0, false, nil
	case "none":
		return 0, true, nil
	}
	d, err = time.ParseDuration(p.BanDuration)
	if err != nil {
		return 0, false, newError(http.StatusBadRequest, "validation_failed", "invalid format for ban duration: %v", err)
	}
	return d, true, nil
}

// applyBan is GoTrue's User.Ban: zero clears banned_until.
func applyBan(u *userRow, d time.Duration, now time.Time) {
	if d == 0 {
		u.BannedUntil = nil
		return
	}
	until := now.Add(d)
	u.BannedUntil = &until
}

// adminCreateUser is POST /admin/users. Unlike /signup it applies no
// password policy: a 5-character password is accepted.
func (s *Server) adminCreateUser(w http.ResponseWriter, r *http.Request) error {
	var p adminUserParams
	if err := readJSON(r, &p); err != nil {
		return err
	}
	if p.Email == "" && p.Phone == "" {
		return newError(http.StatusBadRequest, "validation_failed", "Cannot create a user without either an email or phone")
	}
	if p.Email == "" {
		return newError(http.StatusBadRequest, "validation_failed", "The development auth server supports email accounts only")
	}
	email, err := validateEmail(p.Email)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := findUserByEmail(ctx, s.pool, email); err == nil {
		return errEmailExists()
	} else if !errors.Is(err, errNoUser) {
		return err
	}
	var hash string
	if p.Password == nil || *p.Password == "" {
		hash, err = randomPasswordHash()
	} else {
		hash, err = hashPassword(*p.Password, s.opts.PasswordHashCost)
	}
	if err != nil {
		return err
	}
	ban, banned, err := p.banDuration()
	if err != nil {
		return err
	}
	now := s.opts.Now()
	u := userRow{
		ID: uuid.New(), Email: email, EncryptedPassword: &hash,
		UserMetadata: p.UserMetadata, CreatedAt: now, UpdatedAt: now,
	}
	if p.EmailConfirm {
		confirm(&u, now)
	}
	if banned {
		applyBan(&u, ban, now)
	}
	if err := insertUser(ctx, s.pool, u); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toJSON(u))
	return nil
}

// GoTrue's paging: page from 1, per_page up to 1000, 50 by default.
const (
	defaultPerPage = 50
	maxPerPage     = 1000
)

// adminListUsers is GET /admin/users with GoTrue's paging headers.
func (s *Server) adminListUsers(w http.ResponseWriter, r *http.Request) error {
	page, perPage, err := paging(r.URL.Query())
	if err != nil {
		return newError(http.StatusBadRequest, "validation_failed", "Bad Pagination Parameters: %v", err)
	}
	users, total, err := listUsers(r.Context(), s.pool, r.URL.Query().Get("filter"), page, perPage)
	if err != nil {
		return err
	}
	out := struct {
		Users []userJSON `json:"users"`
		Aud   string     `json:"aud"`
	}{Users: make([]userJSON, 0, len(users)), Aud: audience}
	for _, u := range users {
		out.Users = append(out.Users, toJSON(u))
	}
	w.Header().Set("Link", linkHeader(r.URL, page, perPage, total))
	w.Header().Set("X-Total-Count", strconv.FormatUint(total, 10))
	writeJSON(w, http.StatusOK, out)
	return nil
}

func paging(q url.Values) (page, perPage uint64, err error) {
	page, perPage = 1, defaultPerPage
	if v := q.Get("page"); v != "" {
		if page, err = strconv.ParseUint(v, 10, 64); err != nil {
			return 0, 0, err
		}
		if page == 0 {
			return 0, 0, errors.New("page must be greater than 0")
		}
		if page > math.MaxInt32 {
			return 0, 0, errors.New("page exceeds maximum allowed value")
		}
	}
	if v := q.Get("per_page"); v != "" {
		if perPage, err = strconv.ParseUint(v, 10, 64); err != nil {
			return 0, 0, err
		}
		if perPage == 0 {
			return 0, 0, errors.New("per_page must be greater than 0")
		}
		if perPage > maxPerPage {
			return 0, 0, fmt.Errorf("per_page must not exceed %d", maxPerPage)
		}
	}
	return page, perPage, nil
}

// linkHeader is GoTrue's: a "next" link while pages remain, always "last".
func linkHeader(u *url.URL, page, perPage, total uint64) string {
	last := max((total+perPage-1)/perPage, 1)
	link := func(p uint64) string {
		q := u.Query()
		q.Set("page", strconv.FormatUint(p, 10))
		return "<" + u.Path + "?" + q.Encode() + ">"
	}
	header := ""
	if last > page {
		header = link(page+1) + `; rel="next", `
	}
	return header + link(last) + `; rel="last"`
}
