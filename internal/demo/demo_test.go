package demo

import (
	"testing"
	"time"

	"github.com/tenant-console/console/internal/tenant"
)

// Every generated tenant must pass the rules the console enforces on input,
// or the demo would show data no form could have produced.
func TestGeneratedTenantsFollowTheFieldRules(t *testing.T) {
	t.Parallel()
	g := NewGenerator(42, time.Now())
	recs := Agencies(time.Now())
	for range 500 {
		recs = append(recs, g.Next())
	}
	ids, shorts := map[string]bool{}, map[string]bool{}
	for _, r := range recs {
		tn := r.Tenant
		if !tenant.ValidID(tn.ID) || ids[tn.ID] {
			t.Errorf("id %q invalid or repeated", tn.ID)
		}
		if s, ok := tenant.FieldShortName.OK(tn.ShortName); !ok || s != tn.ShortName || shorts[s] {
			t.Errorf("short name %q invalid or repeated", tn.ShortName)
		}
		ids[tn.ID], shorts[tn.ShortName] = true, true
		if _, ok := tenant.FieldCurrency.OK(r.Settings.Currency); !ok {
			t.Errorf("%s: currency %q", tn.ID, r.Settings.Currency)
		}
		if _, ok := tenant.FieldTimezone.OK(r.Settings.Timezone); !ok {
			t.Errorf("%s: timezone %q", tn.ID, r.Settings.Timezone)
		}
		for _, m := range r.Members {
			if _, ok := tenant.FieldEmail.OK(m.Email); !ok || m.TenantID != tn.ID || !m.Role.Valid() {
				t.Errorf("%s: member %+v", tn.ID, m)
			}
		}
		if _, ok := tenant.FieldEmail.OK(r.Settings.SupportEmail); !ok {
			t.Errorf("%s: support email %q", tn.ID, r.Settings.SupportEmail)
		}
		for _, c := range []string{r.Branding.ColorPrimary, r.Branding.ColorSecondary, r.Branding.ColorAccent} {
			if n, ok := tenant.FieldColor.OK(c); !ok || n != c {
				t.Errorf("%s: colour %q", tn.ID, c)
			}
		}
	}
}
