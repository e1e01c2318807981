package tenants

import (
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/views/components"
)

// TenantNav is the head every page of one tenant shares: the way back, its
// name and state, and its sections as tabs with their own addresses.
type TenantNav struct {
	Tenant tenant.Tenant
	Here   string // the current section: one of the section keys below
	// Back leads to where the person came from: staff to the list, a
	// person with several organizations to their chooser; "" for none.
	Back, BackLabel string
	CanReadEdits    bool // settings, branding and members
	CanSeeAudit     bool
}

// Sections of a tenant's pages.
const (
	SectionOverview = "overview"
	SectionSettings = "settings"
	SectionBranding = "branding"
	SectionMembers  = "members"
	SectionAudit    = "audit"
)

type section struct{ Key, Label, URL string }

func (n TenantNav) sections() []section {
	id := n.Tenant.ID
	out := []section{{SectionOverview, "Overview", string(tenantURL(id))}}
	if n.CanReadEdits {
		out = append(out, section{SectionSettings, "Settings", settingsURL(id)},
			section{SectionBranding, "Branding", brandingURL(id)},
			section{SectionMembers, "Members", membersURL(id)})
	}
	if n.CanSeeAudit {
		out = append(out, section{SectionAudit, "Audit log", string(tenantURL(id)) + "/audit"})
	}
	return out
}

// editorLink is href when the viewer may open the tenant's edit pages.
func editorLink(p ShowProps, href string) string {
	if !p.Edit.CanRead {
		return ""
	}
	return href
}

// editWord is what the edit pages' links say: a deleted tenant's and
// support's pages only show.
func editWord(p ShowProps) string {
	if p.Edit.CanEdit && !p.Detail.Tenant.ReadOnly() {
		return "Edit"
	}
	return "View"
}

// byAndWhy ends a "Suspended on …" note: " by ada@example.com: “Unpaid invoice”".
func byAndWhy(by, reason string) string {
	s := ""
	if by != "" {
		s += " by " + components.PersonLabel(by)
	}
	if reason != "" {
		s += ": “" + reason + "”"
	}
	return s
}
