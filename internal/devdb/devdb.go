// Package devdb makes sure a developer has a Postgres database to work with,
// so that a newcomer never sets one up by hand.
//
// Ensure takes the database URL the console is configured with. When a server
// answers there, it creates the database if it is missing. When none answers
// and the URL points at this machine, it runs a project-local cluster instead
// (initdb once into a data directory such as .data/postgres, then pg_ctl
// start), provided PostgreSQL's binaries are installed. Otherwise it says
// exactly what to install.
//
// The local cluster keeps running after the console exits, so the next start
// is instant; Stop shuts it down.
package devdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	// DefaultURL is the database the console uses when none is configured.
	DefaultURL = "postgres://postgres@127.0.0.1:5432/tenant_console"
	// DefaultDataDir is where the project-local cluster lives (git-ignored).
	DefaultDataDir = ".data/postgres"
)

// ErrNoPostgres means no server answered and no PostgreSQL binaries were
// found to start one; its message says what to install.
var ErrNoPostgres = errors.New("no PostgreSQL server and no PostgreSQL binaries")

// binDirPatterns are the places PostgreSQL installs its server binaries when
// they are not in PATH (Debian/Ubuntu, RHEL/Fedora, Homebrew's keg-only
// postgresql@N). Tests replace it.
var binDirPatterns = []string{
	"/usr/lib/postgresql/*/bin",
	"/usr/pgsql-*/bin",
	"/opt/homebrew/opt/postgresql@*/bin",
	"/usr/local/opt/postgresql@*/bin",
}

// clusterConf is appended to postgresql.conf of a new local cluster: TCP on
// loopback only, and no Unix socket, whose default directory may belong to a
// system cluster or not be writable.
const clusterConf = `
# Added by the tenant console's devdb: a private development cluster.
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
`

// Ensure makes sure the database at databaseURL (DefaultURL when empty)
// exists on a running server and returns the URL to use, which differs from
// databaseURL only when a project-local cluster under dataDir
// (DefaultDataDir when empty) had to be started on another port.
func Ensure(ctx context.Context, databaseURL, dataDir string, log *slog.Logger) (string, error) {
	if databaseURL == "" {
		databaseURL = DefaultURL
	}
	if dataDir == "" {
		dataDir = DefaultDataDir
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return "", fmt.Errorf("devdb: parse database url: %w", err)
	}

	network, address := serverAddr(cfg)
	if answers(ctx, network, address) {
		log.Info("postgres answers", "addr", address)
		if err := createDatabase(ctx, cfg, log); err != nil {
			return "", err
		}
		return databaseURL, nil
	}
	if !isLocal(cfg.Host) {
		return "", fmt.Errorf("devdb: no PostgreSQL server answers at %s; start it, or point DATABASE_URL at a server that runs", address)
	}

	dataDir, err = filepath.Abs(dataDir)
	if err != nil {
		return "", fmt.Errorf("devdb: data dir: %w", err)
	}
	bin, err := findBinaries(ctx, dataDir)
	if err != nil {
		if errors.Is(err, ErrNoPostgres) {
			return "", fmt.Errorf("devdb: %w: nothing answers at %s, and initdb and pg_ctl are neither in PATH nor in %s; "+
				"install PostgreSQL (Debian/Ubuntu: `sudo apt-get install postgresql`; macOS: `brew install postgresql@15`) and run again, "+
				"or set DATABASE_URL to a server you already run",
				ErrNoPostgres, address, strings.Join(binDirPatterns, ", "))
		}
		return "", err
	}
	log.Info("no postgres answers; using a project-local cluster", "addr", address, "dir", dataDir, "bin", bin.dir)

	port, err := startCluster(ctx, bin, dataDir, cfg.User, int(cfg.Port), nil, log)
	if err != nil {
		return "", err
	}
	localURL := withLocalPort(databaseURL, cfg, port)
	localCfg, err := pgx.ParseConfig(localURL)
	if err != nil {
		return "", fmt.Errorf("devdb: parse local url: %w", err)
	}
	if err := createDatabase(ctx, localCfg, log); err != nil {
		return "", err
	}
	return localURL, nil
}

