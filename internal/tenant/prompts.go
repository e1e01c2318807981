package tenant

import "fmt"

// DefaultInboundPrompt is the assistant prompt a new tenant starts with.
func DefaultInboundPrompt(company, supportEmail, currency string) string {
	return fmt.Sprintf("You are the travel assistant for %s.\n"+
		"Answer inbound enquiries in a friendly tone, quote prices in %s,\n"+
		"and always offer to connect the customer with %s.\n", company, currency, supportEmail)
}
