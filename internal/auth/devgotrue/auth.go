package devgotrue

import (
	"errors"
	"net/http"
	"regexp"

	"github.com/google/uuid"
)

var bearer = regexp.MustCompile(`^(?:B|b)earer (\S+$)`)

func bearerToken(r *http.Request) (string, error) {
	m := bearer.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return "", newError(http.StatusUnauthorized, "no_authorization", "This endpoint requires a valid Bearer token")
	}
	return m[1], nil
}

// withAdmin is GoTrue's requireAdminCredentials: a valid token whose role
// may use the admin API.
func (s *Server) withAdmin(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, err := bearerToken(r)
		if err != nil {
			return err
		}
		c, err := parseToken(s.secret, s.opts.Now, token)
		if err != nil {
			return errBadJWT(err)
		}
		if !adminRoles[c.Role] {
			return newError(http.StatusForbidden, "not_admin", "User not allowed")
		}
		return h(w, r)
	}
}

// caller is the signed-in user behind a request's access token, and the
// session as stored (its aal is the session's now, not the token's).
type caller struct {
	user      userRow
	sessionID uuid.UUID
	session   sessionRow
}

// withUser is GoTrue's requireAuthentication, checks in its order: token,
// user, session, then the ban, which also stops tokens issued before it.
func (s *Server) withUser(h func(http.ResponseWriter, *http.Request, caller) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, err := bearerToken(r)
		if err != nil {
			return err
		}
		c, err := parseToken(s.secret, s.opts.Now, token)
		if err != nil {
			return errBadJWT(err)
		}
		if c.Subject == "" {
			return newError(http.StatusForbidden, "bad_jwt", "invalid claim: missing sub claim")
		}
		userID, err := uuid.Parse(c.Subject)
		if err != nil {
			return newError(http.StatusBadRequest, "bad_jwt", "invalid claim: sub claim must be a UUID")
		}
		ctx := r.Context()
		u, err := findUserByID(ctx, s.pool, userID)
		if errors.Is(err, errNoUser) {
			return newError(http.StatusForbidden, "user_not_found", "User from sub claim in JWT does not exist")
		}
		if err != nil {
			return err
		}
		var sessionID uuid.UUID
		var sess sessionRow
		if c.SessionID != "" && c.SessionID != uuid.Nil.String() {
			if sessionID, err = uuid.Parse(c.SessionID); err != nil {
				return newError(http.StatusForbidden, "bad_jwt", "invalid claim: session_id claim must be a UUID")
			}
			var ok bool
			sess, ok, err = findSession(ctx, s.pool, sessionID)
			if err != nil {
				return err
			}
			if !ok {
				return newError(http.StatusForbidden, "session_not_found",
					"Session from session_id claim in JWT does not exist")
			}
		}
		if u.bannedAt(s.opts.Now()) {
			return newError(http.StatusForbidden, "user_banned", "User is banned")
		}
		return h(w, r, caller{user: u, sessionID: sessionID, session: sess})
	}
}

// withTargetUser is GoTrue's loadUser for /admin/users/{id}.
func (s *Server) withTargetUser(h func(http.ResponseWriter, *http.Request, userRow) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := uuid.Parse(r.PathValue("id"))
		if err != nil {
			return newError(http.StatusNotFound, "validation_failed", "user_id must be an UUID")
		}
		u, err := findUserByID(r.Context(), s.pool, id)
		if errors.Is(err, errNoUser) {
			return newError(http.StatusNotFound, "user_not_found", "User not found")
		}
		if err != nil {
			return err
		}
		return h(w, r, u)
	}
}