// Stop shuts down the project-local cluster in dataDir (DefaultDataDir when
// empty). It is not an error when none runs there.
func Stop(dataDir string) error {
	if dataDir == "" {
		dataDir = DefaultDataDir
	}
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return fmt.Errorf("devdb: data dir: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "postmaster.pid")); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin, err := findBinaries(ctx, dataDir)
	if err != nil {
		return err
	}
	run, err := newRunner()
	if err != nil {
		return err
	}
	if out, err := run.output(ctx, bin.path("pg_ctl"), "stop", "-D", dataDir, "-m", "fast", "-w", "-t", "60", "-s"); err != nil {
		if !clusterRunning(ctx, run, bin, dataDir) {
			return nil
		}
		return fmt.Errorf("devdb: pg_ctl stop: %w: %s", err, out)
	}
	return nil
}

// Restart restarts the running project-local cluster in dataDir
// (pg_ctl restart -m fast: connections are ended, the server comes back on
// the same port), for fault tests that need a Postgres outage of their own.
func Restart(dataDir string) error {
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return fmt.Errorf("devdb: data dir: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin, err := findBinaries(ctx, dataDir)
	if err != nil {
		return err
	}
	run, err := newRunner()
	if err != nil {
		return err
	}
	if out, err := run.output(ctx, bin.path("pg_ctl"), "restart", "-D", dataDir, "-m", "fast", "-w", "-t", "60", "-s",
		"-l", logFile(dataDir)); err != nil {
		return fmt.Errorf("devdb: pg_ctl restart: %w: %s\n%s", err, out, tail(logFile(dataDir), 20))
	}
	return nil
}

// serverAddr is where cfg's server listens, as net.Dial wants it.
func serverAddr(cfg *pgx.ConnConfig) (network, address string) {
	port := strconv.Itoa(int(cfg.Port))
	if strings.HasPrefix(cfg.Host, "/") {
		return "unix", filepath.Join(cfg.Host, ".s.PGSQL."+port)
	}
	return "tcp", net.JoinHostPort(cfg.Host, port)
}

// answers reports whether anything accepts connections at the address; what
// it is, is for the Postgres handshake to find out.
func answers(ctx context.Context, network, address string) bool {
	d := net.Dialer{Timeout: 2 * time.Second}
	c, err := d.DialContext(ctx, network, address)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// isLocal reports whether host is this machine: only then may a local
// cluster stand in for it.
func isLocal(host string) bool {
	if host == "localhost" || strings.HasPrefix(host, "/") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// createDatabase connects to cfg's database and, when the server says it does
// not exist, creates it from the maintenance database.
func createDatabase(ctx context.Context, cfg *pgx.ConnConfig, log *slog.Logger) error {
	conn, err := connect(ctx, cfg)
	if err == nil {
		_ = conn.Close(ctx)
		return nil
	}
	if pgCode(err) != "3D000" { // invalid_catalog_name: the database does not exist
		return fmt.Errorf("devdb: connect to database %q: %w", cfg.Database, err)
	}

	var admin *pgx.Conn
	for _, db := range []string{"postgres", "template1"} {
		c := cfg.Copy()
		c.Database = db
		admin, err = connect(ctx, c)
		if err == nil || pgCode(err) != "3D000" {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("devdb: connect to the maintenance database: %w", err)
	}
	defer admin.Close(ctx)

	_, err = admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{cfg.Database}.Sanitize())
	switch {
	case err == nil:
		log.Info("created database", "database", cfg.Database)
	case pgCode(err) == "42P04": // duplicate_database: created meanwhile by another process
	case pgCode(err) == "42501": // insufficient_privilege
		return fmt.Errorf("devdb: role %q may not create database %q; create it as a superuser (createdb %s) or grant CREATEDB: %w",
			cfg.User, cfg.Database, cfg.Database, err)
	default:
		return fmt.Errorf("devdb: create database %q: %w", cfg.Database, err)
	}
	return nil
}

// connect opens a connection, waiting while the server is still starting up.
func connect(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	if cfg.ConnectTimeout == 0 {
		cfg = cfg.Copy()
		cfg.ConnectTimeout = 5 * time.Second
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err == nil || pgCode(err) != "57P03" || time.Now().After(deadline) { // cannot_connect_now
			return conn, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// withLocalPort is databaseURL pointed at the local cluster on 127.0.0.1:port.
func withLocalPort(databaseURL string, cfg *pgx.ConnConfig, port int) string {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// A keyword/value connection string: rebuild it as a URL.
		u = &url.URL{Scheme: "postgres", Path: "/" + cfg.Database}
		if cfg.User != "" {
			u.User = url.User(cfg.User)
			if cfg.Password != "" {
				u.User = url.UserPassword(cfg.User, cfg.Password)
			}
		}
	}
	q := u.Query()
	q.Del("host")
	q.Del("port")
	u.RawQuery = q.Encode()
	u.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	return u.String()
}

// binaries is a directory holding initdb and pg_ctl of one major version.
type binaries struct {
	dir   string
	major int
}

func (b binaries) path(name string) string { return filepath.Join(b.dir, name) }

// findBinaries picks the PostgreSQL binaries to run the cluster in dataDir
// with: those of the major version that created it, else the first in PATH,
// else the newest installed.
func findBinaries(ctx context.Context, dataDir string) (binaries, error) {
	var inPath, installed []binaries
	seen := map[string]bool{}
	add := func(list *[]binaries, dir string) {
		if seen[dir] || !executable(filepath.Join(dir, "initdb")) || !executable(filepath.Join(dir, "pg_ctl")) {
			return
		}
		seen[dir] = true
		if major, err := pgCtlMajor(ctx, filepath.Join(dir, "pg_ctl")); err == nil {
			*list = append(*list, binaries{dir: dir, major: major})
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		add(&inPath, filepath.Dir(p))
	}
	for _, pattern := range binDirPatterns {
		matches, _ := filepath.Glob(pattern)
		for _, dir := range matches {
			add(&installed, dir)
		}
	}
	sort.SliceStable(installed, func(i, j int) bool { return installed[i].major > installed[j].major })
	found := append(inPath, installed...)
	if len(found) == 0 {
		return binaries{}, ErrNoPostgres
	}

	if raw, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION")); err == nil {
		want, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
		for _, b := range found {
			if b.major == want {
				return b, nil
			}
		}
		return binaries{}, fmt.Errorf("devdb: %s was made by PostgreSQL %d, but only other versions are installed (%s); install PostgreSQL %d, or delete %s to start afresh",
			dataDir, want, describe(found), want, dataDir)
	}
	return found[0], nil
}

func describe(found []binaries) string {
	var parts []string
	for _, b := range found {
		parts = append(parts, fmt.Sprintf("%d in %s", b.major, b.dir))
	}
	return strings.Join(parts, ", ")
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// pgCtlMajor reads the major version from `pg_ctl --version`, which prints
// e.g. "pg_ctl (PostgreSQL) 15.19 (Debian 15.19-0+deb12u1)".
func pgCtlMajor(ctx context.Context, pgCtl string) (int, error) {
	out, err := exec.CommandContext(ctx, pgCtl, "--version").Output()
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(out))
	for i, f := range fields {
		if f == "(PostgreSQL)" && i+1 < len(fields) {
			major, _, _ := strings.Cut(fields[i+1], ".")
			return strconv.Atoi(major)
		}
	}
	return 0, fmt.Errorf("unexpected pg_ctl --version output %q", out)
}

// startCluster initialises the cluster in dataDir if needed (with settings
// in its postgresql.conf), starts it unless it already runs, and returns the
// port it listens on: wantPort when free.
func startCluster(ctx context.Context, bin binaries, dataDir, superuser string, wantPort int, settings []Setting, log *slog.Logger) (int, error) {
	run, err := newRunner()
	if err != nil {
		return 0, err
	}
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); err != nil {
		if err := initCluster(ctx, run, bin, dataDir, superuser, settings); err != nil {
			return 0, err
		}
		log.Info("initialised a local postgres cluster", "dir", dataDir, "version", bin.major)
	}

	if clusterRunning(ctx, run, bin, dataDir) {
		port, err := pidFilePort(dataDir)
		if err != nil {
			return 0, err
		}
		if !answers(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))) {
			return 0, fmt.Errorf("devdb: the local cluster in %s runs but does not answer on 127.0.0.1:%d; see %s", dataDir, port, logFile(dataDir))
		}
		log.Info("local postgres already running", "dir", dataDir, "port", port)
		return port, nil
	}

	port := wantPort
	if !portFree(port) {
		if port, err = freePort(); err != nil {
			return 0, err
		}
	}
	out, err := run.output(ctx, bin.path("pg_ctl"), "start", "-D", dataDir, "-l", logFile(dataDir),
		"-w", "-t", "60", "-s", "-o", "-p "+strconv.Itoa(port))
	if err != nil {
		return 0, fmt.Errorf("devdb: pg_ctl start: %w: %s\n%s", err, out, tail(logFile(dataDir), 20))
	}
	log.Info("started local postgres", "dir", dataDir, "port", port, "log", logFile(dataDir))
	return port, nil
}

// initCluster runs initdb into a scratch directory next to dataDir and
// renames it into place, so an interrupted initdb never leaves a half-made
// cluster behind. Trust authentication is fine: it only listens on loopback.
// settings are appended to postgresql.conf after clusterConf.
func initCluster(ctx context.Context, run runner, bin binaries, dataDir, superuser string, settings []Setting) error {
	if entries, err := os.ReadDir(dataDir); err == nil && len(entries) > 0 {
		return fmt.Errorf("devdb: %s is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away or delete it", dataDir)
	}
	if err := os.MkdirAll(filepath.Dir(dataDir), 0o755); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	scratch := dataDir + ".initdb"
	if err := os.RemoveAll(scratch); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if err := os.Mkdir(scratch, 0o700); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	defer os.RemoveAll(scratch)
	if err := run.own(ctx, scratch); err != nil {
		return err
	}
	if superuser == "" {
		superuser = "postgres"
	}
	out, err := run.output(ctx, bin.path("initdb"), "-D", scratch, "--username="+superuser,
		"--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync")
	if err != nil {
		return fmt.Errorf("devdb: initdb: %w: %s", err, out)
	}
	f, err := os.OpenFile(filepath.Join(scratch, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	_, err = f.WriteString(clusterConf + confLines(settings))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("devdb: write postgresql.conf: %w", err)
	}
	_ = os.Remove(dataDir) // empty, checked above; rename needs it gone
	if err := os.Rename(scratch, dataDir); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	return nil
}

func clusterRunning(ctx context.Context, run runner, bin binaries, dataDir string) bool {
	_, err := run.output(ctx, bin.path("pg_ctl"), "status", "-D", dataDir)
	return err == nil // exit 3: not running; 4: no data directory
}

func logFile(dataDir string) string { return filepath.Join(dataDir, "server.log") }

// pidFilePort reads the port from postmaster.pid, whose fourth line it is.
func pidFilePort(dataDir string) (int, error) {
	raw, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, fmt.Errorf("devdb: %w", err)
	}
	lines := strings.Split(string(raw), "\n")
	if len(lines) < 4 {
		return 0, fmt.Errorf("devdb: %s/postmaster.pid is incomplete", dataDir)
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err != nil {
		return 0, fmt.Errorf("devdb: port in %s/postmaster.pid: %w", dataDir, err)
	}
	return port, nil
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("devdb: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last n lines of a file, for error messages.
func tail(path string, n int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// runner runs PostgreSQL's programs, which refuse to run as root: as root it
// runs them as the postgres user and hands that user the data directory.
type runner struct {
	asUser *user.User // nil: run as ourselves
}

func newRunner() (runner, error) {
	if os.Geteuid() != 0 {
		return runner{}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return runner{}, fmt.Errorf("devdb: running as root, and PostgreSQL refuses to run as root, but there is no postgres user to run it as (%v); run as a normal user", err)
	}
	return runner{asUser: u}, nil
}

func (r runner) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	switch runuser := runuserPath(); {
	case r.asUser == nil:
		cmd = exec.CommandContext(ctx, name, args...)
	case runuser != "":
		cmd = exec.CommandContext(ctx, runuser, append([]string{"-u", r.asUser.Username, "--", name}, args...)...)
	default:
		cmd = exec.CommandContext(ctx, "su", r.asUser.Username, "-s", "/bin/sh", "-c", shellJoin(name, args))
	}
	// Every path passed is absolute; "/" spares the postgres user a working
	// directory it may not be allowed to enter.
	cmd.Dir = "/"
	// pg_ctl start leaves the server running with its output in the log file;
	// never wait on it for longer than pg_ctl itself takes.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// runuserPath finds util-linux's runuser, which lives in sbin (not always in
// PATH); "" when missing, and su is used instead.
func runuserPath() string {
	if p, err := exec.LookPath("runuser"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/runuser", "/sbin/runuser"} {
		if executable(p) {
			return p
		}
	}
	return ""
}

// output runs the program and returns what it printed.
func (r runner) output(ctx context.Context, name string, args ...string) (string, error) {
	out, err := r.command(ctx, name, args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// own hands dir to the user the programs run as, and checks that this user
// can reach it (every parent directory must let it through).
func (r runner) own(ctx context.Context, dir string) error {
	if r.asUser == nil {
		return nil
	}
	uid, _ := strconv.Atoi(r.asUser.Uid)
	gid, _ := strconv.Atoi(r.asUser.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if _, err := r.output(ctx, "/bin/sh", "-c", `test -w "$0"`, dir); err != nil {
		return fmt.Errorf("devdb: the %s user cannot write to %s: every parent directory must be searchable by it (chmod o+x), or use a data dir elsewhere",
			r.asUser.Username, dir)
	}
	return nil
}

func shellJoin(name string, args []string) string {
	quoted := []string{shellQuote(name)}
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	return strings.Join(quoted, " ")
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
