package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// passwordSource is where commands read passwords from: stdin, and a
// terminal that does not echo.
type passwordSource struct {
	stdin    io.Reader
	terminal func() bool
	readLine func() ([]byte, error) // one line from the terminal, not echoed
}

// processPasswords reads the process's stdin and terminal.
var processPasswords = passwordSource{
	stdin:    os.Stdin,
	terminal: func() bool { return term.IsTerminal(int(os.Stdin.Fd())) },
	readLine: func() ([]byte, error) { return term.ReadPassword(int(os.Stdin.Fd())) },
}

type passwordSourceKey struct{}

// withPasswordSource makes commands run with ctx read passwords from src
// instead of the process's stdin and terminal (tests type their own).
func withPasswordSource(ctx context.Context, src passwordSource) context.Context {
	return context.WithValue(ctx, passwordSourceKey{}, src)
}

func passwordInput(ctx context.Context) passwordSource {
	if src, ok := ctx.Value(passwordSourceKey{}).(passwordSource); ok {
		return src
	}
	return processPasswords
}

// errNoPassword means no password was given where one is needed, and the
// caller could not ask for one.
var errNoPassword = errors.New("no password given")

// readPasswordStdin reads the password from the first line of stdin (the
// line ending is not part of it), e.g. `pass show ops | console … --password-stdin`.
func readPasswordStdin(ctx context.Context) (string, error) {
	line, err := bufio.NewReader(passwordInput(ctx).stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", fmt.Errorf("--password-stdin: stdin gave no password: %w", errNoPassword)
	}
	return line, nil
}

// promptPassword asks on the terminal, twice, without echo. Without a
// terminal it returns errNoPassword.
func promptPassword(ctx context.Context, stderr io.Writer, label string) (string, error) {
	in := passwordInput(ctx)
	if !in.terminal() {
		return "", errNoPassword
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(stderr, prompt)
		b, err := in.readLine()
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		return string(b), nil
	}
	first, err := ask(label + ": ")
	if err != nil {
		return "", err
	}
	if first == "" {
		return "", errNoPassword
	}
	again, err := ask("Again, to be sure: ")
	if err != nil {
		return "", err
	}
	if again != first {
		return "", errors.New("the two passwords differ; nothing was changed")
	}
	return first, nil
}

// warnPasswordFlag says why a password on the command line is a bad idea.
func warnPasswordFlag(stderr io.Writer, flagName string) {
	fmt.Fprintf(stderr, "warning: --%s puts the password where other users of this machine can read it "+
		"(the process list, shell history); leave it out to be asked for it, or use --password-stdin\n", flagName)
}
