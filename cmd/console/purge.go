package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
)

func runPurge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("purge", "purge [--older-than 720h] [--dry-run]",
		"Removes the tenants deleted longer ago than --older-than (30 days by default,\n"+
			"the restore grace period) with every row that references them. The audit\n"+
			"trail stays, and each purge adds a tenant.purged event. Each tenant is one\n"+
			"transaction; tenants being changed at the same moment are skipped and left\n"+
			"for the next run, so it is safe to run from cron while the console serves.", stderr)
	olderThan := fs.Duration("older-than", tenant.PurgeAfter, "purge tenants deleted longer ago than this")
	dryRun := fs.Bool("dry-run", false, "list what would be purged and change nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *olderThan <= 0 {
		fmt.Fprintln(stderr, "console purge: --older-than: use a positive duration such as 720h")
		return errUsage
	}
	env, err := openStore(ctx, stderr, cliNeeds{})
	if err != nil {
		return err
	}
	defer env.Close()
	st := env.store
	cutoff := time.Now().Add(-*olderThan)

	if *dryRun {
		list, err := st.PurgeCandidates(ctx, cutoff)
		if err != nil {
			return err
		}
		for _, p := range list {
			fmt.Fprintf(stdout, "would purge %s\n", describePurged(p))
		}
		fmt.Fprintf(stdout, "Dry run: %d tenant(s) deleted before %s would be purged; nothing was changed.\n",
			len(list), cutoff.UTC().Format(time.RFC3339))
		return nil
	}
	actor := tenant.System("cli:purge")
	var n int
	var rows int64
	for {
		if err := ctx.Err(); err != nil {
			fmt.Fprintf(stdout, "Stopped: purged %d tenant(s) so far.\n", n)
			return err
		}
		p, ok, err := st.PurgeNext(ctx, cutoff, actor)
		if err != nil {
			fmt.Fprintf(stdout, "Purged %d tenant(s) before the error.\n", n)
			return err
		}
		if !ok {
			break
		}
		n++
		for _, c := range p.Rows {
			rows += c
		}
		fmt.Fprintf(stdout, "purged %s\n", describePurged(p))
	}
	fmt.Fprintf(stdout, "Purged %d tenant(s) deleted before %s (%d rows in all); the audit trail keeps their history.\n",
		n, cutoff.UTC().Format(time.RFC3339), rows)
	return nil
}

// describePurged is one line: the tenant, when and by whom it was deleted,
// and the rows it takes with it.
func describePurged(p store.Purged) string {
	tables := make([]string, 0, len(p.Rows))
	for t := range p.Rows {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	parts := make([]string, len(tables))
	for i, t := range tables {
		parts[i] = fmt.Sprintf("%s %d", t, p.Rows[t])
	}
	by := ""
	if p.DeletedBy != "" {
		by = " by " + p.DeletedBy
	}
	return fmt.Sprintf("%s (%s), deleted %s%s: %s", p.ID, p.Name, p.DeletedAt.UTC().Format("2006-01-02"), by, strings.Join(parts, ", "))
}
