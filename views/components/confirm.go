package components

import "github.com/tenant-console/console/views/layout"

// Removing someone is asked twice. The row's button opens a <dialog> that
// names the person (static/js/confirm.js); without JavaScript the button
// posts to the action, which answers a POST without confirm=yes with a
// page asking the same (ConfirmPage). Only the confirming form carries
// confirm=yes, so one click on a row never removes anyone.

// ConfirmField is the field a confirming form sends, and its value.
const ConfirmField, ConfirmValue = "confirm", "yes"

// Ask is one action that asks first.
type Ask struct {
	ID          string // the dialog's id, unique on the page
	Action      string // where both forms post
	CSRFToken   string
	Label       string // the row's button: "Remove"
	Who         string // whom it is about, for screen readers on the row's button
	Question    string // "Remove ada@example.com from Bali Rice Terrace?"
	Consequence string // what follows, in one sentence
	Confirm     string // the confirming button: "Remove ada@example.com"
}

// ConfirmProps is the page asking for a confirmation without JavaScript.
type ConfirmProps struct {
	Chrome layout.Chrome
	Ask    Ask
	Back   string // where Cancel leads
}
