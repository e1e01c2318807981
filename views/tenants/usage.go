package tenants

import "strconv"

// usageTwelfths is how full a quota is, in twelfths (0–12), for the bar's
// width; over the quota is a full bar.
func usageTwelfths(used, limit int) int {
	if limit <= 0 || used >= limit {
		return 12
	}
	return used * 12 / limit
}

// usageWidth is the bar's Tailwind width class; classes, not inline styles,
// which the Content-Security-Policy forbids.
func usageWidth(used, limit int) string {
	return [...]string{"w-0", "w-1/12", "w-2/12", "w-3/12", "w-4/12", "w-5/12", "w-6/12", "w-7/12", "w-8/12",
		"w-9/12", "w-10/12", "w-11/12", "w-full"}[usageTwelfths(used, limit)]
}

func usageColor(used, limit int) string {
	switch {
	case limit > 0 && used >= limit:
		return "bg-red-600"
	case usageTwelfths(used, limit) >= 10:
		return "bg-amber-500"
	}
	return "bg-brand-600"
}

func usageText(used, limit int, unit string) string {
	return strconv.Itoa(used) + " of " + strconv.Itoa(limit) + " " + unit
}
