// Package api holds the read API's OpenAPI document, written by hand next
// to the handlers it describes (internal/web/api_*.go).
package api

import (
	_ "embed"
	"fmt"

	"github.com/goccy/go-yaml"
)

//go:embed openapi.yaml
var spec []byte

// OpenAPIJSON is the document as JSON, what /api/v1/openapi.json serves.
func OpenAPIJSON() ([]byte, error) {
	out, err := yaml.YAMLToJSON(spec)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return out, nil
}
