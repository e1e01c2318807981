package devgotrue

import "net/http"

// routes mirrors GoTrue's router for the endpoints the console uses.
// Anything else gets the router's plain-text 404, as GoTrue does.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /health", s.serve(s.health))
	mux.Handle("GET /settings", s.serve(s.settings))
	mux.Handle("POST /token", s.serve(s.token))
	mux.Handle("POST /signup", s.serve(s.signup))
	mux.Handle("POST /logout", s.serve(s.withUser(s.logout)))
	mux.Handle("GET /user", s.serve(s.withUser(s.getUser)))
	mux.Handle("PUT /user", s.serve(s.withUser(s.putUser)))
	mux.Handle("GET /verify", s.serve(s.verifyGet))
	mux.Handle("POST /verify", s.serve(s.verifyPost))
	mux.Handle("POST /recover", s.serve(s.recoverPassword))
	mux.Handle("POST /factors", s.serve(s.withUser(s.enrollFactor)))
	mux.Handle("POST /factors/{factor_id}/challenge", s.serve(s.withUser(s.withFactor(s.challengeFactor))))
	mux.Handle("POST /factors/{factor_id}/verify", s.serve(s.withUser(s.withFactor(s.verifyFactor))))
	mux.Handle("DELETE /factors/{factor_id}", s.serve(s.withUser(s.withFactor(s.unenrollFactor))))

	mux.Handle("POST /invite", s.serve(s.withAdmin(s.invite)))
	mux.Handle("GET /admin/users", s.serve(s.withAdmin(s.adminListUsers)))
	mux.Handle("POST /admin/users", s.serve(s.withAdmin(s.adminCreateUser)))
	mux.Handle("GET /admin/users/{id}", s.serve(s.withAdmin(s.withTargetUser(s.adminGetUser))))
	mux.Handle("PUT /admin/users/{id}", s.serve(s.withAdmin(s.withTargetUser(s.adminUpdateUser))))
	mux.Handle("DELETE /admin/users/{id}", s.serve(s.withAdmin(s.withTargetUser(s.adminDeleteUser))))
	mux.Handle("GET /admin/users/{id}/factors", s.serve(s.withAdmin(s.withTargetUser(s.adminListFactors))))
	mux.Handle("DELETE /admin/users/{id}/factors/{factor_id}", s.serve(s.withAdmin(s.withTargetUser(s.adminDeleteFactor))))
	// GoTrue checks admin credentials for the whole /admin tree before it
	// routes, so an unknown admin path without a key is a 401, not a 404.
	mux.Handle("/admin/", s.serve(s.withAdmin(func(w http.ResponseWriter, r *http.Request) error {
		http.NotFound(w, r)
		return nil
	})))
	return mux
}

type healthResponse struct {
	Version     string `json:"version"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, healthResponse{
		Version:     "devgotrue",
		Name:        "GoTrue",
		Description: "GoTrue is a user registration and authentication API",
	})
	return nil
}

// settings is GET /settings, trimmed to what tells a client how the
// server behaves (the contract suite reads mailer_autoconfirm from it).
func (s *Server) settings(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{
		"external":           map[string]bool{"email": true, "phone": false, "anonymous_users": false},
		"disable_signup":     false,
		"mailer_autoconfirm": s.opts.Autoconfirm,
		"phone_autoconfirm":  false,
		"sms_provider":       "",
		"saml_enabled":       false,
	})
	return nil
}
