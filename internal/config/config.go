// Package config reads the console's configuration from the environment.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Environments.
const (
	EnvDev        = "dev"
	EnvProduction = "production"
)

// DefaultDatabaseURL is used when DATABASE_URL is unset.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/tenant_console"

// Config is everything the console reads from the environment. Secrets are
// kept here only long enough to build their users; String never prints them.
type Config struct {
	DatabaseURL string `env:"DATABASE_URL"`
	ListenAddr  string `env:"LISTEN_ADDR" envDefault:"127.0.0.1:8080"`
	// AppEnv is production unless asked otherwise: a deployment that forgets
	// to set it gets Secure cookies, HSTS and a real GoTrue, not the
	// developer's conveniences. `console dev` chooses dev itself.
	AppEnv            string        `env:"APP_ENV" envDefault:"production"`
	MigrateOnStart    bool          `env:"MIGRATE_ON_START"`
	GoTrueURL         string        `env:"GOTRUE_URL"`
	GoTrueAnonKey     string        `env:"GOTRUE_ANON_KEY"`
	GoTrueServiceKey  string        `env:"GOTRUE_SERVICE_ROLE_KEY"`
	GoTrueTimeout     time.Duration `env:"GOTRUE_TIMEOUT" envDefault:"10s"`
	SecretKey         string        `env:"CONSOLE_SECRET_KEY"`
	SecretKeyPrevious []string      `env:"CONSOLE_SECRET_KEY_PREVIOUS" envSeparator:","`
	SessionLifetime   time.Duration `env:"SESSION_LIFETIME" envDefault:"12h"`
	SessionIdle       time.Duration `env:"SESSION_IDLE_TIMEOUT" envDefault:"1h"`
	MetricsToken      string        `env:"METRICS_TOKEN"`
	LogLevel          string        `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat         string        `env:"LOG_FORMAT" envDefault:"text"`
	ShutdownTimeout   time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"15s"`
	DataDir           string        `env:"CONSOLE_DATA_DIR" envDefault:".data"`
	// TrustedProxiesRaw are the CIDRs (or single addresses) of the proxies
	// whose X-Forwarded-For is believed; none by default.
	TrustedProxiesRaw []string `env:"TRUSTED_PROXIES" envSeparator:","`
	// PublicURL is the address people open the console at
	// (https://console.example.com): e-mail links lead back to it. Required
	// in production; in dev it defaults to http://LISTEN_ADDR.
	PublicURL string `env:"PUBLIC_URL"`
	// TrustedProxies is TrustedProxiesRaw parsed.
	TrustedProxies []*net.IPNet

	// AuthRecheck bounds how long a signed-in person's reads go on without
	// GoTrue confirming their account (writes are confirmed every time).
	AuthRecheck time.Duration `env:"AUTH_RECHECK_INTERVAL" envDefault:"60s"`

	// StaffMFA is "required" (staff enrol a TOTP factor and give a code at
	// every sign-in) or "optional"; unset, it is required in production
	// and optional in dev.
	StaffMFA string `env:"STAFF_MFA"`
	// APIRateLimit is how many read-API requests per second each API token
	// may make in one console process, in bursts of up to APIRateBurst.
	APIRateLimit float64 `env:"API_RATE_LIMIT" envDefault:"50"`
	APIRateBurst int     `env:"API_RATE_BURST" envDefault:"100"`

	databaseURLWasSet bool
	appEnvWasSet      bool
}

// Load reads and validates the process environment.
func Load() (Config, error) { return LoadFrom(env.ToMap(os.Environ())) }

// LoadFrom reads and validates environ (name → value) instead of the
// process environment, so that callers holding their own environment (tests
// running side by side) need not change the process's.
func LoadFrom(environ map[string]string) (Config, error) {
	if environ == nil {
		environ = map[string]string{} // nil would make env read the process environment
	}
	var c Config
	if err := env.ParseWithOptions(&c, env.Options{Environment: environ}); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	c.databaseURLWasSet = c.DatabaseURL != ""
	c.appEnvWasSet = environ["APP_ENV"] != ""
	var err error
	if c.TrustedProxies, err = ParseCIDRs(c.TrustedProxiesRaw); err != nil {
		return c, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = DefaultDatabaseURL
	}
	return c, c.validate()
}

