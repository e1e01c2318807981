package secrets

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func mustKey(t *testing.T) (Key, string) {
	t.Helper()
	b64, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKey(b64)
	if err != nil {
		t.Fatal(err)
	}
	return k, b64
}

func mustRing(t *testing.T, current Key, old ...Key) *Keyring {
	t.Helper()
	kr, err := NewKeyring(current, old...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	k, _ := mustKey(t)
	kr := mustRing(t, k)
	aad := AAD("africastay", NameSupabaseServiceKey)
	for _, plain := range []string{"", "x", "eyJhbGciOiJIUzI1NiJ9.payload.sig", strings.Repeat("é", 5000)} {
		ct, id, err := kr.Seal([]byte(plain), aad)
		if err != nil {
			t.Fatal(err)
		}
		if id != k.ID() || !strings.HasPrefix(id, "k_") || len(id) != 10 {
			t.Fatalf("key id %q, want %q of the form k_xxxxxxxx", id, k.ID())
		}
		if len(plain) >= 8 && bytes.Contains(ct, []byte(plain)) {
			t.Fatal("ciphertext contains the plaintext")
		}
		got, err := kr.Open(ct, id, aad)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		if string(got) != plain {
			t.Fatalf("round trip gave %d bytes, want %d", len(got), len(plain))
		}
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	t.Parallel()
	k, _ := mustKey(t)
	kr := mustRing(t, k)
	a, _, _ := kr.Seal([]byte("same"), nil)
	b, _, _ := kr.Seal([]byte("same"), nil)
	if bytes.Equal(a, b) || bytes.Equal(a[:12], b[:12]) {
		t.Fatal("two seals of one plaintext share a nonce")
	}
}

func TestOpenRefusesWhatDoesNotBelong(t *testing.T) {
	t.Parallel()
	k, _ := mustKey(t)
	other, _ := mustKey(t)
	kr := mustRing(t, k)
	aad := AAD("tn_1f3a9c0b_k3xq", NameSendgridAPIKey)
	ct, id, err := kr.Seal([]byte("SG.secret-value"), aad)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := kr.Open(ct, other.ID(), aad); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown key id: err = %v, want ErrUnknownKey", err)
	}
	// A ring holding another key under the right id cannot exist, but a
	// ring holding only another key must not open it either.
	if _, err := mustRing(t, other).Open(ct, id, aad); err == nil {
		t.Error("a keyring without the key opened the value")
	}
	for name, badAAD := range map[string][]byte{
		"other tenant": AAD("tn_00000000_aaaa", NameSendgridAPIKey),
		"other field":  AAD("tn_1f3a9c0b_k3xq", NameSupabaseServiceKey),
		"no aad":       nil,
	} {
		if _, err := kr.Open(ct, id, badAAD); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: err = %v, want ErrOpen", name, err)
		}
	}
	for i := range ct {
		tampered := bytes.Clone(ct)
		tampered[i] ^= 0x01
		if _, err := kr.Open(tampered, id, aad); !errors.Is(err, ErrOpen) {
			t.Fatalf("flipping byte %d: err = %v, want ErrOpen", i, err)
		}
	}
	for _, short := range [][]byte{nil, ct[:5], ct[:27]} {
		if _, err := kr.Open(short, id, aad); !errors.Is(err, ErrOpen) {
			t.Errorf("%d-byte ciphertext: err = %v, want ErrOpen", len(short), err)
		}
	}
}

func TestZeroKeyringRefuses(t *testing.T) {
	t.Parallel()
	var zero Keyring
	var nilRing *Keyring
	if _, _, err := zero.Seal([]byte("x"), nil); !errors.Is(err, ErrNoKey) {
		t.Errorf("zero keyring sealed: %v", err)
	}
	if _, err := nilRing.Open([]byte("x"), "k_00000000", nil); !errors.Is(err, ErrNoKey) {
		t.Errorf("nil keyring opened: %v", err)
	}
	if _, err := NewKeyring(Key{}); !errors.Is(err, ErrNoKey) {
		t.Errorf("keyring without a key: %v", err)
	}
}

