package tenant

import (
	"fmt"
	"math"
	"strconv"
)

// WCAGAA is the contrast ratio WCAG 2 level AA asks of normal text.
const WCAGAA = 4.5

// Contrast is how readable white and black text are on a colour.
type Contrast struct {
	White float64 // ratio of white text on the colour, 1 to 21
	Black float64
}

// Best is the better of the two ratios.
func (c Contrast) Best() float64 { return math.Max(c.White, c.Black) }

// Passes reports whether the better text colour meets WCAG AA.
func (c Contrast) Passes() bool { return c.Best() >= WCAGAA }

// TextColor is the text colour with the better contrast: #FFFFFF or #000000.
func (c Contrast) TextColor() string {
	if c.White >= c.Black {
		return "#FFFFFF"
	}
	return "#000000"
}

// String reads "White 8.6:1, Black 2.4:1". Ratios are rounded down to one
// decimal, so a colour shown as 4.5:1 really passes.
func (c Contrast) String() string {
	return fmt.Sprintf("White %s:1, Black %s:1", ratio(c.White), ratio(c.Black))
}

func ratio(r float64) string {
	return strconv.FormatFloat(math.Floor(r*10)/10, 'f', 1, 64)
}

// ContrastOn returns the contrast of white and black text on color, a
// #RRGGBB colour; ok is false for anything else.
func ContrastOn(color string) (c Contrast, ok bool) {
	l, ok := luminance(color)
	if !ok {
		return Contrast{}, false
	}
	return Contrast{White: 1.05 / (l + 0.05), Black: (l + 0.05) / 0.05}, true
}

// luminance is WCAG 2's relative luminance of a #RRGGBB colour.
func luminance(color string) (float64, bool) {
	c, ok := FieldColor.OK(color)
	if !ok {
		return 0, false
	}
	var ch [3]float64
	for i := range ch {
		v, _ := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			ch[i] = s / 12.92
		} else {
			ch[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*ch[0] + 0.7152*ch[1] + 0.0722*ch[2], true
}
