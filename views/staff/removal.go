package staff

import (
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/views/components"
)

// Removal asks before st leaves the staff.
func Removal(st tenant.StaffMember, csrf string) components.Ask {
	return components.Ask{
		ID: "remove-" + st.UserID, Action: staffURL(st.UserID, "remove"), CSRFToken: csrf,
		Label: "Remove", Who: st.Email,
		Question:    "Remove " + st.Email + " from the staff?",
		Consequence: "They lose the " + roleLabel(st.Role) + " role at their next click. Their account stays.",
		Confirm:     "Remove " + st.Email,
	}
}
