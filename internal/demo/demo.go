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
	rng   *rand.Rand
	now   time.Time
	count int
	batch string // distinguishes short names of separate runs
}

// NewGenerator returns a generator; seed 0 picks a random seed.
func NewGenerator(seed uint64, now time.Time) *Generator {
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &Generator{
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		now:   now,
		batch: fmt.Sprintf("%04x", rand.Uint32()&0xffff),
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
	return record(id, name, short, domain, status, plan, created, theme,
		currencies[r.IntN(len(currencies))], timezones[r.IntN(len(timezones))], "seed")
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
