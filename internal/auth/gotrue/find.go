package gotrue

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/supabase-community/gotrue-go/types"

	"github.com/tenant-console/console/internal/apperr"
)

const (
	// findPageSize is GoTrue's own default page size.
	findPageSize = 50
	// findMaxPages stops a runaway scan; a filter on a full email address
	// matches only a handful of accounts.
	findMaxPages = 200
	// maxErrorBody bounds how much of an error answer is read.
	maxErrorBody = 64 << 10
)

var errNoMatch = errors.New("no account with that email")

// FindUserByEmail returns the account whose email equals email, ignoring
// letter case (service role). No such account gives an error matching
// apperr.ErrNotFound.
//
// gotrue-go's AdminListUsers only returns the first 50 accounts, so this
// asks GET /admin/users?filter= itself and follows the pages. GoTrue's
// filter is `email LIKE '%<filter>%'` (case-sensitive; % and _ in an
// address only widen it) or an ILIKE on the full name, so every page is
// checked for the exact, case-insensitive match. GoTrue stores the emails
// it is given in lower case, so the lower-cased address is tried first,
// then the address as typed, for accounts stored otherwise (imported).
func (c *Client) FindUserByEmail(ctx context.Context, email string) (User, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return User{}, wrap("find user by email", fmt.Errorf("empty email: %w", apperr.ErrNotFound))
	}
	filters := []string{strings.ToLower(email)}
	if email != filters[0] {
		filters = append(filters, email)
	}
	for _, filter := range filters {
		u, err := c.scanUsers(ctx, filter, email)
		if errors.Is(err, errNoMatch) {
			continue
		}
		if err != nil {
			return User{}, wrap("find user by email", err)
		}
		return u, nil
	}
	return User{}, wrap("find user by email", fmt.Errorf("%w: %w", errNoMatch, apperr.ErrNotFound))
}

// scanUsers pages through the accounts matching filter and returns the one
// whose email equals want, ignoring case.
func (c *Client) scanUsers(ctx context.Context, filter, want string) (User, error) {
	var read int64
	for page := 1; page <= findMaxPages; page++ {
		users, total, err := c.listUsers(ctx, filter, page)
		if err != nil {
			return User{}, err
		}
		for _, u := range users {
			if strings.EqualFold(u.Email, want) {
				return userFrom(u), nil
			}
		}
		// X-Total-Count says when every match was read, even from a server
		// that pages by fewer than asked; without it, a short page does.
		read += int64(len(users))
		if len(users) == 0 || (total >= 0 && read >= total) || (total < 0 && len(users) < findPageSize) {
			return User{}, errNoMatch
		}
	}
	return User{}, fmt.Errorf("more than %d pages of accounts match %q", findMaxPages, filter)
}

// listUsers fetches one page of GET /admin/users and the X-Total-Count
// header (-1 when absent). page and per_page are always sent: they keep
// GoTrue in its offset paging even where its cursor paging is enabled.
func (c *Client) listUsers(ctx context.Context, filter string, page int) ([]types.User, int64, error) {
	q := url.Values{}
	q.Set("filter", filter)
	q.Set("page", strconv.Itoa(page))
	q.Set("per_page", strconv.Itoa(findPageSize))

	var (
		users []types.User
		total int64 = -1
	)
	read := func(resp *http.Response) error {
		if n, err := strconv.ParseInt(resp.Header.Get("X-Total-Count"), 10, 64); err == nil && n >= 0 {
			total = n
		}
		var list struct {
			Users []types.User `json:"users"`
		}
		if err := decodeBody(resp, &list); err != nil {
			return err
		}
		users = list.Users
		return nil
	}
	err := c.do(ctx, request{
		method: http.MethodGet, pathAndQuery: "/admin/users?" + q.Encode(),
		apikey: c.serviceKey, bearer: bearerFor(c.serviceKey), read: read,
	})
	return users, total, err
}
