package devgotrue

import (
	"net/http"

	"github.com/google/uuid"
)

// getUser is GET /user: the caller's own account.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request, c caller) error {
	writeJSON(w, http.StatusOK, toJSON(c.user))
	return nil
}

// logout is POST /logout. GoTrue's default scope is global: every session
// of the user ends, and their refresh tokens with them.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, c caller) error {
	scope := logoutScope(r.URL.Query().Get("scope"))
	switch scope {
	case "":
		scope = scopeGlobal
	case scopeGlobal, scopeLocal, scopeOthers:
	default:
		return newError(http.StatusBadRequest, "validation_failed", "Unsupported logout scope %q", scope)
	}
	if c.sessionID == uuid.Nil {
		// A token without a session: GoTrue ends every session, whatever the scope.
		scope = scopeGlobal
	}
	if err := deleteSessions(r.Context(), s.pool, c.user.ID, c.sessionID, scope); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
