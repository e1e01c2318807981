package tenant_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/tenant"
)

func TestContrastMatchesWCAGFigures(t *testing.T) {
	for _, c := range []struct {
		color        string
		white, black float64
		text         string
	}{
		{"#000000", 21, 1, "White 21.0:1, Black 1.0:1"},
		{"#FFFFFF", 1, 21, "White 1.0:1, Black 21.0:1"},
		{"#767676", 4.54, 4.62, "White 4.5:1, Black 4.6:1"}, // the well-known lightest grey passing on white
		{"#777777", 4.48, 4.68, "White 4.4:1, Black 4.6:1"},
		{"#1e40af", 8.72, 2.41, "White 8.7:1, Black 2.4:1"},
	} {
		got, ok := tenant.ContrastOn(c.color)
		if !ok {
			t.Fatalf("%s: not a colour", c.color)
		}
		if math.Abs(got.White-c.white) > 0.01 || math.Abs(got.Black-c.black) > 0.01 {
			t.Errorf("%s: white %.3f black %.3f, want %.2f and %.2f", c.color, got.White, got.Black, c.white, c.black)
		}
		if got.String() != c.text {
			t.Errorf("%s reads %q, want %q", c.color, got.String(), c.text)
		}
	}
	for _, bad := range []string{"red", "#12345", "red;background:url(x)", "#1E40AF;", ""} {
		if _, ok := tenant.ContrastOn(bad); ok {
			t.Errorf("ContrastOn(%q) accepted it", bad)
		}
	}
}

// The better of white and black always reaches 4.58:1 (where the two are
// equal), which is why the page also warns about white text on its own.
func TestBetterOfWhiteAndBlackAlwaysPassesAA(t *testing.T) {
	for v := 0; v < 256; v++ {
		for _, hex := range []string{"#%02X0000", "#00%02X00", "#0000%02X", "#%02X%02X%02X"} {
			color := fmt.Sprintf(hex, v)
			if strings.Count(hex, "%") == 3 {
				color = fmt.Sprintf(hex, v, v, v)
			}
			c, _ := tenant.ContrastOn(color)
			if !c.Passes() {
				t.Fatalf("%s: best %.2f", color, c.Best())
			}
		}
	}
}
