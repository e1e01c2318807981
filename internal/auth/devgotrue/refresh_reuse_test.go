package devgotrue_test

import (
	"sync"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/auth/devgotrue"
)

// A refresh token traded in may be traded in again within GoTrue's reuse
// interval (two requests of one browser refreshing at once, perhaps on two
// console replicas, both keep the session); after it, the reuse is refused.
func TestDevRefreshTokenReuseInterval(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	tg, _ := startDev(t, devgotrue.Options{Autoconfirm: true, Now: clock})
	h := newHarness(t, tg)
	email := h.email("refresh-reuse")
	_, pw := h.createUser(email, userSpec{confirmed: true})
	first := h.signIn(email, pw)

	rotated, err := h.client.Refresh(t.Context(), first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.client.Refresh(t.Context(), first.RefreshToken)
	if err != nil {
		t.Fatalf("the same token again within the reuse interval: %v", err)
	}
	if again.AccessToken == "" || again.RefreshToken == "" {
		t.Fatal("the reuse answered no session")
	}
	if _, err := h.client.Refresh(t.Context(), rotated.RefreshToken); err != nil {
		t.Fatalf("the token the first refresh gave stopped working: %v", err)
	}

	mu.Lock()
	now = now.Add(devgotrue.RefreshTokenReuseInterval + time.Second)
	mu.Unlock()
	_, err = h.client.Refresh(t.Context(), first.RefreshToken)
	h.wantError(err, 400, "refresh_token_already_used")
}
