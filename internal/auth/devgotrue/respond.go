package devgotrue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// maxBody bounds request bodies; GoTrue's own limit is of the same order.
const maxBody = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, "encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// readJSON decodes the body into v. Like GoTrue it looks at the bytes, not
// the Content-Type, so a form-encoded body fails here with bad_json.
func readJSON(r *http.Request, v any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return newError(http.StatusRequestEntityTooLarge, "request_entity_too_large",
			"Request body too large (max %d bytes)", maxBody)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return newError(http.StatusBadRequest, "bad_json", "Could not parse request body as JSON: %v", err)
	}
	return nil
}

// handlerFunc is a handler that reports failure by returning an error,
// which serve turns into GoTrue's error body.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, s.log, err)
		}
	})
}

// errf wraps an internal failure with its operation; it ends as a 500.
func errf(op string, err error) error { return fmt.Errorf("%s: %w", op, err) }
