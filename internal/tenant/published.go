package tenant

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tenant-console/console/internal/apperr"
)

// What the read API publishes of tenants to the platform's own code
// (docs/design.md §14): one document per tenant — registry row, settings,
// branding, never a secret — and a feed of the documents that changed.

// PublishedTenant is one tenant's document. Revision and ChangeXID move
// with every transaction that changes any part of it (migration 00011).
type PublishedTenant struct {
	Tenant   Tenant
	Settings *Settings // nil: none yet
	Branding *Branding // nil: none yet
	// Revision counts the transactions that changed the document.
	Revision int64
	// ChangedAt is when the last of them ran; ChangeXID is its id.
	ChangedAt time.Time
	ChangeXID uint64
}

// ETag names this state of the document: the revision, and the
// transaction that made it (a tenant purged and made again under the same
// id starts its revisions anew, never its transactions).
func (p PublishedTenant) ETag() string {
	return fmt.Sprintf(`"%d.%d"`, p.Revision, p.ChangeXID)
}

// Cursor is where the feed stands after this document.
func (p PublishedTenant) Cursor() ChangeCursor {
	return ChangeCursor{XID: p.ChangeXID, ID: p.Tenant.ID}
}

// ChangeCursor is a position in the feed: after the document changed by
// transaction XID for tenant ID. An empty ID stands before every tenant
// of XID. The zero cursor is the beginning.
type ChangeCursor struct {
	XID uint64
	ID  string
}

// String is the cursor as the API hands it out: opaque to clients.
func (c ChangeCursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatUint(c.XID, 10) + ":" + c.ID))
}

// Beyond reports whether c stands later in the feed than o.
func (c ChangeCursor) Beyond(o ChangeCursor) bool {
	return c.XID > o.XID || (c.XID == o.XID && c.ID > o.ID)
}

// ParseChangeCursor reads a cursor String made.
func ParseChangeCursor(s string) (ChangeCursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(s) > 200 {
		return ChangeCursor{}, false
	}
	xid, id, ok := strings.Cut(string(raw), ":")
	n, err := strconv.ParseUint(xid, 10, 64)
	if !ok || err != nil || (id != "" && !ValidID(id)) {
		return ChangeCursor{}, false
	}
	return ChangeCursor{XID: n, ID: id}, true
}

// FeedQuery asks for the documents changed after Cursor or, without one,
// since Since (without either: every tenant).
type FeedQuery struct {
	Cursor *ChangeCursor
	Since  *time.Time
	Limit  int
}

// Feed limits.
const (
	FeedDefaultLimit = 100
	FeedMaxLimit     = 1000
)

// FeedPage is one page of the feed. Next is where to ask from next time,
// also when the page is empty: polling with it never misses a change.
type FeedPage struct {
	Tenants []PublishedTenant
	Next    ChangeCursor
	HasMore bool
}

// PublishedStore is what the read API reads.
type PublishedStore interface {
	// PublishedTenant reads one document; apperr.ErrNotFound when there
	// is no such tenant.
	PublishedTenant(ctx context.Context, id string) (PublishedTenant, error)
	// ChangedTenants returns up to limit documents after from, in feed
	// order, none at or beyond horizon: the oldest transaction still
	// running, which it returns too. Every change before horizon is
	// committed, so a cursor never passes one that could still land.
	ChangedTenants(ctx context.Context, from ChangeCursor, limit int) (docs []PublishedTenant, horizon uint64, err error)
	// FeedStart is where a feed of the changes since t starts.
	FeedStart(ctx context.Context, t time.Time) (ChangeCursor, error)
}

// Publisher holds the read API's use cases. Its callers hold an API token
// and see every tenant, whatever its status: the platform needs to know
// about a suspension as much as about a new colour.
type Publisher struct {
	store PublishedStore
}

// NewPublisher returns the read API's use cases.
func NewPublisher(store PublishedStore) *Publisher { return &Publisher{store: store} }

// Tenant returns tenant id's document.
func (p *Publisher) Tenant(ctx context.Context, id string) (PublishedTenant, error) {
	if !ValidID(id) {
		return PublishedTenant{}, fmt.Errorf("published tenant %q: %w", id, apperr.ErrNotFound)
	}
	doc, err := p.store.PublishedTenant(ctx, id)
	if err != nil {
		return PublishedTenant{}, fmt.Errorf("published tenant %s: %w", id, err)
	}
	return doc, nil
}

// Feed returns the next page of changed documents.
func (p *Publisher) Feed(ctx context.Context, q FeedQuery) (FeedPage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = FeedDefaultLimit
	}
	limit = min(limit, FeedMaxLimit)
	var from ChangeCursor
	switch {
	case q.Cursor != nil:
		from = *q.Cursor
	case q.Since != nil:
		var err error
		if from, err = p.store.FeedStart(ctx, *q.Since); err != nil {
			return FeedPage{}, fmt.Errorf("feed start: %w", err)
		}
	}
	docs, horizon, err := p.store.ChangedTenants(ctx, from, limit+1)
	if err != nil {
		return FeedPage{}, fmt.Errorf("feed: %w", err)
	}
	page := FeedPage{Tenants: docs, Next: from, HasMore: len(docs) > limit}
	if page.HasMore {
		page.Tenants = docs[:limit]
	}
	if n := len(page.Tenants); n > 0 {
		page.Next = page.Tenants[n-1].Cursor()
	}
	// A short page read everything before horizon: the next one may
	// start there.
	if h := (ChangeCursor{XID: horizon}); !page.HasMore && h.Beyond(page.Next) {
		page.Next = h
	}
	return page, nil
}
