package tenant

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenant-console/console/internal/apperr"
)

// Members and invitations (docs/design.md §5): a tenant's owners and admins
// run their own people; platform admins may do it for any tenant; support
// only looks.

// InvitationLifetime is how long an invitation stays open.
const InvitationLifetime = 7 * 24 * time.Hour

// InvitationStatus is where an invitation stands (user_invitations.status).
type InvitationStatus string

const (
	InvitationPending  InvitationStatus = "pending"
	InvitationAccepted InvitationStatus = "accepted"
	InvitationRevoked  InvitationStatus = "revoked"
	InvitationExpired  InvitationStatus = "expired"
)

// Invitation is an open invitation to join a tenant.
type Invitation struct {
	ID        int64
	TenantID  string
	Email     string
	Role      MemberRole
	InvitedBy string
	Status    InvitationStatus
	CreatedAt time.Time
	ExpiresAt time.Time
}

// State is the status a person should read: a pending invitation past its
// expiry is expired even before anything marked it so.
func (i Invitation) State(now time.Time) InvitationStatus {
	if i.Status == InvitationPending && !now.Before(i.ExpiresAt) {
		return InvitationExpired
	}
	return i.Status
}

// refuse is a request the current state of the tenant's people (or of the
// staff) does not allow: the last owner, a full tenant. The message is for
// the person who asked.
func refuse(format string, a ...any) error {
	return apperr.E(apperr.Conflict, fmt.Sprintf(format, a...))
}

// RefuseDeleted refuses a change to t when it is deleted (see
// Tenant.ReadOnly), saying so; nil otherwise.
func RefuseDeleted(t Tenant) error {
	if t.ReadOnly() {
		return refuse("%s is deleted, so it cannot be changed. Restore it first.", t.Name)
	}
	return nil
}

// lockChangeable takes the tenant's lock and refuses a deleted tenant.
func lockChangeable(ctx context.Context, tx TxCore, tenantID string) (Tenant, error) {
	t, err := tx.LockTenant(ctx, tenantID)
	if err != nil {
		return Tenant{}, err
	}
	return t, RefuseDeleted(t)
}

// Refused returns the sentence of a refusal by the current state (an
// apperr.Conflict that says why), or "" for any other error.
func Refused(err error) string {
	if apperr.KindOf(err) != apperr.Conflict {
		return ""
	}
	return apperr.MessageOf(err)
}

// People is the members page: the tenant, its members and its open
// invitations (pending or expired), and what the viewer may do.
type People struct {
	Tenant      Tenant
	Members     []Member
	Invitations []Invitation
	// Seats is members plus pending (unexpired) invitations: what
	// max_users limits.
	Seats int
	// CanManage: the viewer may invite, change roles and remove.
	CanManage bool
	// CanGrantOwner: the viewer may make, demote or remove owners.
	CanGrantOwner bool
	Now           time.Time
	// ViewerID is the viewer's account id: nobody removes themselves.
	ViewerID string
}

// Unremovable is why m cannot be removed by the viewer, in a few words for
// the row that does not offer it, or "" when Remove would be done. Remove
// refuses the same cases.
func (p People) Unremovable(m Member) string {
	switch {
	case m.UserID == p.ViewerID:
		return "This is you; another owner or admin can remove you."
	case m.Role == MemberOwner && !p.CanGrantOwner:
		return "Only an owner can remove an owner."
	case m.Role == MemberOwner && p.owners() <= 1:
		return "The last owner cannot be removed."
	}
	return ""
}

// RoleFixed is why the viewer cannot change m's role, in a few words for
// the row that does not offer it, or "" when a change would be done.
// ChangeRole refuses the same cases; Remove refuses them too, so a row
// whose role is fixed offers neither.
func (p People) RoleFixed(m Member) string {
	switch {
	case m.Role == MemberOwner && !p.CanGrantOwner:
		return "Only an owner can change or remove an owner."
	case m.Role == MemberOwner && p.owners() <= 1 && m.UserID == p.ViewerID:
		return "You are the last owner; make someone else an owner before changing your role."
	case m.Role == MemberOwner && p.owners() <= 1:
		return "The last owner cannot be demoted or removed; make someone else an owner first."
	}
	return ""
}

