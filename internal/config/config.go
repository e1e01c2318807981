// Package config reads the console's configuration from the environment.
package config

import (
	"errors"
	"fmt"
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
	DatabaseURL       string        `env:"DATABASE_URL"`
	ListenAddr        string        `env:"LISTEN_ADDR" envDefault:"127.0.0.1:8080"`
	AppEnv            string        `env:"APP_ENV" envDefault:"dev"`
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
	databaseURLWasSet bool
}

// Load reads and validates the environment.
func Load() (Config, error) {
	var c Config
	if err := env.Parse(&c); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	c.databaseURLWasSet = c.DatabaseURL != ""
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
	if c.GoTrueTimeout <= 0 {
		errs = append(errs, errors.New("GOTRUE_TIMEOUT must be a positive duration such as 10s"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("LOG_FORMAT must be text or json, not %q", c.LogFormat))
	}
	return errors.Join(errs...)
}

// Dev reports whether the console runs in development mode.
func (c Config) Dev() bool { return c.AppEnv == EnvDev }

// DatabaseURLFromEnv reports whether DATABASE_URL was given (rather than defaulted).
func (c Config) DatabaseURLFromEnv() bool { return c.databaseURLWasSet }
