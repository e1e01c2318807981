package devgotrue

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	audience      = "authenticated"
	roleUser      = "authenticated"
	issuer        = "devgotrue"
	keyLifetime   = 10 * 365 * 24 * time.Hour
	roleAnon      = "anon"
	roleService   = "service_role"
	roleSuperUser = "supabase_admin"
)

// adminRoles are the roles GoTrue lets call its admin API.
var adminRoles = map[string]bool{roleService: true, roleSuperUser: true}

// apiKey signs a Supabase-style API key: a JWT carrying only a role. It is
// derived from the stored secret and its creation time, so the keys stay the
// same across restarts.
func apiKey(secret []byte, role string, issuedAt time.Time) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss":  issuer,
		"role": role,
		"iat":  issuedAt.Unix(),
		"exp":  issuedAt.Add(keyLifetime).Unix(),
	}).SignedString(secret)
}

// accessToken signs a user's access token with GoTrue's claims: the
// session's assurance level (aal) and its methods (amr), newest first.
func accessToken(secret []byte, u userRow, sess sessionRow, now time.Time, ttl time.Duration) (string, error) {
	amr := slices.Clone(sess.AMR)
	slices.SortStableFunc(amr, func(a, b amrEntry) int { return cmp.Compare(b.Timestamp, a.Timestamp) })
	if amr == nil {
		amr = []amrEntry{}
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss":           issuer,
		"sub":           u.ID.String(),
		"aud":           audience,
		"exp":           now.Add(ttl).Unix(),
		"iat":           now.Unix(),
		"email":         u.Email,
		"phone":         "",
		"app_metadata":  appMetadata(),
		"user_metadata": metadataOrEmpty(u.UserMetadata),
		"role":          roleUser,
		"aal":           sess.AAL,
		"amr":           amr,
		"session_id":    sess.ID.String(),
		"is_anonymous":  false,
	}).SignedString(secret)
}

// claims are the parts of a bearer token the server acts on.
type claims struct {
	Subject   string
	Role      string
	SessionID string
}

// parseToken verifies an HS256 token, expiry included.
func parseToken(secret []byte, now func() time.Time, token string) (claims, error) {
	var mc jwt.MapClaims
	_, err := jwt.ParseWithClaims(token, &mc, func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(now))
	if err != nil {
		return claims{}, err
	}
	str := func(k string) string { s, _ := mc[k].(string); return s }
	return claims{Subject: str("sub"), Role: str("role"), SessionID: str("session_id")}, nil
}

// errBadJWT is GoTrue's answer to a token it cannot verify. jwt's errors
// describe the failure ("token is expired"), never the token itself.
func errBadJWT(err error) *apiError {
	return newError(http.StatusForbidden, "bad_jwt", "invalid JWT: unable to parse or verify signature, %v", err)
}
