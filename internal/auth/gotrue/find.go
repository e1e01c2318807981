package gotrue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// asks GET /admin/users?filter= itself and follows the pages. The filter is
// a case-sensitive substring match and GoTrue stores emails in lower case,
// hence the second try with the lower-cased address.
func (c *Client) FindUserByEmail(ctx context.Context, email string) (User, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return User{}, wrap("find user by email", fmt.Errorf("empty email: %w", apperr.ErrNotFound))
	}
	filters := []string{email}
	if lower := strings.ToLower(email); lower != email {
		filters = append(filters, lower)
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
	for page := 1; page <= findMaxPages; page++ {
		users, err := c.listUsers(ctx, filter, page)
		if err != nil {
			return User{}, err
		}
		for _, u := range users {
			if strings.EqualFold(u.Email, want) {
				return userFrom(u), nil
			}
		}
		if len(users) < findPageSize {
			return User{}, errNoMatch
		}
	}
	return User{}, fmt.Errorf("more than %d pages of accounts match %q", findMaxPages, filter)
}

// listUsers fetches one page of GET /admin/users.
func (c *Client) listUsers(ctx context.Context, filter string, page int) ([]types.User, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()

	q := url.Values{}
	q.Set("filter", filter)
	q.Set("page", strconv.Itoa(page))
	q.Set("per_page", strconv.Itoa(findPageSize))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+"/admin/users?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.serviceKey)
	req.Header.Set("apikey", c.serviceKey)
	req.Header.Set("Accept", "application/json")

	hc := c.boundClient(ctx)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, ParseError(err)
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, parseBody(resp.StatusCode, raw)
	}
	var list struct {
		Users []types.User `json:"users"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, fmt.Errorf("decode user list: %w", err)
	}
	return list.Users, nil
}
