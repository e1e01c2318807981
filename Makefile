# Tenant Console. `make` alone lists the targets.
#
# Needs Go (see go.mod) and, for `generate`, `vendor-htmx` and `vendor-axe`
# only, Node.js's npx/npm: Tailwind, htmx and axe-core (accessibility checks
# in the browser tests) come from the npm registry at the versions pinned
# below, so the project has no package.json. templ and staticcheck are pinned
# as Go tools in go.mod (`go tool templ`, `go tool staticcheck`).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

TAILWIND_VERSION := 3.4.19
# npx resolves Tailwind's own dependencies afresh on each machine; taking only
# versions published before this date keeps the CSS the same everywhere.
TAILWIND_BEFORE := 2026-01-01
TAILWIND := BROWSERSLIST_IGNORE_OLD_DATA=1 npx --yes --before=$(TAILWIND_BEFORE) tailwindcss@$(TAILWIND_VERSION)

HTMX_VERSION := 2.0.11
# sha256 of dist/htmx.min.js in the npm package htmx.org@$(HTMX_VERSION).
HTMX_SHA256 := d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717

AXE_VERSION := 4.11.0
# sha256 of axe.min.js in the npm package axe-core@$(AXE_VERSION).
AXE_SHA256 := e9e5863c33a874f09bc01acd9234b7e3c871479f5eef8802fa582544465e6d01

GENERATED := '*_templ.go' static/css/app.css

# Runs the rest of a recipe line with TEST_DATABASE_URL set: the caller's if
# given, else the URL `console devdb` prints once it has made sure a Postgres
# answers (it starts a project-local one under .data/ when none does).
WITH_TEST_DB = url="$${TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ]; then url="$$(go run ./cmd/console devdb | tail -n 1)"; fi; \
	echo "Postgres for tests: $$url" | sed -E 's|(://[^:/@]*):[^@]*@|\1:***@|'; \
	export TEST_DATABASE_URL="$$url";

.PHONY: help
help: ## list the targets
	@echo "Tenant Console — make TARGET:"
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

.PHONY: generate
generate: ## regenerate views/**/*_templ.go (templ) and static/css/app.css (Tailwind)
	@# -path views: templ writes each file's path relative to it into the
	@# generated code, so it must be the same on every machine.
	go tool templ generate -path views
	$(TAILWIND) -c Tailwind.config.js -i static/css/input.css -o static/css/app.css --minify

.PHONY: run
run: ## run the console on http://127.0.0.1:8080 (database, migrations and demo data included)
	go run ./cmd/console dev

.PHONY: test
test: ## go vet, then every test with the race detector (makes sure a Postgres answers first)
	go vet ./...
	@$(WITH_TEST_DB) echo "go test -race -count=1 -timeout 30m ./..."; go test -race -count=1 -timeout 30m ./...

# The report of a million-tenant run is kept beside the default one.
BENCH_OUT ?= bench/results$(if $(filter 1000000,$(BENCH_SCALE)),-1m,).json

.PHONY: bench
bench: build ## the performance report: seeds a throw-away database (BENCH_SCALE, default 100000; from 500000 on a private Postgres cluster), prints a table, writes bench/results.json (-1m.json at 1000000)
	@$(WITH_TEST_DB) go run ./cmd/bench -console bin/console -out $(BENCH_OUT)

.PHONY: bench-micro
bench-micro: ## the go test micro-benchmarks (rendering, YAML reader, seed and list)
	@$(WITH_TEST_DB) echo "go test -run='^$$' -bench=. -benchmem ./..."; go test -run='^$$' -bench=. -benchmem ./...

# Fuzz targets and how long each runs; `go test` alone runs only their seeds.
FUZZTIME ?= 30s
FUZZ_PKG := ./internal/tenant/
FUZZ_TARGETS := FuzzFieldClean FuzzFieldRender FuzzListQuery FuzzCursor FuzzAuditQuery

