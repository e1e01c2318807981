package tenants

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/views/components"
)

// An audit event reads as a sentence: "ada@example.com (platform admin)
// suspended Bali Rice Terrace — ‘Unpaid invoice’", the tenant's name
// linked, and its fields, labelled as the forms label them, behind a
// disclosure.

// auditLine is one event's sentence in parts; the tenant's name sits
// between Before and After.
type auditLine struct {
	Who        string
	Before     string
	TenantName string // "" when the event is about no tenant
	TenantURL  string // "" when the tenant is gone (purged)
	After      string
}

var actionVerbs = map[string]string{
	tenant.ActionTenantCreated:     "onboarded",
	tenant.ActionTenantImported:    "imported",
	tenant.ActionTenantUpdated:     "updated",
	tenant.ActionTenantSuspended:   "suspended",
	tenant.ActionTenantReactivated: "reactivated",
	tenant.ActionTenantDeleted:     "deleted",
	tenant.ActionTenantRestored:    "restored",
	tenant.ActionTenantPurged:      "purged",
	tenant.ActionSettingsUpdated:   "changed the settings of",
	tenant.ActionBrandingUpdated:   "changed the branding of",
	tenant.ActionPlanUpdated:       "changed the plan and quotas of",
}

// actionLabels name the actions in the audit log's filter.
var actionLabels = map[string]string{
	tenant.ActionTenantCreated:      "Onboarded",
	tenant.ActionTenantImported:     "Imported from legacy YAML",
	tenant.ActionTenantUpdated:      "Updated from legacy YAML",
	tenant.ActionTenantSuspended:    "Suspended",
	tenant.ActionTenantReactivated:  "Reactivated",
	tenant.ActionTenantDeleted:      "Deleted",
	tenant.ActionTenantRestored:     "Restored",
	tenant.ActionTenantPurged:       "Purged",
	tenant.ActionSettingsUpdated:    "Settings changed",
	tenant.ActionBrandingUpdated:    "Branding changed",
	tenant.ActionPlanUpdated:        "Plan or quotas changed",
	tenant.ActionSecretChanged:      "Credential replaced",
	tenant.ActionSecretRotated:      "Credential re-encrypted",
	tenant.ActionMemberInvited:      "Member invited",
	tenant.ActionMemberAdded:        "Member added",
	tenant.ActionMemberRoleChanged:  "Member's role changed",
	tenant.ActionMemberRemoved:      "Member removed",
	tenant.ActionInvitationResent:   "Invitation resent",
	tenant.ActionInvitationRevoked:  "Invitation revoked",
	tenant.ActionInvitationAccepted: "Invitation accepted",
	tenant.ActionStaffAdded:         "Staff added",
	tenant.ActionStaffRoleChanged:   "Staff role changed",
	tenant.ActionStaffRemoved:       "Staff removed",
}

// ActionLabel names an audit action for people.
func ActionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	return components.Capitalized(strings.NewReplacer(".", " ", "_", " ").Replace(action))
}

func roleWords(role string) string {
	if role == "" {
		return ""
	}
	return strings.ReplaceAll(role, "_", " ")
}

// whoDid is the actor as the sentence starts: "ada@example.com (owner)".
func whoDid(ev tenant.AuditEvent) string {
	who := components.PersonLabel(ev.ActorEmail)
	if r := roleWords(ev.ActorRole); r != "" && !strings.HasPrefix(ev.ActorEmail, "cli:") && ev.ActorEmail != "" {
		who += " (" + r + ")"
	}
	if strings.Contains(ev.ActorEmail, "@") {
		return who // an e-mail address is written as it is, even first
	}
	return components.Capitalized(who)
}

