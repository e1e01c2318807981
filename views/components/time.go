package components

import (
	"fmt"
	"time"
)

// The console shows every instant one way (docs/design.md, "Times"): in the
// viewer's chosen zone — a tenant's own time zone on its pages, else UTC —
// always with the zone's name, and the UTC instant on hover.

// Zone is loc, or UTC when there is none.
func Zone(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// Moment is t as people read it in loc: "2 Jan 2006, 15:04 SAST".
func Moment(t time.Time, loc *time.Location) string {
	return t.In(Zone(loc)).Format("2 Jan 2006, 15:04 MST")
}

// UTCMoment is t in UTC to the second, for the hover text.
func UTCMoment(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04:05 UTC") }

// Ago is how long before now t was, in the largest whole unit:
// "just now", "5 minutes ago", "3 hours ago", "2 days ago"; beyond a
// month it is the date itself.
func Ago(t, now time.Time, loc *time.Location) string {
	d := now.Sub(t)
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit + " ago"
		}
		return fmt.Sprintf("%d %ss ago", n, unit)
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour")
	case d < 31*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day")
	}
	return t.In(Zone(loc)).Format("2 Jan 2006")
}
