package devdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Setting is one server setting written into a new cluster's postgresql.conf.
type Setting struct {
	Name  string
	Value string
}

// settingName is what a postgresql.conf parameter name may look like
// (custom ones have a dot); checked so that a name cannot add lines.
var settingName = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$`)

// confLines renders settings as postgresql.conf lines, each value quoted.
func confLines(settings []Setting) string {
	if len(settings) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("# Server settings chosen by the program that made this cluster.\n")
	for _, s := range settings {
		quoted := strings.ReplaceAll(strings.ReplaceAll(s.Value, `\`, `\\`), `'`, `''`)
		fmt.Fprintf(&b, "%s = '%s'\n", s.Name, quoted)
	}
	return b.String()
}

func checkSettings(settings []Setting) error {
	for _, s := range settings {
		if !settingName.MatchString(s.Name) {
			return fmt.Errorf("devdb: %q is not a server setting's name", s.Name)
		}
		if strings.ContainsAny(s.Value, "\r\n") {
			return fmt.Errorf("devdb: the value of %s spans lines", s.Name)
		}
	}
	return nil
}

// Private is a cluster of its own for one program run (the performance
// report's): made afresh with the server settings the program needs, on a
// free loopback port, and gone after Stop. Unlike the cluster Ensure runs, it
// is never reused, so its settings are always the ones asked for.
type Private struct {
	// URL reaches the postgres database as the postgres superuser.
	URL string
	// DataDir is the cluster's data directory; its log is server.log in it.
	DataDir string
}

// StartPrivate initialises a new cluster in dataDir, which must be missing or
// empty, with settings in its postgresql.conf, and starts it on a free port
// of 127.0.0.1. The error wraps ErrNoPostgres when initdb and pg_ctl are not
// installed. On success the caller owns the cluster and must Stop it.
func StartPrivate(ctx context.Context, dataDir string, settings []Setting, log *slog.Logger) (*Private, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := checkSettings(settings); err != nil {
		return nil, err
	}
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("devdb: data dir: %w", err)
	}
	// An existing cluster would start with its own settings, not these.
	if entries, err := os.ReadDir(dataDir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("devdb: %s is not empty; a private cluster needs a new directory", dataDir)
	}
	bin, err := findBinaries(ctx, dataDir)
	if err != nil {
		if errors.Is(err, ErrNoPostgres) {
			return nil, fmt.Errorf("devdb: %w: initdb and pg_ctl are neither in PATH nor in %s",
				ErrNoPostgres, strings.Join(binDirPatterns, ", "))
		}
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p := &Private{DataDir: dataDir}
	port, err = startCluster(ctx, bin, dataDir, "postgres", port, settings, log)
	if err != nil {
		_ = p.Stop()
		return nil, err
	}
	p.URL = "postgres://postgres@127.0.0.1:" + strconv.Itoa(port) + "/postgres?sslmode=disable"
	return p, nil
}

// Stop shuts the cluster down and deletes its data directory, which is left
// in place when the server would not stop.
func (p *Private) Stop() error {
	if err := Stop(p.DataDir); err != nil {
		return fmt.Errorf("%w (the cluster is left in %s)", err, p.DataDir)
	}
	if err := os.RemoveAll(p.DataDir); err != nil {
		return fmt.Errorf("devdb: remove the private cluster: %w", err)
	}
	return nil
}