func (p People) owners() int {
	n := 0
	for _, m := range p.Members {
		if m.Role == MemberOwner {
			n++
		}
	}
	return n
}

// MemberStore is the persistence the members use cases need.
type MemberStore interface {
	// ListPeople returns a tenant (any status), its members (owners first)
	// and its invitations still pending in the table (some possibly past
	// their expiry), newest first.
	ListPeople(ctx context.Context, tenantID string) (Tenant, []Member, []Invitation, error)
	// InPeopleTx runs fn in one transaction.
	InPeopleTx(ctx context.Context, fn func(PeopleTx) error) error
	// ResultStore: what an invite form's earlier submit did.
	ResultStore
}

// PeopleTx is what one members transaction may read and write.
type PeopleTx interface {
	// TxCore: every change to a tenant's people takes the tenant's lock
	// first, so the seat count and the owner count cannot change under a
	// check.
	TxCore
	// ExpireInvitations marks the tenant's pending invitations past their
	// expiry as expired.
	ExpireInvitations(ctx context.Context, tenantID string) error
	// MemberByEmail and MemberByUser give apperr.ErrNotFound when absent.
	MemberByEmail(ctx context.Context, tenantID, email string) (Member, error)
	MemberByUser(ctx context.Context, tenantID, userID string) (Member, error)
	// PendingInvitation is the tenant's pending invitation of email.
	PendingInvitation(ctx context.Context, tenantID, email string) (Invitation, error)
	// Invitation is one invitation of the tenant, locked.
	Invitation(ctx context.Context, tenantID string, id int64) (Invitation, error)
	// CountSeats counts members plus pending invitations.
	CountSeats(ctx context.Context, tenantID string) (int, error)
	// CountOwners counts the tenant's owners.
	CountOwners(ctx context.Context, tenantID string) (int, error)
	InsertMember(ctx context.Context, m Member, createdBy string) error
	UpdateMemberRole(ctx context.Context, tenantID, userID string, role MemberRole) error
	DeleteMember(ctx context.Context, tenantID, userID string) error
	InsertInvitation(ctx context.Context, inv Invitation) (Invitation, error)
	SetInvitationStatus(ctx context.Context, id int64, status InvitationStatus) error
	ExtendInvitation(ctx context.Context, id int64, expiresAt time.Time) error
	// PendingInvitationsFor locks every pending, unexpired invitation of
	// email, in any tenant.
	PendingInvitationsFor(ctx context.Context, email string) ([]Invitation, error)
	// ResultTx: an invite form's result, stored with the change.
	ResultTx
}

// MemberService holds the members and invitations use cases.
type MemberService struct {
	store    MemberStore
	accounts Accounts
	now      func() time.Time
	gate     keyGate
}

// NewMemberService returns the members use cases.
func NewMemberService(store MemberStore, accounts Accounts) *MemberService {
	return &MemberService{store: store, accounts: accounts, now: time.Now}
}

// may says whether actor may see tenantID's people (else not found) and
// whether they may change them (else forbidden): the same people who read
// and edit the tenant's settings.
func may(actor Actor, tenantID string, change bool) error {
	if !ValidID(tenantID) || !actor.CanReadEdits(tenantID) {
		return fmt.Errorf("members of %q: %w", tenantID, apperr.ErrNotFound)
	}
	if change && !actor.CanEdit(tenantID) {
		return fmt.Errorf("change members of %q: %w", tenantID, apperr.ErrForbidden)
	}
	return nil
}

// canGrantOwner: only owners (and platform admins) make, demote or remove
// owners, so an admin cannot take a tenant over.
func canGrantOwner(actor Actor, tenantID string) bool {
	if actor.IsPlatformAdmin() {
		return true
	}
	m, ok := actor.Membership(tenantID)
	return ok && m.Role == MemberOwner
}

