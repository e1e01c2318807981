package config

import (
	"strings"
	"testing"
	"time"
)

// GOTRUE_TIMEOUT bounds each GoTrue call: 10 s unless set, never zero.
func TestGoTrueTimeout(t *testing.T) {
	t.Setenv("GOTRUE_TIMEOUT", "")
	if c, err := Load(); err != nil || c.GoTrueTimeout != 10*time.Second {
		t.Fatalf("default: %s, %v", c.GoTrueTimeout, err)
	}
	t.Setenv("GOTRUE_TIMEOUT", "750ms")
	if c, err := Load(); err != nil || c.GoTrueTimeout != 750*time.Millisecond {
		t.Fatalf("750ms: %s, %v", c.GoTrueTimeout, err)
	}
	for _, bad := range []string{"0s", "-1s"} {
		t.Setenv("GOTRUE_TIMEOUT", bad)
		if _, err := Load(); err == nil || !strings.Contains(err.Error(), "GOTRUE_TIMEOUT") {
			t.Fatalf("GOTRUE_TIMEOUT=%s: %v", bad, err)
		}
	}
}
