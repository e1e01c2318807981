package tenants

import (
	"strconv"

	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/views/components"
)

// MemberRemoval asks before m is removed from t.
func MemberRemoval(t tenant.Tenant, m tenant.Member, csrf string) components.Ask {
	return components.Ask{
		ID: "remove-" + m.UserID, Action: memberURL(t.ID, m.UserID, "remove"), CSRFToken: csrf,
		Label: "Remove", Who: m.Email,
		Question:    "Remove " + m.Email + " from " + t.Name + "?",
		Consequence: "They lose access to " + t.Name + " at once. Their account stays; you can invite them again later.",
		Confirm:     "Remove " + m.Email,
	}
}

// InvitationRevocation asks before inv is revoked.
func InvitationRevocation(t tenant.Tenant, inv tenant.Invitation, csrf string) components.Ask {
	return components.Ask{
		ID: "revoke-" + strconv.FormatInt(inv.ID, 10), Action: invitationURL(t.ID, inv.ID, "revoke"), CSRFToken: csrf,
		Label: "Revoke", Who: inv.Email,
		Question:    "Revoke the invitation of " + inv.Email + " to " + t.Name + "?",
		Consequence: "The link in their e-mail stops working. You can invite them again later.",
		Confirm:     "Revoke the invitation",
	}
}

// MembersURL is a tenant's members page.
func MembersURL(id string) string { return membersURL(id) }