// List returns the members page.
func (s *MemberService) List(ctx context.Context, actor Actor, tenantID string) (People, error) {
	if err := may(actor, tenantID, false); err != nil {
		return People{}, err
	}
	t, members, invs, err := s.store.ListPeople(ctx, tenantID)
	if err != nil {
		return People{}, fmt.Errorf("members of %q: %w", tenantID, err)
	}
	now := s.now()
	p := People{Tenant: t, Members: members, Invitations: invs, Now: now,
		CanManage:     may(actor, tenantID, true) == nil && !t.ReadOnly(),
		CanGrantOwner: canGrantOwner(actor, tenantID), ViewerID: actor.UserID}
	p.Seats = len(members)
	for _, inv := range invs {
		if inv.State(now) == InvitationPending {
			p.Seats++
		}
	}
	return p, nil
}

// InviteInput is the invite form as typed.
type InviteInput struct {
	Email string `form:"email"`
	Name  string `form:"name"`
	Role  string `form:"role"`
	// IdempotencyKey comes with the form (see keyGate): a second submit
	// of one form answers with the first one's result.
	IdempotencyKey string `form:"idempotency_key"`
}

// InviteOutcome says what an invitation did.
type InviteOutcome string

const (
	// InviteSent: a new person got a GoTrue invitation e-mail.
	InviteSent InviteOutcome = "invited"
	// InviteAdded: the e-mail already had an account; it is a member now.
	InviteAdded InviteOutcome = "added"
	// InviteAlreadyMember: nothing changed.
	InviteAlreadyMember InviteOutcome = "already_member"
	// InviteAlreadyPending: an open invitation exists; nothing changed.
	InviteAlreadyPending InviteOutcome = "already_pending"
)

// InviteResult is what the inviter is told. It is stored under the form's
// idempotency key.
type InviteResult struct {
	Outcome    InviteOutcome `json:"outcome"`
	Email      string        `json:"email"`
	Role       MemberRole    `json:"role"`
	Member     Member        `json:"member"`     // InviteAdded, InviteAlreadyMember
	Invitation Invitation    `json:"invitation"` // InviteSent, InviteAlreadyPending
}

// Message is the sentence the inviter reads.
func (r InviteResult) Message() string {
	switch r.Outcome {
	case InviteAdded:
		return fmt.Sprintf("%s already has an account; they were added as %s and sign in with their existing password.", r.Email, r.Role)
	case InviteAlreadyMember:
		return fmt.Sprintf("%s is already a member (%s); nothing changed.", r.Email, r.Member.Role)
	case InviteAlreadyPending:
		return fmt.Sprintf("%s already has a pending invitation (%s); resend or revoke it below.", r.Email, r.Invitation.Role)
	}
	return fmt.Sprintf("Invitation sent to %s as %s; it expires in 7 days.", r.Email, r.Role)
}

// cleanInvite validates the invite form.
func cleanInvite(in InviteInput) (email, name string, role MemberRole, err error) {
	errs := apperr.NewValidation()
	email = FieldEmail.Into(errs, "email", in.Email)
	name = FieldPersonName.Into(errs, "name", in.Name)
	role = MemberRole(FieldMemberRole.Into(errs, "role", in.Role))
	return email, name, role, errs.OrNil()
}

// Invite invites email into tenantID with a role. GoTrue is asked outside
// any transaction (it may take seconds, and the tenant's lock would hold
// every other change to its people meanwhile): the rules are checked
// first, then GoTrue makes or finds the account, then one transaction
// checks the rules again under the tenant's lock and writes. Submits of one
// form (in.IdempotencyKey) do this once and all answer its result.
func (s *MemberService) Invite(ctx context.Context, actor Actor, tenantID string, in InviteInput) (InviteResult, error) {
	if err := may(actor, tenantID, true); err != nil {
		return InviteResult{}, err
	}
	email, name, role, err := cleanInvite(in)
	if err != nil {
		return InviteResult{}, err
	}
	if role == MemberOwner && !canGrantOwner(actor, tenantID) {
		return InviteResult{}, refuse("Only an owner can make someone an owner.")
	}
	key := newRequestKey(in.IdempotencyKey, "member_invite", tenantID, actor.UserID)
	res, err := once(ctx, &s.gate, s.store, key, func() (InviteResult, error) {
		return s.invite(ctx, actor, tenantID, email, name, role, key)
	})
	if err != nil {
		return InviteResult{}, fmt.Errorf("invite to %q: %w", tenantID, err)
	}
	return res, nil
}