.PHONY: fuzz
fuzz: ## fuzz the field rules, list and audit queries one target at a time (FUZZTIME per target, default 30s)
	@for t in $(FUZZ_TARGETS); do \
		echo "go test -run='^\$$' -fuzz='^$$t\$$' -fuzztime=$(FUZZTIME) $(FUZZ_PKG)"; \
		go test -run='^$$' -fuzz="^$$t\$$" -fuzztime=$(FUZZTIME) $(FUZZ_PKG) || exit 1; \
	done

.PHONY: lint
lint: ## gofmt (must list no file), go vet, staticcheck
	@files="$$(git ls-files --cached --others --exclude-standard -- '*.go')"; \
	unformatted="$$(if [ -n "$$files" ]; then gofmt -l $$files; fi)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt would change these files (run gofmt -w):"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go tool staticcheck ./...

.PHONY: check-generated
check-generated: generate ## fail if `make generate` changes any generated file (as CI does)
	@changed="$$(git status --porcelain --untracked-files=all -- $(GENERATED))"; \
	if [ -n "$$changed" ]; then \
		echo "Generated files are not up to date with their sources; run 'make generate' and commit:"; \
		echo "$$changed"; \
		git --no-pager diff --stat -- $(GENERATED); \
		exit 1; \
	fi; \
	echo "Generated files are up to date."

.PHONY: build
build: ## build bin/console
	go build -o bin/console ./cmd/console

.PHONY: vendor-htmx
vendor-htmx: ## fetch the pinned htmx (HTMX_VERSION) from the npm registry into static/vendor/htmx.min.js
	@tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	npm pack --silent --pack-destination "$$tmp" htmx.org@$(HTMX_VERSION) >/dev/null; \
	tar -xzf "$$tmp/htmx.org-$(HTMX_VERSION).tgz" -C "$$tmp" package/dist/htmx.min.js; \
	if command -v sha256sum >/dev/null; then sum="$$(sha256sum "$$tmp/package/dist/htmx.min.js")"; \
	else sum="$$(shasum -a 256 "$$tmp/package/dist/htmx.min.js")"; fi; \
	if [ "$${sum%% *}" != "$(HTMX_SHA256)" ]; then echo "htmx.min.js from npm has sha256 $${sum%% *}, want $(HTMX_SHA256)"; exit 1; fi; \
	mkdir -p static/vendor; \
	{ echo '/*! htmx.org $(HTMX_VERSION) | https://htmx.org | (c) Big Sky Software | license: Zero-Clause BSD (0BSD) */'; \
	  cat "$$tmp/package/dist/htmx.min.js"; } > static/vendor/htmx.min.js; \
	echo "static/vendor/htmx.min.js: htmx $(HTMX_VERSION)"

.PHONY: vendor-axe
vendor-axe: ## fetch the pinned axe-core (AXE_VERSION) from the npm registry into internal/browsertest/axe.min.js
	@tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	npm pack --silent --pack-destination "$$tmp" axe-core@$(AXE_VERSION) >/dev/null; \
	tar -xzf "$$tmp/axe-core-$(AXE_VERSION).tgz" -C "$$tmp" package/axe.min.js; \
	if command -v sha256sum >/dev/null; then sum="$$(sha256sum "$$tmp/package/axe.min.js")"; \
	else sum="$$(shasum -a 256 "$$tmp/package/axe.min.js")"; fi; \
	if [ "$${sum%% *}" != "$(AXE_SHA256)" ]; then echo "axe.min.js from npm has sha256 $${sum%% *}, want $(AXE_SHA256)"; exit 1; fi; \
	cp "$$tmp/package/axe.min.js" internal/browsertest/axe.min.js; \
	echo "internal/browsertest/axe.min.js: axe-core $(AXE_VERSION)"

.PHONY: screenshots
screenshots: ## refresh docs/screenshots/*.png (the README's pictures) by running the browser journeys
	@mkdir -p docs/screenshots
	@$(WITH_TEST_DB) SCREENSHOTS_DIR="$$PWD/docs/screenshots" go test -count=1 -run 'TestBrowserJourney' ./internal/web/
