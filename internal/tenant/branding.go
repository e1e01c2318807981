package tenant

import (
	"context"
	"errors"

	"github.com/tenant-console/console/internal/apperr"
)

// BrandingInput is the branding form as typed.
type BrandingInput struct {
	PresetTheme    string
	ColorPrimary   string
	ColorSecondary string
	ColorAccent    string
	LogoURL        string
	FormState
}

// BrandingFields are the branding form's fields in the order it shows them.
var BrandingFields = []string{"preset_theme", "color_primary", "color_secondary", "color_accent", "logo_url"}

// brandingRules clean the branding form's fields.
var brandingRules = map[string]Field{
	"preset_theme": FieldTheme, "color_primary": FieldColor, "color_secondary": FieldColor,
	"color_accent": FieldColor, "logo_url": FieldHTTPSURL,
}

// BrandingInputOf is the form filled with what is saved (nil: the default
// theme, version 0).
func BrandingInputOf(b *Branding) BrandingInput {
	if b == nil {
		t := DefaultTheme()
		d := Branding{PresetTheme: t.ID, ColorPrimary: t.Primary, ColorSecondary: t.Secondary, ColorAccent: t.Accent}
		b = &d
	}
	return BrandingInput{
		PresetTheme: b.PresetTheme, ColorPrimary: b.ColorPrimary, ColorSecondary: b.ColorSecondary,
		ColorAccent: b.ColorAccent, LogoURL: b.LogoURL, FormState: stateOf(b.Version, b.auditValues(), BrandingFields),
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
	v := func(key string) string { return brandingRules[key].Into(errs, key, in.Get(key)) }
	b := Branding{
		PresetTheme: v("preset_theme"), ColorPrimary: v("color_primary"), ColorSecondary: v("color_secondary"),
		ColorAccent: v("color_accent"), LogoURL: v("logo_url"),
	}
	version := checkState(errs, in.FormState)
	return b, version, errs.OrNil()
}

func (b Branding) auditValues() map[string]any {
	return map[string]any{
		"preset_theme": b.PresetTheme, "color_primary": b.ColorPrimary, "color_secondary": b.ColorSecondary,
		"color_accent": b.ColorAccent, "logo_url": b.LogoURL,
	}
}

// brandingEdit is how a branding form is saved.
var brandingEdit = editKind[Branding]{
	action: ActionBrandingUpdated,
	fields: BrandingFields,
	rules:  brandingRules,
	values: Branding.auditValues,
	lock: func(ctx context.Context, tx EditTx, id string) (*Branding, int, error) {
		cur, err := tx.LockBranding(ctx, id)
		if err != nil || cur == nil {
			return nil, 0, err
		}
		return cur, cur.Version, nil
	},
	save: func(ctx context.Context, tx EditTx, id string, b Branding, version int, by string) (int, error) {
		return tx.SaveBranding(ctx, id, b, version, by)
	},
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
	p := BrandingPage{Tenant: d.Tenant, CompanyName: d.Tenant.Name, Branding: d.Branding, CanEdit: actor.CanEdit(id) && !d.Tenant.ReadOnly()}
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
	return runEdit(ctx, s, brandingEdit, actor, id, typed, version, in.Original)
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
	// FieldProblems are the same by field key, for the form to show
	// beside each field while the person types.
	FieldProblems map[string]string
}

// PreviewOf draws in over saved (nil: the default theme). Every colour in
// the result is #RRGGBB and the logo an https URL, whatever was typed.
func PreviewOf(companyName string, in BrandingInput, saved *Branding) Preview {
	base := BrandingInputOf(saved)
	p := Preview{CompanyName: companyName, FieldProblems: map[string]string{}}
	pick := func(key, label, typed, fallback string) string {
		if c, msg := FieldColor.Clean(typed); msg == "" {
			return c
		}
		p.Problems = append(p.Problems, label+": "+msgColor+" The preview shows the saved colour.")
		p.FieldProblems[key] = msgColor + " The preview shows the saved colour."
		if c, msg := FieldColor.Clean(fallback); msg == "" {
			return c
		}
		return "#6B7280" // neutral grey
	}
	p.Primary = pick("color_primary", "Primary colour", in.ColorPrimary, base.ColorPrimary)
	p.Secondary = pick("color_secondary", "Secondary colour", in.ColorSecondary, base.ColorSecondary)
	p.Accent = pick("color_accent", "Accent colour", in.ColorAccent, base.ColorAccent)
	if u, msg := FieldHTTPSURL.Clean(in.LogoURL); msg == "" {
		p.LogoURL = u
	} else {
		p.Problems = append(p.Problems, "Logo URL: "+msg+" The preview shows the saved logo.")
		p.FieldProblems["logo_url"] = msg + " The preview shows the saved logo."
		if u, msg := FieldHTTPSURL.Clean(base.LogoURL); msg == "" {
			p.LogoURL = u
		}
	}
	p.Contrast, _ = ContrastOn(p.Primary)
	return p
}
