package tenant

import (
	"context"
	"errors"
	"net/url"
	"strconv"

	"github.com/tenant-console/console/internal/apperr"
)

// BrandingInput is the branding form as typed.
type BrandingInput struct {
	PresetTheme    string
	ColorPrimary   string
	ColorSecondary string
	ColorAccent    string
	LogoURL        string
	Version        string
}

// BrandingFields are the branding form's fields in the order it shows them.
var BrandingFields = []string{"preset_theme", "color_primary", "color_secondary", "color_accent", "logo_url"}

// BrandingInputFromForm reads a submitted branding form.
func BrandingInputFromForm(v url.Values) BrandingInput {
	return BrandingInput{
		PresetTheme: v.Get("preset_theme"), ColorPrimary: v.Get("color_primary"),
		ColorSecondary: v.Get("color_secondary"), ColorAccent: v.Get("color_accent"),
		LogoURL: v.Get("logo_url"), Version: v.Get("version"),
	}
}

// BrandingInputOf is the form filled with what is saved (nil: the default
// theme, version 0).
func BrandingInputOf(b *Branding) BrandingInput {
	if b == nil {
		t := DefaultTheme()
		return BrandingInput{PresetTheme: t.ID, ColorPrimary: t.Primary, ColorSecondary: t.Secondary,
			ColorAccent: t.Accent, Version: "0"}
	}
	return BrandingInput{
		PresetTheme: b.PresetTheme, ColorPrimary: b.ColorPrimary, ColorSecondary: b.ColorSecondary,
		ColorAccent: b.ColorAccent, LogoURL: b.LogoURL, Version: strconv.Itoa(b.Version),
	}
}

// WithTheme returns in with the preset theme id and its colours (an unknown
// id changes nothing).
func (in BrandingInput) WithTheme(id string) BrandingInput {
	t, ok := ThemeByID(id)
	if !ok {
		return in
	}
	in.PresetTheme, in.ColorPrimary, in.ColorSecondary, in.ColorAccent = t.ID, t.Primary, t.Secondary, t.Accent
	return in
}

// Get returns the typed value of the field key.
func (in BrandingInput) Get(key string) string {
	switch key {
	case "preset_theme":
		return in.PresetTheme
	case "color_primary":
		return in.ColorPrimary
	case "color_secondary":
		return in.ColorSecondary
	case "color_accent":
		return in.ColorAccent
	case "logo_url":
		return in.LogoURL
	}
	return ""
}

func (in BrandingInput) clean() (Branding, int, error) {
	errs := apperr.NewValidation()
	b := Branding{
		PresetTheme:    FieldTheme.Into(errs, "preset_theme", in.PresetTheme),
		ColorPrimary:   FieldColor.Into(errs, "color_primary", in.ColorPrimary),
		ColorSecondary: FieldColor.Into(errs, "color_secondary", in.ColorSecondary),
		ColorAccent:    FieldColor.Into(errs, "color_accent", in.ColorAccent),
		LogoURL:        FieldHTTPSURL.Into(errs, "logo_url", in.LogoURL),
	}
	version := formVersion(errs, in.Version)
	return b, version, errs.OrNil()
}

func (b Branding) auditValues() map[string]any {
	return map[string]any{
		"preset_theme": b.PresetTheme, "color_primary": b.ColorPrimary, "color_secondary": b.ColorSecondary,
		"color_accent": b.ColorAccent, "logo_url": b.LogoURL,
	}
}

// BrandingPage is what the branding page needs.
type BrandingPage struct {
	Tenant      Tenant
	CompanyName string // for the preview
	Branding    *Branding
	CanEdit     bool
}

// GetBranding returns a tenant's branding for its edit page.
func (s *Service) GetBranding(ctx context.Context, actor Actor, id string) (BrandingPage, error) {
	if err := editAccess(actor, id); err != nil && !errors.Is(err, apperr.ErrForbidden) {
		return BrandingPage{}, err
	}
	d, err := s.store.GetDetail(ctx, id, 0)
	if err != nil {
		return BrandingPage{}, err
	}
	p := BrandingPage{Tenant: d.Tenant, CompanyName: d.Tenant.Name, Branding: d.Branding, CanEdit: actor.CanEdit(id)}
	if d.Settings != nil {
		p.CompanyName = d.Settings.CompanyName
	}
	return p, nil
}

// EditBranding saves a tenant's branding form (see EditSettings).
func (s *Service) EditBranding(ctx context.Context, actor Actor, id string, in BrandingInput) (EditResult, error) {
	if err := editAccess(actor, id); err != nil {
		return EditResult{}, err
	}
	typed, version, err := in.clean()
	if err != nil {
		return EditResult{}, err
	}
	return s.runEdit(ctx, edit{
		actor: actor, tenantID: id, action: ActionBrandingUpdated, version: version,
		lock: func(ctx context.Context, tx EditTx) (int, []FieldValue, map[string]any, map[string]any, error) {
			cur, err := tx.LockBranding(ctx, id)
			if err != nil {
				return 0, nil, nil, nil, err
			}
			saved, v := map[string]any{}, 0
			if cur != nil {
				saved, v = cur.auditValues(), cur.Version
			}
			t := typed.auditValues()
			return v, fieldValues(BrandingFields, saved, t), saved, t, nil
		},
		save: func(ctx context.Context, tx EditTx, v int) (int, error) {
			return tx.SaveBranding(ctx, id, typed, v, actorName(actor))
		},
	})
}

// Preview is the branding as the live preview draws it: only colours and a
// logo that passed their field rules; anything else falls back to what is
// saved, with a message saying so.
type Preview struct {
	CompanyName string
	Primary     string
	Secondary   string
	Accent      string
	LogoURL     string
	Contrast    Contrast // of text on Primary
	// Problems name the typed values the preview could not use.
	Problems []string
}

// PreviewOf draws in over saved (nil: the default theme). Every colour in
// the result is #RRGGBB and the logo an https URL, whatever was typed.
func PreviewOf(companyName string, in BrandingInput, saved *Branding) Preview {
	base := BrandingInputOf(saved)
	p := Preview{CompanyName: companyName}
	pick := func(label, typed, fallback string) string {
		if c, msg := FieldColor.Clean(typed); msg == "" {
			return c
		}
		p.Problems = append(p.Problems, label+": "+msgColor+" The preview shows the saved colour.")
		if c, msg := FieldColor.Clean(fallback); msg == "" {
			return c
		}
		return "#6B7280" // neutral grey
	}
	p.Primary = pick("Primary colour", in.ColorPrimary, base.ColorPrimary)
	p.Secondary = pick("Secondary colour", in.ColorSecondary, base.ColorSecondary)
	p.Accent = pick("Accent colour", in.ColorAccent, base.ColorAccent)
	if u, msg := FieldHTTPSURL.Clean(in.LogoURL); msg == "" {
		p.LogoURL = u
	} else {
		p.Problems = append(p.Problems, "Logo URL: "+msg+" The preview shows the saved logo.")
		if u, msg := FieldHTTPSURL.Clean(base.LogoURL); msg == "" {
			p.LogoURL = u
		}
	}
	p.Contrast, _ = ContrastOn(p.Primary)
	return p
}