func TestAADKeepsTenantAndFieldApart(t *testing.T) {
	t.Parallel()
	if bytes.Equal(AAD("a_b", "c"), AAD("a", "b_c")) {
		t.Fatal("AAD is ambiguous")
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	oldKey, _ := mustKey(t)
	newKey, _ := mustKey(t)
	aad := AAD("africastay", NameSupabaseAnonKey)

	before := mustRing(t, oldKey)
	ct, oldID, err := before.Seal([]byte("anon-key-value"), aad)
	if err != nil {
		t.Fatal(err)
	}

	after := mustRing(t, newKey, oldKey)
	if after.CurrentID() != newKey.ID() {
		t.Fatalf("current key %s, want %s", after.CurrentID(), newKey.ID())
	}
	if !after.NeedsRotation(oldID) || after.NeedsRotation(newKey.ID()) {
		t.Fatal("NeedsRotation is wrong")
	}
	plain, err := after.Open(ct, oldID, aad)
	if err != nil || string(plain) != "anon-key-value" {
		t.Fatalf("old key does not open after rotation: %v", err)
	}
	ct2, newID, err := after.Rotate(ct, oldID, aad)
	if err != nil {
		t.Fatal(err)
	}
	if newID != newKey.ID() {
		t.Fatalf("re-sealed with %s, want the current key %s", newID, newKey.ID())
	}
	if _, err := mustRing(t, newKey).Open(ct2, newID, aad); err != nil {
		t.Fatalf("the new key alone cannot open the rotated value: %v", err)
	}
	if _, _, err := after.Seal([]byte("x"), aad); err != nil {
		t.Fatal(err)
	}
	if _, id, _ := after.Seal([]byte("x"), aad); id != newKey.ID() {
		t.Fatalf("sealed with %s, want the current key", id)
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	secretLooking := base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))
	cases := map[string]struct {
		in   string
		want string
	}{
		"empty":        {"", "no key configured"},
		"not base64":   {"this is not base64!!", "not valid base64"},
		"wrong length": {secretLooking, "decodes to 16 bytes; AES-256 needs exactly 32"},
		"url alphabet": {strings.Repeat("_", 43) + "=", "not valid base64"},
	}
	for name, c := range cases {
		_, err := ParseKey(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to say %q", name, err, c.want)
			continue
		}
		if c.in != "" && strings.Contains(err.Error(), c.in) {
			t.Errorf("%s: the error repeats the key", name)
		}
	}
	_, b64 := mustKey(t)
	if _, err := ParseKey("  " + b64 + "\n"); err != nil {
		t.Errorf("surrounding white space refused: %v", err)
	}
	if _, err := ParseKey(strings.TrimRight(b64, "=")); err != nil {
		t.Errorf("unpadded key refused: %v", err)
	}
}

func TestKeyIDIsStableAndDistinct(t *testing.T) {
	t.Parallel()
	k1, b64 := mustKey(t)
	again, _ := ParseKey(b64)
	k2, _ := mustKey(t)
	if k1.ID() != again.ID() {
		t.Fatal("one key, two ids")
	}
	if k1.ID() == k2.ID() {
		t.Fatal("two keys, one id")
	}
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	cur, curB64 := mustKey(t)
	old, oldB64 := mustKey(t)
	env := map[string]string{EnvKey: curB64, EnvPreviousKeys: oldB64 + ", ," + curB64}
	kr, err := FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if kr.CurrentID() != cur.ID() || !kr.Has(old.ID()) {
		t.Fatalf("keyring %v", kr)
	}
	if _, err := FromEnv(func(string) string { return "" }); !errors.Is(err, ErrNoKey) {
		t.Fatalf("no key: err = %v", err)
	}
	env[EnvPreviousKeys] = "garbage"
	_, err = FromEnv(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), EnvPreviousKeys+" entry 1") {
		t.Fatalf("bad previous key: err = %v", err)
	}
}

func TestKeysNeverPrint(t *testing.T) {
	t.Parallel()
	k, b64 := mustKey(t)
	kr := mustRing(t, k)
	raw, _ := base64.StdEncoding.DecodeString(b64)
	for _, out := range []string{
		fmt.Sprint(k), fmt.Sprintf("%+v %#v %x %s", k, k, k, k),
		fmt.Sprint(kr), fmt.Sprintf("%+v %#v %x", kr, kr, kr),
		fmt.Sprintf("%+v", struct{ K Key }{k}), fmt.Sprintf("%#v", struct{ R *Keyring }{kr}),
	} {
		if strings.Contains(out, b64) || strings.Contains(out, string(raw)) || strings.Contains(out, fmt.Sprintf("%x", raw)) {
			t.Fatalf("key material printed: %s", out)
		}
		if !strings.Contains(out, k.ID()) {
			t.Fatalf("key id not shown: %s", out)
		}
	}
}