// invite is Invite once the input is valid.
func (s *MemberService) invite(ctx context.Context, actor Actor, tenantID, email, name string, role MemberRole, key requestKey) (InviteResult, error) {
	res := InviteResult{Email: email, Role: role}
	settled := false
	err := s.store.InPeopleTx(ctx, func(tx PeopleTx) error {
		res = InviteResult{Email: email, Role: role} // fn runs again after a dead connection
		var err error
		if settled, err = inviteSettled(ctx, tx, tenantID, &res); err != nil || !settled {
			return err
		}
		return saveResult(ctx, tx, key, res)
	})
	if err != nil || settled {
		return res, err
	}

	acct, outcome, err := EnsureAccount(ctx, s.accounts, email, "", name)
	if err != nil {
		return InviteResult{}, inviteAccountErr(err)
	}

	err = s.store.InPeopleTx(ctx, func(tx PeopleTx) error {
		res = InviteResult{Email: email, Role: role}
		settled, err := inviteSettled(ctx, tx, tenantID, &res)
		if err != nil {
			return alreadyEmailed(err, outcome, email)
		}
		if !settled && outcome == AccountLinked {
			// Another tenant's member signs in with their own address;
			// GoTrue may know it in other letters' case.
			if existing, err := tx.MemberByUser(ctx, tenantID, acct.ID); err == nil {
				res.Outcome, res.Member, settled = InviteAlreadyMember, existing, true
			} else if !errors.Is(err, apperr.ErrNotFound) {
				return err
			}
		}
		if settled {
			return saveResult(ctx, tx, key, res)
		}
		if outcome == AccountLinked {
			m := Member{TenantID: tenantID, UserID: acct.ID, Email: email, DisplayName: name, Role: role}
			if err := tx.InsertMember(ctx, m, actor.Email); err != nil {
				return err
			}
			res.Outcome, res.Member = InviteAdded, m
			ev := NewAuditEvent(actor, tenantID, ActionMemberAdded)
			ev.After = map[string]any{"email": email, "role": string(role), "user_id": acct.ID, "display_name": name}
			if err := tx.InsertAudit(ctx, ev); err != nil {
				return err
			}
			return saveResult(ctx, tx, key, res)
		}
		now := s.now()
		inv, err := tx.InsertInvitation(ctx, Invitation{TenantID: tenantID, Email: email, Role: role,
			InvitedBy: actor.Email, Status: InvitationPending, CreatedAt: now, ExpiresAt: now.Add(InvitationLifetime)})
		if err != nil {
			return err
		}
		res.Outcome, res.Invitation = InviteSent, inv
		ev := NewAuditEvent(actor, tenantID, ActionMemberInvited)
		ev.After = map[string]any{"email": email, "role": string(role), "invitation_id": inv.ID,
			"expires_at": inv.ExpiresAt.UTC().Format(time.RFC3339)}
		if err := tx.InsertAudit(ctx, ev); err != nil {
			return err
		}
		return saveResult(ctx, tx, key, res)
	})
	if err != nil {
		return InviteResult{}, err
	}
	return res, nil
}

// inviteSettled takes the tenant's lock and decides whether an invitation
// of res.Email is answered without GoTrue: settled for a member or a
// pending invitation (res says which), a refusal for a full tenant.
func inviteSettled(ctx context.Context, tx PeopleTx, tenantID string, res *InviteResult) (settled bool, err error) {
	t, err := lockChangeable(ctx, tx, tenantID)
	if err != nil {
		return false, err
	}
	if err := tx.ExpireInvitations(ctx, tenantID); err != nil {
		return false, err
	}
	if m, err := tx.MemberByEmail(ctx, tenantID, res.Email); err == nil {
		res.Outcome, res.Member = InviteAlreadyMember, m
		return true, nil
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return false, err
	}
	if inv, err := tx.PendingInvitation(ctx, tenantID, res.Email); err == nil {
		res.Outcome, res.Invitation = InviteAlreadyPending, inv
		return true, nil
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return false, err
	}
	seats, err := tx.CountSeats(ctx, tenantID)
	if err != nil {
		return false, err
	}
	if seats >= t.Quotas.MaxUsers {
		return false, refuse("%s is full: %d of %d users (members and pending invitations). "+
			"Remove a member or revoke an invitation first, or ask a platform admin for a larger quota.",
			t.Name, seats, t.Quotas.MaxUsers)
	}
	return false, nil
}

