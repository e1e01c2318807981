package web

import (
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/web/api"
)

// openAPIDocument is the API's OpenAPI document as JSON, converted once.
var openAPIDocument = sync.OnceValues(api.OpenAPIJSON)

// apiOpenAPI is GET /api/v1/openapi.json: the API's description, open to
// anyone (it holds no data).
func (s *server) apiOpenAPI(c echo.Context) error {
	doc, err := openAPIDocument()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, doc)
}
