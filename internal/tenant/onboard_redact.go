package tenant

import (
	"fmt"
	"log/slog"
)

// Printing and logging onboarding input and values never shows the password.

// String keeps the password out of anything that prints an input.
func (in OnboardInput) String() string {
	in.OwnerPassword = redacted(in.OwnerPassword)
	type plain OnboardInput // without methods: no recursion
	return fmt.Sprintf("%+v", plain(in))
}

// GoString covers %#v, which String does not.
func (in OnboardInput) GoString() string { return "tenant.OnboardInput" + in.String() }

// LogValue keeps the password out of structured logs.
func (in OnboardInput) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, len(OnboardFields))
	for _, name := range OnboardFields {
		v := in.Get(name)
		if name == "owner_password" {
			v = redacted(v)
		}
		attrs = append(attrs, slog.String(name, v))
	}
	return slog.GroupValue(attrs...)
}

func redacted(s string) string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// String keeps the password out of anything that prints the values.
func (v OnboardValues) String() string {
	v.OwnerPassword = redacted(v.OwnerPassword)
	type plain OnboardValues // without methods: no recursion
	return fmt.Sprintf("%+v", plain(v))
}

// GoString covers %#v.
func (v OnboardValues) GoString() string { return "tenant.OnboardValues" + v.String() }

// LogValue keeps the password out of structured logs.
func (v OnboardValues) LogValue() slog.Value { return slog.StringValue(v.String()) }