// alreadyEmailed adds to a refusal that came after GoTrue had sent email
// an invitation (the rules are checked again once it has) that the e-mail
// is out and gives no access here.
func alreadyEmailed(err error, outcome AccountOutcome, email string) error {
	why := Refused(err)
	if outcome != AccountInvited || why == "" {
		return err
	}
	return refuse("%s Meanwhile the sign-in service had already e-mailed %s an invitation; "+
		"it gives no access to this tenant, so they can ignore it.", why, email)
}

// inviteAccountErr puts GoTrue refusing the address beside the field.
func inviteAccountErr(err error) error {
	if errors.Is(err, ErrAccountRejected) {
		errs := apperr.NewValidation()
		errs.Add("email", "The sign-in service cannot send an invitation to this address. Check it, or use another.")
		return errs
	}
	return err
}

// ChangeRole gives a member another role. The last owner keeps theirs.
func (s *MemberService) ChangeRole(ctx context.Context, actor Actor, tenantID, userID, rawRole string) (Member, error) {
	if err := may(actor, tenantID, true); err != nil {
		return Member{}, err
	}
	errs := apperr.NewValidation()
	role := MemberRole(FieldMemberRole.Into(errs, "role", rawRole))
	if err := errs.OrNil(); err != nil {
		return Member{}, err
	}
	var m Member
	err := s.store.InPeopleTx(ctx, func(tx PeopleTx) error {
		if _, err := lockChangeable(ctx, tx, tenantID); err != nil {
			return err
		}
		var err error
		if m, err = tx.MemberByUser(ctx, tenantID, userID); err != nil {
			return err
		}
		if m.Role == role {
			return refuse("%s already is %s; nothing changed.", m.Email, role)
		}
		if (m.Role == MemberOwner || role == MemberOwner) && !canGrantOwner(actor, tenantID) {
			return refuse("Only an owner can make someone an owner or change an owner's role.")
		}
		if m.Role == MemberOwner {
			if err := keepAnOwner(ctx, tx, tenantID, m.Email, "demoted"); err != nil {
				return err
			}
		}
		if err := tx.UpdateMemberRole(ctx, tenantID, userID, role); err != nil {
			return err
		}
		ev := NewAuditEvent(actor, tenantID, ActionMemberRoleChanged)
		ev.Before = map[string]any{"email": m.Email, "role": string(m.Role)}
		ev.After = map[string]any{"email": m.Email, "role": string(role)}
		m.Role = role
		return tx.InsertAudit(ctx, ev)
	})
	if err != nil {
		return Member{}, fmt.Errorf("change role in %q: %w", tenantID, err)
	}
	return m, nil
}

// Remove takes a member out of the tenant; their session loses the tenant
// at their next request. The last owner stays.
func (s *MemberService) Remove(ctx context.Context, actor Actor, tenantID, userID string) (Member, error) {
	if err := may(actor, tenantID, true); err != nil {
		return Member{}, err
	}
	var m Member
	err := s.store.InPeopleTx(ctx, func(tx PeopleTx) error {
		if _, err := lockChangeable(ctx, tx, tenantID); err != nil {
			return err
		}
		var err error
		if m, err = tx.MemberByUser(ctx, tenantID, userID); err != nil {
			return err
		}
		if m.Role == MemberOwner {
			if !canGrantOwner(actor, tenantID) {
				return refuse("Only an owner can remove an owner.")
			}
			if err := keepAnOwner(ctx, tx, tenantID, m.Email, "removed"); err != nil {
				return err
			}
		}
		if m.UserID == actor.UserID {
			return refuse("You cannot remove yourself; another owner or admin can.")
		}
		if err := tx.DeleteMember(ctx, tenantID, userID); err != nil {
			return err
		}
		ev := NewAuditEvent(actor, tenantID, ActionMemberRemoved)
		ev.Before = map[string]any{"email": m.Email, "role": string(m.Role), "user_id": m.UserID}
		return tx.InsertAudit(ctx, ev)
	})
	if err != nil {
		return Member{}, fmt.Errorf("remove member of %q: %w", tenantID, err)
	}
	return m, nil
}

