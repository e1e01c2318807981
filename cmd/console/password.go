package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// passwordInput is where commands read passwords from: stdin, a terminal
// that does not echo. Tests replace it.
var passwordInput = struct {
	stdin    io.Reader
	terminal func() bool
	readLine func() ([]byte, error) // one line from the terminal, not echoed
}{
	stdin:    os.Stdin,
	terminal: func() bool { return term.IsTerminal(int(os.Stdin.Fd())) },
	readLine: func() ([]byte, error) { return term.ReadPassword(int(os.Stdin.Fd())) },
}

// errNoPassword means no password was given where one is needed, and the
// caller could not ask for one.
var errNoPassword = errors.New("no password given")

// readPasswordStdin reads the password from the first line of stdin (the
// line ending is not part of it), e.g. `pass show ops | console … --password-stdin`.
func readPasswordStdin() (string, error) {
	line, err := bufio.NewReader(passwordInput.stdin).ReadString('\n')
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
func promptPassword(stderr io.Writer, label string) (string, error) {
	if !passwordInput.terminal() {
		return "", errNoPassword
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(stderr, prompt)
		b, err := passwordInput.readLine()
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
