package tenant

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tenant-console/console/internal/apperr"
)

// AuditPageSize is how many events one page of the audit log shows.
const AuditPageSize = 50

// AuditQuery is the state of an audit log page: what its URL carries.
type AuditQuery struct {
	Actor    string // the actor's e-mail (case-insensitive, exact)
	Action   string // e.g. tenant.suspended
	TenantID string
	From, To string // YYYY-MM-DD, inclusive, in the viewer's time zone
	After    string // keyset cursor: events older than this one
	Limit    int

	// Filled by Normalize from the fields above.
	FromTime, ToTime time.Time // [FromTime, ToTime)
	Cursor           *AuditCursor
}

// AuditCursor is the position of one event in newest-first order.
type AuditCursor struct {
	At time.Time
	ID int64
}

// String encodes the cursor for a URL.
func (c AuditCursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixMicro(), 10) + "." + strconv.FormatInt(c.ID, 10)))
}

// ParseAuditCursor decodes String's output (ok false for anything else).
func ParseAuditCursor(s string) (AuditCursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return AuditCursor{}, false
	}
	at, id, ok := strings.Cut(string(raw), ".")
	if !ok {
		return AuditCursor{}, false
	}
	us, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n < 0 {
		return AuditCursor{}, false
	}
	return AuditCursor{At: time.UnixMicro(us).UTC(), ID: n}, true
}