func TestValueNeverLeaks(t *testing.T) {
	t.Parallel()
	const plain = "eyJhbGciOiJIUzI1NiJ9.service-role.SIGNATURE1a2b"
	v := NewValue(plain)
	type holder struct {
		Name   string
		Secret Value
		hidden Value
		Ptr    *Value
	}
	h := holder{Name: "supabase_service_key", Secret: v, hidden: v, Ptr: &v}

	var outputs []string
	outputs = append(outputs,
		fmt.Sprint(v), fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%X|%10.3s|%T", v, v, v, v, v, v, v, v, v),
		fmt.Sprintf("%v|%+v|%#v", h, h, h), fmt.Sprintf("%v|%+v|%#v", &h, &h, &h),
		fmt.Sprint([]Value{v}), fmt.Sprint(map[string]Value{"k": v}), v.String(), v.GoString(),
	)
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(js))
	js, _ = json.Marshal(map[string]any{"v": v, "p": &v})
	outputs = append(outputs, string(js))
	type doc struct {
		V Value
	}
	x, err := xml.Marshal(doc{v})
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(x))
	text, _ := v.MarshalText()
	outputs = append(outputs, string(text))

	var logs bytes.Buffer
	for _, hnd := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		l := slog.New(hnd)
		l.Info("storing", "secret", v, "holder", h, slog.Any("any", v), slog.Group("g", "v", v))
		l.Info("err", "err", fmt.Errorf("wrapped %v", v))
	}
	outputs = append(outputs, logs.String())

	for _, out := range outputs {
		for _, frag := range []string{plain, "service-role", "SIGNATURE"} {
			if strings.Contains(out, frag) {
				t.Fatalf("secret leaked: %s", out)
			}
		}
	}
	if !strings.Contains(fmt.Sprint(v), Mask) || !strings.Contains(string(js), Mask) {
		t.Fatal("mask missing")
	}
	if v.Reveal() != plain {
		t.Fatal("Reveal does not return the value")
	}
}

func TestValueHelpers(t *testing.T) {
	t.Parallel()
	if h := NewValue("SG.abcdefgh1a2b").Hint(); h != "1a2b" {
		t.Errorf("hint %q, want 1a2b", h)
	}
	if h := NewValue("ÅÅÅÅéèêë").Hint(); h != "éèêë" {
		t.Errorf("hint %q counts bytes, not characters", h)
	}
	if h := NewValue("short").Hint(); h != "" {
		t.Errorf("hint of a short value %q, want none", h)
	}
	var zero Value
	if !zero.IsZero() || !NewValue("").IsZero() || NewValue("x").IsZero() {
		t.Error("IsZero is wrong")
	}
	if zero.Reveal() != "" || zero.Hint() != "" || fmt.Sprint(zero) != Mask {
		t.Error("zero Value misbehaves")
	}
	if !NewValue("abc").Equal(NewValue("abc")) || NewValue("abc").Equal(NewValue("abd")) {
		t.Error("Equal is wrong")
	}
}

func TestIsEnvRef(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"${SUPABASE_SERVICE_KEY}": true,
		"${_x1}":                  true,
		"${a}":                    true,
		"$SUPABASE_SERVICE_KEY":   false,
		"${1ABC}":                 false,
		"${}":                     false,
		"${A-B}":                  false,
		" ${A}":                   false,
		"${A}x":                   false,
		"prefix${A}":              false,
		"${A}${B}":                false,
		"":                        false,
	} {
		if got := IsEnvRef(s); got != want {
			t.Errorf("IsEnvRef(%q) = %v, want %v", s, got, want)
		}
	}
	if EnvRefName("${SENDGRID_API_KEY}") != "SENDGRID_API_KEY" || EnvRefName("nope") != "" {
		t.Error("EnvRefName is wrong")
	}
}
