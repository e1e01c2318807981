package main

import (
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) {
	// Sign-ins and new accounts through the embedded dev GoTrue hash at the
	// cheapest cost: the tests are about what the commands do, not bcrypt.
	devPasswordHashCost = bcrypt.MinCost
	os.Exit(m.Run())
}
