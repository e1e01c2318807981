package tenant

// SameKeyRequests is how many requests with key are running or waiting in
// o, so a test can line up a double submit behind the first one.
func (o *Onboarding) SameKeyRequests(key string) int { return o.gate.waiting(key) }

// SameKeyRequests is Onboarding.SameKeyRequests for the add-staff form of
// actor.
func (s *StaffService) SameKeyRequests(actor Actor, key string) int {
	return s.gate.waiting("staff_add:" + actor.UserID + "\x00" + key)
}
