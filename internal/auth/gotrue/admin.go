package gotrue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	gotruego "github.com/supabase-community/gotrue-go"
	"github.com/supabase-community/gotrue-go/types"

	"github.com/tenant-console/console/internal/apperr"
)

// CreateUserParams describes an account made by an administrator.
type CreateUserParams struct {
	Email string
	// Password may be empty: GoTrue then sets a random one nobody knows.
	// GoTrue's admin API applies no password policy: check it before.
	Password     string
	EmailConfirm bool
	Metadata     map[string]any
}

// CreateUser makes an account (service role). An existing email, in any
// letter case, fails with code email_exists (422); a malformed one with
// validation_failed (400). GoTrue v2.196 applies no password policy here;
// later versions do, answering weak_password (422) like /signup.
func (c *Client) CreateUser(ctx context.Context, p CreateUserParams) (User, error) {
	req := types.AdminCreateUserRequest{
		Email:        p.Email,
		EmailConfirm: p.EmailConfirm,
		UserMetadata: p.Metadata,
		// BanDuration stays zero: gotrue-go sends it as a number, which
		// GoTrue rejects with bad_json.
	}
	if p.Password != "" {
		req.Password = &p.Password
	}
	res, err := call(ctx, c, c.adminLib, func(l gotruego.Client) (*types.AdminCreateUserResponse, error) {
		return l.AdminCreateUser(req)
	})
	if err != nil {
		return User{}, wrap("create user", err)
	}
	return userFrom(res.User), nil
}

// GetUserByID returns an account (service role). An unknown or malformed id
// gives an error matching apperr.ErrNotFound.
func (c *Client) GetUserByID(ctx context.Context, id string) (User, error) {
	uid, err := parseID(id)
	if err != nil {
		return User{}, wrap("get user by id", err)
	}
	res, err := call(ctx, c, c.adminLib, func(l gotruego.Client) (*types.AdminGetUserResponse, error) {
		return l.AdminGetUser(types.AdminGetUserRequest{UserID: uid})
	})
	if err != nil {
		return User{}, wrap("get user by id", err)
	}
	return userFrom(res.User), nil
}

// BanUser bans an account for d (service role). The ban also stops the
// access and refresh tokens already issued to it.
func (c *Client) BanUser(ctx context.Context, id string, d time.Duration) (User, error) {
	if d <= 0 {
		return User{}, wrap("ban user", errors.New("ban duration must be positive"))
	}
	u, err := c.updateBan(ctx, id, types.BanDurationTime(d))
	return u, wrap("ban user", err)
}

// UnbanUser lifts a ban (service role).
func (c *Client) UnbanUser(ctx context.Context, id string) (User, error) {
	u, err := c.updateBan(ctx, id, types.BanDurationNone())
	return u, wrap("unban user", err)
}

func (c *Client) updateBan(ctx context.Context, id string, d types.BanDuration) (User, error) {
	uid, err := parseID(id)
	if err != nil {
		return User{}, err
	}
	res, err := call(ctx, c, c.adminLib, func(l gotruego.Client) (*types.AdminUpdateUserResponse, error) {
		return l.AdminUpdateUser(types.AdminUpdateUserRequest{UserID: uid, BanDuration: &d})
	})
	if err != nil {
		return User{}, err
	}
	return userFrom(res.User), nil
}

// DeleteUser removes an account and its sessions (service role).
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	uid, err := parseID(id)
	if err != nil {
		return wrap("delete user", err)
	}
	_, err = call(ctx, c, c.adminLib, func(l gotruego.Client) (struct{}, error) {
		return struct{}{}, l.AdminDeleteUser(types.AdminDeleteUserRequest{UserID: uid})
	})
	return wrap("delete user", err)
}

// parseID checks an id locally: gotrue-go takes a uuid.UUID, and no account
// can have an id that is not one.
func parseID(id string) (uuid.UUID, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return uuid.Nil, fmt.Errorf("user id %q is not a UUID: %w", id, apperr.ErrNotFound)
	}
	return uid, nil
}
