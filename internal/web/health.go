package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// healthz says the process is up; it checks nothing else on purpose.
func (s *server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz says whether the console can serve: every dependency answers.
func (s *server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{}
	status := http.StatusOK
	for _, rc := range s.Ready {
		if err := rc.Check(ctx); err != nil {
			s.log.WarnContext(ctx, "readiness check failed", slog.String("check", rc.Name), slog.Any("error", err))
			checks[rc.Name] = "unavailable"
			status = http.StatusServiceUnavailable
			continue
		}
		checks[rc.Name] = "ok"
	}
	overall := "ok"
	if status != http.StatusOK {
		overall = "unavailable"
	}
	return c.JSON(status, map[string]any{"status": overall, "checks": checks})
}

func (s *server) metrics(c echo.Context) error {
	promhttp.HandlerFor(s.Metrics, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}
