package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tenant-console/console/internal/config"
	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/tenant"
)

// devKeyFile is where development keeps its generated secret key, under
// CONSOLE_DATA_DIR.
const devKeyFile = "secret-key"

// openKeyring returns the keyring that seals tenant secrets: CONSOLE_SECRET_KEY
// (and CONSOLE_SECRET_KEY_PREVIOUS for values sealed before a rotation). In
// dev without a key it uses <CONSOLE_DATA_DIR>/secret-key, generating it the
// first time; in production a missing key is an error saying what to set.
// Neither a key nor any part of it is ever logged.
func openKeyring(cfg config.Config, log *slog.Logger) (*secrets.Keyring, error) {
	if strings.TrimSpace(cfg.SecretKey) != "" {
		return secrets.ParseKeyring(cfg.SecretKey, cfg.SecretKeyPrevious)
	}
	if !cfg.Dev() {
		return nil, fmt.Errorf("%s is not set: in production the console needs the key that encrypts tenant secrets "+
			"(base64 of 32 random bytes). Make one with `console rotate-secret-key --generate` or "+
			"`openssl rand -base64 32`, keep it in your secret manager and set %s", secrets.EnvKey, secrets.EnvKey)
	}
	file := filepath.Join(cfg.DataDir, devKeyFile)
	key, created, err := loadOrCreateDevKey(file)
	if err != nil {
		return nil, fmt.Errorf("development secret key %s: %w", file, err)
	}
	kr, err := secrets.ParseKeyring(key, cfg.SecretKeyPrevious)
	if err != nil {
		return nil, fmt.Errorf("development secret key %s: %w", file, err)
	}
	if created {
		log.Info("generated a development secret key (APP_ENV=dev and CONSOLE_SECRET_KEY unset); keep the file, secrets sealed with it cannot be read without it",
			slog.String("file", file), slog.String("key_id", kr.CurrentID()))
	} else {
		log.Debug("using the development secret key", slog.String("file", file), slog.String("key_id", kr.CurrentID()))
	}
	return kr, nil
}

// loadOrCreateDevKey reads file, or writes a new key to it (0600) when it
// does not exist. Two processes starting at once agree on one key: the file
// is created exclusively, and the loser reads the winner's.
func loadOrCreateDevKey(file string) (key string, created bool, err error) {
	if data, err := os.ReadFile(file); err == nil {
		return strings.TrimSpace(string(data)), false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return "", false, err
	}
	key, err = secrets.GenerateKey()
	if err != nil {
		return "", false, err
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		data, err := os.ReadFile(file)
		return strings.TrimSpace(string(data)), false, err
	}
	if err != nil {
		return "", false, err
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		os.Remove(file)
		return "", false, err
	}
	if err := f.Close(); err != nil {
		os.Remove(file)
		return "", false, err
	}
	return key, true, nil
}

func runRotateSecretKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rotate-secret-key", "rotate-secret-key [--generate] [--batch N]",
		"Re-encrypts every tenant secret under the current key.\n\n"+
			"Rotating the key that encrypts tenant secrets:\n"+
			"  1. console rotate-secret-key --generate   prints a new key (nothing else);\n"+
			"  2. on every console process, set "+secrets.EnvKey+" to the new key and\n"+
			"     "+secrets.EnvPreviousKeys+" to the old one (comma-separated if several):\n"+
			"     the console keeps reading values sealed with the old key;\n"+
			"  3. console rotate-secret-key               re-seals every value still under an\n"+
			"     old key, one row per transaction, each audited (secret.rotated: the secret's\n"+
			"     name and both key ids, never the value). It prints progress and a summary;\n"+
			"  4. when it reports 0 left under an old key, drop "+secrets.EnvPreviousKeys+".\n\n"+
			"Running it again changes nothing. Exit status 0 when every value is under the\n"+
			"current key, 1 when some could not be re-sealed (their key is not in\n"+
			secrets.EnvPreviousKeys+"), 2 on a usage mistake.", stderr)
	generate := fs.Bool("generate", false, "print a new random key (base64 of 32 bytes) and exit; touches no database")
	batch := fs.Int("batch", 500, "rows read per batch")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "console rotate-secret-key: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if *generate {
		key, err := secrets.GenerateKey()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, key)
		fmt.Fprintf(stderr, "A new key (shown once, not stored). Set it as %s, with the current key in %s, then run `console rotate-secret-key`.\n",
			secrets.EnvKey, secrets.EnvPreviousKeys)
		return nil
	}
	if *batch <= 0 {
		fmt.Fprintln(stderr, "console rotate-secret-key: --batch must be a positive number")
		return errUsage
	}
	env, err := openStore(ctx, stderr, cliNeeds{keyring: true})
	if err != nil {
		return err
	}
	defer env.Close()
	start := time.Now()
	p := &lazyProgress{w: stderr, label: "re-encrypting"}
	res, err := env.store.RotateSecrets(ctx, env.keyring, tenant.System("cli:rotate-secret-key"), *batch,
		func(done, total int) { p.update(done, total, "") })
	p.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Current key %s: %d secrets re-encrypted in %s; %d now under it", res.KeyID, res.Rotated,
		time.Since(start).Round(time.Millisecond), res.Current)
	if res.Changed > 0 {
		fmt.Fprintf(stdout, "; %d replaced by someone else meanwhile (left as they are)", res.Changed)
	}
	fmt.Fprintf(stdout, "; %d left under an old key.\n", res.Remaining)
	if len(res.Failed) > 0 {
		fmt.Fprintf(stdout, "\nCould not re-encrypt %d:\n", len(res.Failed))
		for _, f := range res.Failed {
			fmt.Fprintf(stdout, "  %s %s (key %s): %v\n", f.TenantID, f.Name, f.KeyID, f.Err)
		}
		fmt.Fprintf(stdout, "Add the key that sealed them to %s and run again.\n", secrets.EnvPreviousKeys)
		return exitError{code: 1, err: fmt.Errorf("%d secrets could not be re-encrypted", len(res.Failed))}
	}
	if res.Remaining == 0 {
		fmt.Fprintf(stdout, "Every secret is under %s; %s can be dropped.\n", res.KeyID, secrets.EnvPreviousKeys)
	}
	return nil
}