var actionPattern = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)+$`)

// AuditActions lists the actions the filter offers.
var AuditActions = []string{
	ActionTenantCreated, ActionTenantImported, ActionTenantUpdated, ActionTenantSuspended,
	ActionTenantReactivated, ActionTenantDeleted, ActionTenantRestored, ActionTenantPurged,
	ActionSettingsUpdated, ActionBrandingUpdated, ActionPlanUpdated, ActionSecretChanged, ActionSecretRotated,
	ActionMemberInvited, ActionMemberAdded, ActionMemberRoleChanged, ActionMemberRemoved,
	ActionInvitationResent, ActionInvitationRevoked, ActionInvitationAccepted,
	ActionStaffAdded, ActionStaffRoleChanged, ActionStaffRemoved,
	ActionPasswordSet, ActionPasswordRecovered,
	ActionPasswordChanged, ActionSignedOutEverywhere, ActionMFAEnrolled, ActionMFAReset,
	ActionAPITokenCreated, ActionAPITokenRevoked,
}

// Normalize drops what cannot be a filter (so any URL gives a page, never
// an error) and reads the dates in loc.
func (q AuditQuery) Normalize(loc *time.Location) AuditQuery {
	if loc == nil {
		loc = time.UTC
	}
	q.Actor = strings.ToLower(strings.TrimSpace(q.Actor))
	if len(q.Actor) > 320 || !Storable(q.Actor) {
		q.Actor = ""
	}
	q.Action = strings.TrimSpace(q.Action)
	if !actionPattern.MatchString(q.Action) || len(q.Action) > 100 {
		q.Action = ""
	}
	q.TenantID = strings.TrimSpace(q.TenantID)
	if q.TenantID != "" && !ValidID(q.TenantID) {
		q.TenantID = ""
	}
	q.FromTime, q.ToTime = time.Time{}, time.Time{}
	if d, err := time.ParseInLocation("2006-01-02", q.From, loc); err == nil {
		q.FromTime = d
	} else {
		q.From = ""
	}
	if d, err := time.ParseInLocation("2006-01-02", q.To, loc); err == nil {
		q.ToTime = d.AddDate(0, 0, 1)
	} else {
		q.To = ""
	}
	q.Cursor = nil
	if c, ok := ParseAuditCursor(q.After); ok {
		q.Cursor = &c
	} else {
		q.After = ""
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = AuditPageSize
	}
	return q
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Query  AuditQuery
	Events []AuditEvent
	Next   string // cursor of the next (older) page; "" on the last
}

// AuditReader is the audit log's storage.
type AuditReader interface {
	// AuditEvents returns up to q.Limit events matching q, newest first,
	// older than q.Cursor when set.
	AuditEvents(ctx context.Context, q AuditQuery) ([]AuditEvent, error)
	// EachAuditEvent calls fn for every event matching q, newest first,
	// streaming from the database (no page limit).
	EachAuditEvent(ctx context.Context, q AuditQuery, fn func(AuditEvent) error) error
}

// AuditService reads the audit log for people allowed to.
type AuditService struct {
	store AuditReader
}

// NewAuditService returns the audit log's use cases over store.
func NewAuditService(store AuditReader) *AuditService { return &AuditService{store: store} }

// authorize limits q to what actor may read: staff everything; a tenant's
// owners and admins that tenant's events (scopeTenant), nobody else.
func authorize(actor Actor, q *AuditQuery, scopeTenant string) error {
	if scopeTenant == "" {
		if !actor.IsStaff() {
			return fmt.Errorf("audit log: %w", apperr.ErrForbidden)
		}
		return nil
	}
	if !ValidID(scopeTenant) || !actor.CanSee(scopeTenant) {
		return fmt.Errorf("audit log of %q: %w", scopeTenant, apperr.ErrNotFound)
	}
	if !actor.MaySeeAudit(scopeTenant) {
		return fmt.Errorf("audit log of %q: %w", scopeTenant, apperr.ErrForbidden)
	}
	q.TenantID = scopeTenant
	return nil
}

// Page returns one page of events. scopeTenant, when set, is the tenant
// whose log this is (GET /tenants/{id}/audit).
func (s *AuditService) Page(ctx context.Context, actor Actor, q AuditQuery, scopeTenant string) (AuditPage, error) {
	if err := authorize(actor, &q, scopeTenant); err != nil {
		return AuditPage{}, err
	}
	want := q.Limit
	q.Limit++ // one more tells whether there is a next page
	evs, err := s.store.AuditEvents(ctx, q)
	q.Limit = want
	if err != nil {
		return AuditPage{}, fmt.Errorf("audit log: %w", err)
	}
	p := AuditPage{Query: q, Events: evs}
	if len(evs) > want {
		p.Events = evs[:want]
		last := p.Events[want-1]
		p.Next = AuditCursor{At: last.OccurredAt, ID: last.ID}.String()
	}
	return p, nil
}

// Each streams every event of q to fn (the CSV export).
func (s *AuditService) Each(ctx context.Context, actor Actor, q AuditQuery, scopeTenant string, fn func(AuditEvent) error) error {
	if err := authorize(actor, &q, scopeTenant); err != nil {
		return err
	}
	q.Cursor, q.After = nil, ""
	return s.store.EachAuditEvent(ctx, q, fn)
}

// DiffRow is one field of an event's before/after.
type DiffRow struct {
	Field   string
	Before  string
	After   string
	Changed bool
	Secret  bool // shown only as "changed", never its value
}

// secretKeys are audit fields that describe credentials: their values are
// never shown, not even the key ids.
var secretKeys = append(slices.Clone(SecretNames), "secrets", "password", "owner_password")

// IsSecretField reports whether an audit field describes a credential.
func IsSecretField(key string) bool { return slices.Contains(secretKeys, key) }

// Diff is an event's before/after field by field (the reason is shown on
// its own), sorted by field name.
func (ev AuditEvent) Diff() []DiffRow {
	keys := map[string]bool{}
	for k := range ev.Before {
		keys[k] = true
	}
	for k := range ev.After {
		keys[k] = true
	}
	delete(keys, AuditReasonKey)
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	rows := make([]DiffRow, 0, len(names))
	for _, k := range names {
		b, inB := ev.Before[k]
		a, inA := ev.After[k]
		r := DiffRow{Field: k, Before: auditValue(b, inB), After: auditValue(a, inA)}
		r.Changed = r.Before != r.After
		if IsSecretField(k) {
			r.Secret = true
			r.Before, r.After = "", "changed"
		}
		rows = append(rows, r)
	}
	return rows
}

// MaskedAudit returns m with credential fields replaced by "changed".
func MaskedAudit(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if IsSecretField(k) {
			v = "changed"
		}
		out[k] = v
	}
	return out
}

func auditValue(v any, present bool) string {
	if !present || v == nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprint(v)
}