func recorded(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// eventTenantName is the tenant's name now, or the one the event recorded
// (a purged tenant), or its id.
func eventTenantName(ev tenant.AuditEvent) string {
	switch {
	case ev.TenantName != "":
		return ev.TenantName
	case recorded(ev.Before, "name") != "":
		return recorded(ev.Before, "name")
	case recorded(ev.After, "name") != "":
		return recorded(ev.After, "name")
	}
	return ev.TenantID
}

func lineOf(ev tenant.AuditEvent) auditLine {
	l := auditLine{Who: whoDid(ev)}
	if ev.TenantID != "" {
		l.TenantName = eventTenantName(ev)
		if ev.TenantName != "" {
			l.TenantURL = string(tenantURL(ev.TenantID))
		}
	}
	email := recorded(ev.After, "email")
	if email == "" {
		email = recorded(ev.Before, "email")
	}
	role := func(m map[string]any) string { return memberRoleLabel(tenant.MemberRole(recorded(m, "role"))) }
	staffRole := func(m map[string]any) string { return roleWords(recorded(m, "role")) }
	switch ev.Action {
	case tenant.ActionTenantImported:
		l.Before, l.After = "imported", " from the legacy YAML"
	case tenant.ActionTenantUpdated:
		l.Before = "updated"
		if strings.HasPrefix(ev.ActorEmail, "cli:") {
			l.After = " from the legacy YAML"
		}
	case tenant.ActionSecretChanged, tenant.ActionSecretRotated:
		what := "a credential"
		if names := secretNames(ev); len(names) == 1 {
			what = "the " + secretLabel(names[0])
		}
		l.Before = "replaced " + what + " of"
		if ev.Action == tenant.ActionSecretRotated {
			l.Before, l.After = "re-encrypted "+what+" of", " under a new key"
		}
	case tenant.ActionMemberInvited:
		l.Before, l.After = "invited "+email+" to", " as "+role(ev.After)
	case tenant.ActionMemberAdded:
		l.Before, l.After = "added "+email+" to", " as "+role(ev.After)
	case tenant.ActionMemberRoleChanged:
		l.Before, l.After = "changed the role of "+email+" in", " from "+role(ev.Before)+" to "+role(ev.After)
	case tenant.ActionMemberRemoved:
		l.Before = "removed " + email + " from"
	case tenant.ActionInvitationResent:
		l.Before = "resent the invitation of " + email + " to"
	case tenant.ActionInvitationRevoked:
		l.Before = "revoked the invitation of " + email + " to"
	case tenant.ActionInvitationAccepted:
		l.Before, l.After = "accepted the invitation to", " as "+role(ev.After)
	case tenant.ActionStaffAdded:
		l.Before = "added " + email + " to the staff as " + staffRole(ev.After)
	case tenant.ActionStaffRoleChanged:
		l.Before = "changed the staff role of " + email + " from " + staffRole(ev.Before) + " to " + staffRole(ev.After)
	case tenant.ActionStaffRemoved:
		l.Before = "removed " + email + " (" + staffRole(ev.Before) + ") from the staff"
	default:
		if v, ok := actionVerbs[ev.Action]; ok {
			l.Before = v
		} else {
			l.Before = "did “" + strings.ToLower(ActionLabel(ev.Action)) + "” to"
		}
	}
	return l
}

func secretNames(ev tenant.AuditEvent) []string {
	var names []string
	for _, n := range tenant.SecretNames {
		_, b := ev.Before[n]
		_, a := ev.After[n]
		if a || b {
			names = append(names, n)
		}
	}
	return names
}

// auditLabels name the fields events record beyond the forms' own.
var auditLabels = map[string]string{
	"name": "Name", "short_name": "Short name", "status": "Status", "source": "Source",
	"suspended_at": "Suspended at", "suspended_by": "Suspended by", "suspended_reason": "Reason for the suspension",
	"deleted_at": "Deleted at", "deleted_by": "Deleted by", "deleted_reason": "Reason for the deletion",
	"email": "E-mail address", "display_name": "Name", "role": "Role", "user_id": "Account",
	"invitation_id": "Invitation", "expires_at": "Expires", "owner_email": "Owner's e-mail address",
	"owner_user_id": "Owner's account", "owner_account": "Owner's account was", "rows_removed": "Records removed",
	"prompts": "Prompts", "secrets": "Credentials", "source_file": "Legacy file", "warnings": "Import warnings",
	"owner_password": "Owner's password", "password": "Password",
}

// AuditLabel names a field an event recorded, as the forms name it.
func AuditLabel(key string) string {
	if l, ok := editLabels[key]; ok && key != "version" {
		return l
	}
	if l, ok := auditLabels[key]; ok {
		return l
	}
	if l, ok := secretLabels[key]; ok {
		return l
	}
	return components.Capitalized(strings.ReplaceAll(key, "_", " "))
}

// diffRow is one field of an event for people: labelled, values readable.
type diffRow struct {
	Key, Label, Before, After string
	Changed, Secret           bool
}

// diffOf is ev's fields as people read them; times in loc.
func diffOf(ev tenant.AuditEvent, loc *time.Location) []diffRow {
	raw := ev.Diff()
	rows := make([]diffRow, 0, len(raw))
	for _, r := range raw {
		if strings.HasSuffix(r.Field, "_reason") && r.After == ev.Reason() {
			continue // the sentence quotes it already
		}
		row := diffRow{Key: r.Field, Label: AuditLabel(r.Field), Changed: r.Changed, Secret: r.Secret}
		if !r.Secret {
			row.Before, row.After = auditValueText(r.Field, r.Before, loc), auditValueText(r.Field, r.After, loc)
		}
		rows = append(rows, row)
	}
	// Changed fields first, then in the forms' words' order.
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Changed != rows[j].Changed {
			return rows[i].Changed
		}
		return rows[i].Label < rows[j].Label
	})
	return rows
}

// auditValueText shows one recorded value as the pages show it.
func auditValueText(key, v string, loc *time.Location) string {
	if v == "" {
		return ""
	}
	switch key {
	case "status":
		return components.StatusLabel(tenant.Status(v))
	case "plan":
		return components.PlanLabel(tenant.Plan(v))
	case "role":
		if r := tenant.MemberRole(v); r.Valid() {
			return memberRoleLabel(r)
		}
		return components.Capitalized(roleWords(v))
	case "source":
		return sourceLabel(tenant.Source(v))
	case "preset_theme":
		return themeLabel(v)
	case "suspended_by", "deleted_by":
		return components.PersonLabel(v)
	case "max_users", "max_monthly_quotes", "max_storage_gb", "rows_removed":
		if n, err := strconv.Atoi(v); err == nil {
			return thousands(n)
		}
	case "prompts":
		var names []string
		if json.Unmarshal([]byte(v), &names) == nil {
			return strings.Join(names, ", ")
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return components.Moment(t, loc)
	}
	return v
}

// changedCount is how many of an event's fields changed.
func changedCount(rows []diffRow) int {
	n := 0
	for _, r := range rows {
		if r.Changed {
			n++
		}
	}
	return n
}

func fieldsSummary(rows []diffRow) string {
	n := changedCount(rows)
	switch n {
	case 0:
		return "Details"
	case 1:
		return "1 field"
	}
	return strconv.Itoa(n) + " fields"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
