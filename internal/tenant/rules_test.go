package tenant

import "testing"

func TestShortNameFrom(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"Société des Voyages Øresund": "societe-des-voyages-oresund",
		"Kruger Safaris (Pty) Ltd":    "kruger-safaris-pty-ltd",
		"  --Africa   Stay!! ":        "africa-stay",
		"Ærø Ferries":                 "aero-ferries",
		"東京":                          "",
	}
	for in, want := range cases {
		if got := ShortNameFrom(in); got != want {
			t.Errorf("ShortNameFrom(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFieldRules(t *testing.T) {
	t.Parallel()
	if c, ok := FieldColor.OK("#c35d7d"); !ok || c != "#C35D7D" {
		t.Errorf("colour #c35d7d: %q %v", c, ok)
	}
	for _, bad := range []string{"blue", "#GG1122", "#FFF", "C35D7D"} {
		if _, ok := FieldColor.OK(bad); ok {
			t.Errorf("colour %q accepted", bad)
		}
	}
	if c, ok := FieldCurrency.OK(" usd "); !ok || c != "USD" {
		t.Errorf("currency usd: %q %v", c, ok)
	}
	if _, ok := FieldCurrency.OK("XYZ"); ok {
		t.Error("currency XYZ accepted")
	}
	if _, ok := FieldTimezone.OK("Mars/Olympus_Mons"); ok {
		t.Error("Mars/Olympus_Mons accepted")
	}
	for _, tz := range []string{"Africa/Johannesburg", "UTC", "Europe/Oslo"} {
		if _, ok := FieldTimezone.OK(tz); !ok {
			t.Errorf("timezone %q refused", tz)
		}
	}
	if _, ok := FieldHTTPSURL.OK("http://example.com"); ok {
		t.Error("http URL accepted")
	}
	if _, ok := FieldHTTPSURL.OK("https://"); ok {
		t.Error("hostless URL accepted")
	}
	if u, ok := FieldHTTPSURL.OK(" https://www.krugersafaris.co.za "); !ok || u != "https://www.krugersafaris.co.za" {
		t.Errorf("https URL: %q %v", u, ok)
	}
	if e, ok := FieldEmail.OK(" Bob@ACME.dev "); !ok || e != "bob@acme.dev" {
		t.Errorf("email: %q %v", e, ok)
	}
	if _, ok := FieldEmail.OK("not-an-email"); ok {
		t.Error("not-an-email accepted")
	}
}

func TestEveryOfferedTimezoneLoads(t *testing.T) {
	t.Parallel()
	for _, tz := range Timezones {
		if _, ok := FieldTimezone.OK(tz); !ok {
			t.Errorf("offered timezone %q does not load", tz)
		}
	}
}

func TestNewIDShape(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if !IsGeneratedID(id) || !ValidID(id) {
			t.Fatalf("NewID() = %q has the wrong shape", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	for pw, bad := range map[string]bool{
		"short":                   true,
		"aaaaaaaaaaaa":            true,
		"ana@acme.dev":            true, // the e-mail itself
		"correct horse battery":   false,
		"tr0ub4dor&3x":            false,
		"          ":              true,
		string(make([]byte, 100)): true,
	} {
		if got := CheckPassword(pw, "ana@acme.dev"); (got != "") != bad {
			t.Errorf("CheckPassword(%q) = %q, want refused=%v", pw, got, bad)
		}
	}
}

func TestEmailAndPhoneRulesMatchTheDatabase(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{`"john doe"@x.com`, `"a@b"@x.com`, "a b@x.com", "a@b@x.com"} {
		if _, ok := FieldEmail.OK(bad); ok {
			t.Errorf("NormalizeEmail accepted %q, which the tenant_settings CHECK refuses", bad)
		}
	}
	for in, want := range map[string]string{"+27 21 555 0100": "+27 21 555 0100", "  (021)   555-0100 ": "(021) 555-0100", "": ""} {
		if got, ok := FieldPhone.OK(in); !ok || got != want {
			t.Errorf("FieldPhone.OK(%q) = %q, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"call Mary", "1234", "+27 21 555 0100 ext 5", "+27 21 555 0100 0100 0100 0100 0100"} {
		if _, ok := FieldPhone.OK(bad); ok {
			t.Errorf("NormalizePhone accepted %q", bad)
		}
	}
}
