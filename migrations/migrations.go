// Package migrations embeds the numbered SQL files that define the schema.
// They are applied by goose (see internal/store/migrate.go).
package migrations

import "embed"

// FS holds every migration, in goose's SQL format.
//
//go:embed *.sql
var FS embed.FS