func keepAnOwner(ctx context.Context, tx PeopleTx, tenantID, email, verb string) error {
	owners, err := tx.CountOwners(ctx, tenantID)
	if err != nil {
		return err
	}
	if owners <= 1 {
		return refuse("%s is the last owner and cannot be %s. Make someone else an owner first.", email, verb)
	}
	return nil
}

// Revoke closes a pending (or expired) invitation.
func (s *MemberService) Revoke(ctx context.Context, actor Actor, tenantID string, id int64) (Invitation, error) {
	var inv Invitation
	err := s.onInvitation(ctx, actor, tenantID, id, func(tx PeopleTx, cur Invitation, state InvitationStatus) error {
		inv = cur
		if state != InvitationPending && state != InvitationExpired {
			return refuse("The invitation of %s is %s already; nothing changed.", cur.Email, state)
		}
		if err := tx.SetInvitationStatus(ctx, id, InvitationRevoked); err != nil {
			return err
		}
		inv.Status = InvitationRevoked
		ev := invitationEvent(actor, cur, state, ActionInvitationRevoked)
		ev.After = map[string]any{"status": string(InvitationRevoked)}
		return tx.InsertAudit(ctx, ev)
	})
	if err != nil {
		return Invitation{}, fmt.Errorf("revoke invitation in %q: %w", tenantID, err)
	}
	return inv, nil
}

// Resend sends a pending invitation's e-mail again and gives it another 7
// days. When the address has a confirmed account by now, the person is
// added at once instead, as Invite would. An expired invitation is invited
// anew through Invite. As in Invite, GoTrue is asked between a first look
// and the transaction that writes, never under the tenant's lock.
func (s *MemberService) Resend(ctx context.Context, actor Actor, tenantID string, id int64) (InviteResult, error) {
	var email string
	err := s.onInvitation(ctx, actor, tenantID, id, func(_ PeopleTx, cur Invitation, state InvitationStatus) error {
		if state != InvitationPending {
			return refuse("The invitation of %s is %s; invite them again instead.", cur.Email, state)
		}
		email = cur.Email
		return nil
	})
	if err != nil {
		return InviteResult{}, fmt.Errorf("resend invitation in %q: %w", tenantID, err)
	}
	acct, outcome, err := EnsureAccount(ctx, s.accounts, email, "", "")
	if err != nil {
		return InviteResult{}, fmt.Errorf("resend invitation in %q: %w", tenantID, inviteAccountErr(err))
	}
	var res InviteResult
	err = s.onInvitation(ctx, actor, tenantID, id, func(tx PeopleTx, cur Invitation, state InvitationStatus) error {
		res = InviteResult{Email: cur.Email, Role: cur.Role, Invitation: cur}
		if state != InvitationPending {
			return alreadyEmailed(refuse("The invitation of %s is %s now; nothing changed.", cur.Email, state), outcome, cur.Email)
		}
		if outcome == AccountLinked {
			if err := tx.SetInvitationStatus(ctx, id, InvitationAccepted); err != nil {
				return err
			}
			if existing, err := tx.MemberByUser(ctx, tenantID, acct.ID); err == nil {
				// Added another way meanwhile: the invitation is done.
				res.Outcome, res.Member = InviteAlreadyMember, existing
				return nil
			} else if !errors.Is(err, apperr.ErrNotFound) {
				return err
			}
			m := Member{TenantID: tenantID, UserID: acct.ID, Email: cur.Email, Role: cur.Role}
			if err := tx.InsertMember(ctx, m, actor.Email); err != nil {
				return err
			}
			res.Outcome, res.Member = InviteAdded, m
			ev := NewAuditEvent(actor, tenantID, ActionMemberAdded)
			ev.After = map[string]any{"email": cur.Email, "role": string(cur.Role), "user_id": acct.ID, "invitation_id": cur.ID}
			return tx.InsertAudit(ctx, ev)
		}
		res.Outcome = InviteSent
		res.Invitation.ExpiresAt = s.now().Add(InvitationLifetime)
		if err := tx.ExtendInvitation(ctx, id, res.Invitation.ExpiresAt); err != nil {
			return err
		}
		ev := invitationEvent(actor, cur, state, ActionInvitationResent)
		ev.After = map[string]any{"status": string(InvitationPending), "expires_at": res.Invitation.ExpiresAt.UTC().Format(time.RFC3339)}
		return tx.InsertAudit(ctx, ev)
	})
	if err != nil {
		return InviteResult{}, fmt.Errorf("resend invitation in %q: %w", tenantID, err)
	}
	return res, nil
}

