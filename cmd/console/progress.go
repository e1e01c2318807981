package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// progress reports a long run: a line redrawn in place on a terminal, a
// line every few seconds in a log file or CI.
type progress struct {
	w        io.Writer
	tty      bool
	label    string
	total    int
	start    time.Time
	lastLine time.Time
}

func newProgress(w io.Writer, label string, total int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, tty: tty, label: label, total: total, start: time.Now()}
}

// update shows done of total and what is being worked on now.
func (p *progress) update(done int, current string) {
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s %d/%d %s", p.label, done, p.total, current)
		return
	}
	if time.Since(p.lastLine) >= 2*time.Second || done == p.total {
		p.lastLine = time.Now()
		fmt.Fprintf(p.w, "%s %d/%d %s\n", p.label, done, p.total, current)
	}
}

// finish ends the in-place line.
func (p *progress) finish() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// lazyProgress is a progress report that learns its total from the first
// update, for work that counts its items itself (import, export, rotation).
type lazyProgress struct {
	w     io.Writer
	label string
	p     *progress
}

func (l *lazyProgress) update(done, total int, current string) {
	if l.p == nil {
		l.p = newProgress(l.w, l.label, total)
	}
	l.p.update(done, current)
}

func (l *lazyProgress) finish() {
	if l.p != nil {
		l.p.finish()
	}
}
