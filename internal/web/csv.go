package web

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/logging"
)

// csvFlushEvery is how many rows go out between flushes. Memory stays flat
// without them (the csv writer hands on its 4 KiB buffer whenever it fills,
// and the response writes through to the connection); a flush pushes out
// what gzip and the connection still hold, so the download keeps arriving
// even when rows come slowly.
const csvFlushEvery = 500

// csvStream writes an RFC 4180 CSV (CRLF, quoted where needed) straight to
// the client, row by row. Nothing is sent until the first row is ready (or
// the rows are known to be none), so a query that fails at once still gets
// a proper error answer rather than a 200 with an empty file.
type csvStream struct {
	s        *server
	c        echo.Context
	filename string
	header   []string
	w        *csv.Writer // nil until the answer has begun
	rows     int         // data rows written, not counting the header row
}

// errHeadOnly stops the rows once a HEAD request has its status and
// headers: it gets no body, so there is no point in reading them.
var errHeadOnly = errors.New("HEAD: headers sent")

func (s *server) newCSV(c echo.Context, filename string, header []string) *csvStream {
	return &csvStream{s: s, c: c, filename: filename, header: header}
}

// begin saves the session, sends the status and headers and the header row.
func (cs *csvStream) begin() error {
	if err := cs.s.startStream(cs.c); err != nil {
		return err
	}
	res := cs.c.Response()
	h := res.Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+cs.filename+`"`)
	h.Set("Cache-Control", "no-store")
	res.WriteHeader(http.StatusOK)
	if cs.c.Request().Method == http.MethodHead {
		return errHeadOnly
	}
	cs.w = csv.NewWriter(res)
	cs.w.UseCRLF = true
	return cs.put(cs.header)
}

// write adds one data row, every cell neutralised against formula injection.
func (cs *csvStream) write(cells []string) error {
	if cs.w == nil {
		if err := cs.begin(); err != nil {
			return err
		}
	}
	for i, v := range cells {
		cells[i] = neutralise(v)
	}
	if err := cs.put(cells); err != nil {
		return err
	}
	cs.rows++
	if cs.rows%csvFlushEvery == 0 {
		cs.w.Flush()
		if err := cs.w.Error(); err != nil {
			return err
		}
		cs.c.Response().Flush()
	}
	return nil
}

func (cs *csvStream) put(cells []string) error {
	if err := cs.w.Write(cells); err != nil {
		return err
	}
	return cs.w.Error()
}

// finish ends the export with err, the error that stopped the rows (nil
// when they all went out). Before anything was sent, an error is returned
// for the error page, and no rows at all make a file with its header row.
// After, the status is gone: the file ends with a line saying it is
// incomplete (so a short file never passes for the whole), and the error
// is logged with the request id the line quotes.
func (cs *csvStream) finish(err error) error {
	if err == nil && cs.w == nil {
		err = cs.begin() // no rows: a file of the header row alone
	}
	if errors.Is(err, errHeadOnly) {
		return nil
	}
	if cs.w == nil {
		return err // nothing sent: the error page
	}
	if err == nil {
		cs.w.Flush()
		if err = cs.w.Error(); err == nil {
			return nil
		}
	}
	ctx := cs.c.Request().Context()
	if ctx.Err() != nil {
		// The client went away: nobody is left to read a marker.
		cs.s.log.WarnContext(ctx, "csv export abandoned by the client", slog.Int("rows", cs.rows), slog.Any("error", err))
		return nil
	}
	cs.s.log.ErrorContext(ctx, "csv export stopped", slog.Int("rows", cs.rows), slog.Any("error", err))
	cs.w.Flush() // the rows before the error, whole, then the marker
	if _, werr := io.WriteString(cs.c.Response(), incompleteMarker(ctx, cs.rows)); werr == nil {
		cs.c.Response().Flush()
	}
	return nil
}

// incompleteMarker is the last line of an export that stopped half-way. It
// is one field (no comma) starting with #, which no data row's first cell
// (an id) can: a person opening the file sees it as its last row, and a
// program reading the columns stops on it.
func incompleteMarker(ctx context.Context, rows int) string {
	return fmt.Sprintf("# export stopped after %d rows: an error occurred; this file is incomplete (request id %s)\r\n",
		rows, logging.RequestID(ctx))
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
