// Package components holds small templ pieces shared by pages.
package components

import "github.com/tenant-console/console/internal/tenant"

// StatusLabel is a status as people read it.
func StatusLabel(s tenant.Status) string {
	switch s {
	case tenant.StatusActive:
		return "Active"
	case tenant.StatusSuspended:
		return "Suspended"
	case tenant.StatusDeleted:
		return "Deleted"
	}
	return string(s)
}

func statusClass(s tenant.Status) string {
	switch s {
	case tenant.StatusActive:
		return "badge-active"
	case tenant.StatusSuspended:
		return "badge-suspended"
	case tenant.StatusDeleted:
		return "badge-deleted"
	}
	return "badge-neutral"
}

// PlanLabel is a plan as people read it.
func PlanLabel(p tenant.Plan) string {
	switch p {
	case tenant.PlanLite:
		return "Lite"
	case tenant.PlanPro:
		return "Pro"
	case tenant.PlanEnterprise:
		return "Enterprise"
	}
	return string(p)
}