// onInvitation runs fn on one of the tenant's invitations, under the
// tenant's lock.
func (s *MemberService) onInvitation(ctx context.Context, actor Actor, tenantID string, id int64,
	fn func(tx PeopleTx, cur Invitation, state InvitationStatus) error) error {
	if err := may(actor, tenantID, true); err != nil {
		return err
	}
	return s.store.InPeopleTx(ctx, func(tx PeopleTx) error {
		if _, err := lockChangeable(ctx, tx, tenantID); err != nil {
			return err
		}
		cur, err := tx.Invitation(ctx, tenantID, id)
		if err != nil {
			return err
		}
		if cur.Role == MemberOwner && !canGrantOwner(actor, tenantID) {
			return refuse("Only an owner can handle an invitation to be an owner.")
		}
		return fn(tx, cur, cur.State(s.now()))
	})
}

func invitationEvent(actor Actor, inv Invitation, state InvitationStatus, action string) AuditEvent {
	ev := NewAuditEvent(actor, inv.TenantID, action)
	ev.Before = map[string]any{"email": inv.Email, "role": string(inv.Role), "status": string(state),
		"expires_at": inv.ExpiresAt.UTC().Format(time.RFC3339), "invitation_id": inv.ID}
	return ev
}

// AcceptInvitations turns the pending invitations of a person who has just
// signed in (so their invitation was accepted at GoTrue and their address
// confirmed) into memberships, one transaction and audit event each. It
// returns how many it accepted.
func (s *MemberService) AcceptInvitations(ctx context.Context, userID, email string) (int, error) {
	email, msg := FieldEmail.Clean(email)
	if userID == "" || msg != "" {
		return 0, nil
	}
	var open []Invitation
	err := s.store.InPeopleTx(ctx, func(tx PeopleTx) error {
		var err error
		open, err = tx.PendingInvitationsFor(ctx, email)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("accept invitations: %w", err)
	}
	person := Actor{UserID: userID, Email: email}
	accepted := 0
	for _, inv := range open {
		took := false // set in the transaction, counted once it commits
		err := s.store.InPeopleTx(ctx, func(tx PeopleTx) error {
			if _, err := tx.LockTenant(ctx, inv.TenantID); err != nil {
				return err
			}
			cur, err := tx.Invitation(ctx, inv.TenantID, inv.ID)
			if err != nil || cur.State(s.now()) != InvitationPending {
				return err // gone meanwhile: nothing to do
			}
			if err := tx.SetInvitationStatus(ctx, inv.ID, InvitationAccepted); err != nil {
				return err
			}
			// A member already (added another way) keeps the role they have.
			if _, err := tx.MemberByUser(ctx, inv.TenantID, userID); errors.Is(err, apperr.ErrNotFound) {
				m := Member{TenantID: inv.TenantID, UserID: userID, Email: cur.Email, Role: cur.Role}
				if err := tx.InsertMember(ctx, m, "invitation:"+cur.InvitedBy); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			took = true
			ev := NewAuditEvent(person, inv.TenantID, ActionInvitationAccepted)
			ev.ActorRole = string(cur.Role)
			ev.After = map[string]any{"email": cur.Email, "role": string(cur.Role), "user_id": userID, "invitation_id": cur.ID}
			return tx.InsertAudit(ctx, ev)
		})
		if err != nil {
			return accepted, fmt.Errorf("accept invitation %d: %w", inv.ID, err)
		}
		if took {
			accepted++
		}
	}
	return accepted, nil
}
