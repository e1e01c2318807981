// Package demo makes believable tenants: a few dozen hand-written travel
// agencies for `make run`, and any number of synthetic ones for load tests.
package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/tenant-console/console/internal/tenant"
)

// Generator makes synthetic tenants from a seeded source, so a given seed
// always gives the same names (ids stay unique across runs).
type Generator struct {
	rng *rand.Rand
	// people draws the members from a stream of its own, so adding them
	// left the names, ids and plans of a given seed as they were.
	people *rand.Rand
	now    time.Time
	count  int
	batch  string // distinguishes short names of separate runs
}

// NewGenerator returns a generator; seed 0 picks a random seed.
func NewGenerator(seed uint64, now time.Time) *Generator {
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &Generator{
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		people: rand.New(rand.NewPCG(seed^0x5851f42d4c957f2d, seed)),
		now:    now,
		batch:  fmt.Sprintf("%04x", rand.Uint32()&0xffff),
	}
}

var (
	places = []string{"Kruger", "Chobe", "Serengeti", "Zanzibar", "Okavango", "Namib", "Cape",
		"Kilimanjaro", "Masai Mara", "Victoria Falls", "Etosha", "Drakensberg", "Garden Route",
		"Madagascar", "Mauritius", "Seychelles", "Atlas", "Sahara", "Nile", "Lake Malawi",
		"Fjord", "Lofoten", "Alpine", "Tuscany", "Andes", "Patagonia", "Bali", "Kyoto",
		"Outback", "Coral Coast", "Highland", "Baltic", "Aegean", "Riviera", "Yukon", "Banff"}
	kinds = []string{"Safaris", "Retreats", "Getaways", "Expeditions", "Journeys", "Tours",
		"Travel", "Adventures", "Escapes", "Voyages", "Holidays", "Lodges", "Trails", "Excursions"}
	// First names for members' e-mail addresses: words that appear in no
	// tenant name, so a search can match by member e-mail alone.
	firstNames = []string{"thandi", "sipho", "amara", "lerato", "johan", "ingrid", "kofi", "naledi",
		"olivia", "mateo", "yuki", "priya", "lars", "fatima", "diego", "zanele", "noah", "elif",
		"bongani", "chloe", "tariq", "anika", "pieter", "wanjiru"}
	currencies = []string{"ZAR", "USD", "EUR", "GBP", "KES", "TZS", "NAD", "BWP", "AUD", "NOK", "CHF"}
	timezones  = []string{"Africa/Johannesburg", "Africa/Nairobi", "Africa/Dar_es_Salaam",
		"Africa/Windhoek", "Europe/London", "Europe/Paris", "Europe/Oslo", "America/New_York",
		"Australia/Sydney", "Asia/Tokyo", "UTC"}
)

// Next returns one synthetic tenant.
func (g *Generator) Next() tenant.Record {
	g.count++
	r := g.rng
	name := places[r.IntN(len(places))] + " " + kinds[r.IntN(len(kinds))]
	short := fmt.Sprintf("%s-%s-%d", tenant.ShortNameFrom(name), g.batch, g.count)
	domain := strings.ReplaceAll(tenant.ShortNameFrom(name), "-", "") + fmt.Sprintf("%d", g.count) + ".example"
	status := tenant.StatusActive
	switch n := r.IntN(100); {
	case n < 8:
		status = tenant.StatusSuspended
	case n < 11:
		status = tenant.StatusDeleted
	}
	plan := []tenant.Plan{tenant.PlanLite, tenant.PlanLite, tenant.PlanPro, tenant.PlanEnterprise}[r.IntN(4)]
	created := g.now.Add(-time.Duration(r.IntN(3*365*24)) * time.Hour)
	theme := tenant.Themes[r.IntN(len(tenant.Themes))]
	id := fmt.Sprintf("tn_%08x_%s", r.Uint32(), randomSuffix(r))
	rec := record(id, name, short, domain, status, plan, created, theme,
		currencies[r.IntN(len(currencies))], timezones[r.IntN(len(timezones))], "seed")
	rec.Members = g.members(id, domain, created)
	return rec
}

// members makes 0 to 3 people for a tenant: an owner first, then admins
// and members, some with the tenant's domain and some with a personal one.
func (g *Generator) members(id, domain string, created time.Time) []tenant.Member {
	r := g.people
	n := r.IntN(4)
	out := make([]tenant.Member, 0, n)
	for i := range n {
		first := firstNames[r.IntN(len(firstNames))]
		email := fmt.Sprintf("%s.%d@%s", first, i+1, domain)
		if r.IntN(3) == 0 {
			// i in the number keeps a tenant's addresses distinct.
			email = fmt.Sprintf("%s%d@mail.example", first, r.IntN(100000)*4+i)
		}
		role := tenant.MemberMember
		switch {
		case i == 0:
			role = tenant.MemberOwner
		case r.IntN(2) == 0:
			role = tenant.MemberAdmin
		}
		out = append(out, tenant.Member{
			TenantID: id, UserID: randomUUID(r), Email: email, DisplayName: strings.ToUpper(first[:1]) + first[1:],
			Role: role, CreatedAt: created,
		})
	}
	return out
}

// randomUUID is a version 4 UUID drawn from r (repeatable for a seed).
func randomUUID(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	a = a&^0xf000 | 0x4000
	b = b&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

func randomSuffix(r *rand.Rand) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 4)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func record(id, name, short, domain string, status tenant.Status, plan tenant.Plan, created time.Time,
	theme tenant.Theme, currency, tz, by string) tenant.Record {
	t := tenant.Tenant{
		ID: id, Name: name, ShortName: short, Status: status, Plan: plan,
		Quotas: tenant.DefaultQuotas(plan), CreatedAt: created, CreatedBy: by,
		Source: tenant.SourceOnboarding,
	}
	switch status {
	case tenant.StatusSuspended:
		at := created.Add(24 * time.Hour)
		t.SuspendedAt, t.SuspendedBy, t.SuspendedReason = &at, by, "Invoice overdue"
	case tenant.StatusDeleted:
		at := created.Add(48 * time.Hour)
		t.DeletedAt, t.DeletedBy, t.DeletedReason = &at, by, "Closed the account"
	}
	return tenant.Record{
		Tenant: t,
		Settings: tenant.Settings{
			CompanyName: name + " Ltd", SupportEmail: "support@" + domain,
			SupportPhone: "+27 21 555 0100", Website: "https://www." + domain,
			Currency: currency, Timezone: tz, EmailFromName: name, EmailFromEmail: "quotes@" + domain,
		},
		Branding: tenant.Branding{
			PresetTheme: theme.ID, LogoURL: "https://cdn." + domain + "/logo.png",
			ColorPrimary: theme.Primary, ColorSecondary: theme.Secondary, ColorAccent: theme.Accent,
		},
		Prompts: []tenant.Prompt{{Name: "inbound", Body: tenant.DefaultInboundPrompt(name, "support@"+domain, currency)}},
	}
}