func (c Config) validate() error {
	var errs []error
	if c.AppEnv != EnvDev && c.AppEnv != EnvProduction {
		errs = append(errs, fmt.Errorf("APP_ENV must be %q or %q, not %q", EnvDev, EnvProduction, c.AppEnv))
	}
	if c.SessionLifetime <= 0 {
		errs = append(errs, errors.New("SESSION_LIFETIME must be a positive duration such as 12h"))
	}
	if c.SessionIdle <= 0 {
		errs = append(errs, errors.New("SESSION_IDLE_TIMEOUT must be a positive duration such as 1h"))
	}
	if c.AuthRecheck <= 0 {
		errs = append(errs, errors.New("AUTH_RECHECK_INTERVAL must be a positive duration such as 60s"))
	}
	if c.APIRateLimit <= 0 || c.APIRateBurst < 1 {
		errs = append(errs, errors.New("API_RATE_LIMIT must be a positive number of requests per second and API_RATE_BURST at least 1"))
	}
	if c.GoTrueTimeout <= 0 {
		errs = append(errs, errors.New("GOTRUE_TIMEOUT must be a positive duration such as 10s"))
	}
	if c.PublicURL != "" {
		if err := checkPublicURL(c.PublicURL); err != nil {
			errs = append(errs, err)
		}
	}
	if c.StaffMFA != "" && c.StaffMFA != StaffMFARequired && c.StaffMFA != StaffMFAOptional {
		errs = append(errs, fmt.Errorf("STAFF_MFA must be %q or %q, not %q", StaffMFARequired, StaffMFAOptional, c.StaffMFA))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("LOG_FORMAT must be text or json, not %q", c.LogFormat))
	}
	return errors.Join(errs...)
}

// checkPublicURL accepts an absolute http(s) URL with no query or fragment.
func checkPublicURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("PUBLIC_URL must be the console's address such as https://console.example.com, not %q", raw)
	}
	return nil
}

// ErrNoPublicURL: production needs PUBLIC_URL.
var ErrNoPublicURL = errors.New("PUBLIC_URL is required in production (APP_ENV unset or production): " +
	"the address people open the console at, such as https://console.example.com; e-mail links lead back to it")

// PublicBase is the console's public address without a trailing slash:
// PUBLIC_URL, or in dev http://listenAddr (the address the console
// listens on) when it is unset. Production without PUBLIC_URL is
// ErrNoPublicURL.
func (c Config) PublicBase(listenAddr string) (string, error) {
	switch {
	case c.PublicURL != "":
		return strings.TrimRight(c.PublicURL, "/"), nil
	case c.Dev():
		return "http://" + listenAddr, nil
	}
	return "", ErrNoPublicURL
}

// ParseCIDRs reads CIDRs such as 10.0.0.0/8; a single address (192.0.2.7,
// 2001:db8::1) is its own /32 or /128. Blank entries are skipped.
func ParseCIDRs(list []string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, raw := range list {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		if !strings.Contains(raw, "/") {
			ip := net.ParseIP(raw)
			if ip == nil {
				return nil, fmt.Errorf("%q is neither an address nor a CIDR such as 10.0.0.0/8", raw)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			nets = append(nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(raw)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", raw)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// ChooseDev makes the configuration dev's, as `console dev` wants it:
// APP_ENV unset becomes dev; APP_ENV set to anything else is refused.
func (c *Config) ChooseDev() error {
	if c.appEnvWasSet && c.AppEnv != EnvDev {
		return fmt.Errorf("console dev is for development; APP_ENV is %q (use console serve)", c.AppEnv)
	}
	c.AppEnv = EnvDev
	return nil
}

// MigrateAtStart reports whether serve applies pending migrations before
// serving: always in dev, in production only when asked (MIGRATE_ON_START
// or serve --migrate), so that a deploy does not change the schema by
// surprise.
func (c Config) MigrateAtStart(flag bool) bool { return c.Dev() || c.MigrateOnStart || flag }

// STAFF_MFA's values.
const (
	StaffMFARequired = "required"
	StaffMFAOptional = "optional"
)

// RequireStaffMFA reports whether platform admins and support must use a
// second factor: STAFF_MFA, or by default in production only.
func (c Config) RequireStaffMFA() bool {
	if c.StaffMFA != "" {
		return c.StaffMFA == StaffMFARequired
	}
	return !c.Dev()
}

// Dev reports whether the console runs in development mode.
func (c Config) Dev() bool { return c.AppEnv == EnvDev }

// DatabaseURLFromEnv reports whether DATABASE_URL was given (rather than defaulted).
func (c Config) DatabaseURLFromEnv() bool { return c.databaseURLWasSet }
