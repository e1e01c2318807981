package web

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// csvFlushEvery is how many rows go out before the stream is flushed to
// the client, so a long export starts arriving at once and memory stays flat.
const csvFlushEvery = 500

// csvStream writes an RFC 4180 CSV (CRLF, quoted where needed) straight to
// the response, row by row.
type csvStream struct {
	c    echo.Context
	w    *csv.Writer
	rows int
}

// startCSV sends the headers and the header row.
func startCSV(c echo.Context, filename string, header []string) (*csvStream, error) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	w.UseCRLF = true
	s := &csvStream{c: c, w: w}
	return s, s.write(header)
}

// write adds one row, every cell neutralised against formula injection.
func (s *csvStream) write(cells []string) error {
	for i, v := range cells {
		cells[i] = neutralise(v)
	}
	if err := s.w.Write(cells); err != nil {
		return err
	}
	s.rows++
	if s.rows%csvFlushEvery == 0 {
		s.w.Flush()
		s.c.Response().Flush()
	}
	return s.w.Error()
}

// finish flushes the tail; a failure half-way (the response is already
// under way) is logged, and the client sees a truncated file.
func (s *csvStream) finish(log *slog.Logger, err error) error {
	s.w.Flush()
	if err == nil {
		err = s.w.Error()
	}
	if err != nil {
		log.ErrorContext(s.c.Request().Context(), "csv export stopped", slog.Int("rows", s.rows), slog.Any("error", err))
	}
	return nil
}

// neutralise keeps a spreadsheet from reading a cell as a formula: a cell
// starting with = + - @ (or a tab or carriage return, which some programs
// skip before one) gets a leading apostrophe.
func neutralise(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
