# Day-to-day commands; `make help` lists them. ENV picks the environment
# (a name from envs/, a comma-separated list, or all); without it,
# PLATFORM_ENV from the caller's environment does, else dev.
ENV ?= $(or $(PLATFORM_ENV),dev)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export PLATFORM_ENV := $(ENV)
# Every recipe's shell sources tools/env first: the pinned Node for jsii,
# node_modules/.bin on PATH, no telemetry.
export BASH_ENV := $(CURDIR)/tools/env

# The programs are built into .bin/ without cgo and without the symbol
# table and DWARF (-s -w): Go's own linker alone (Helm's SDK imports the
# plugin package, which with cgo makes Go hand the link to the system's
# linker too), and a third less to link: the app's link peaks at ~0.86
# instead of ~1.2 GB (BENCHMARKS.md, issue 18).
GOBUILD := CGO_ENABLED=0 go build -ldflags='-s -w'
BIN := .bin/cdktf-llm
KERNEL := .bin/synth-kernel
OPS := .bin/ops
CHECK := .bin/check
LOCK := .bin/lock
VALIDATE := .bin/validate

.PHONY: help setup build ops synth hcl lock test validate check render bench fuzz deploy diff drift status rollback recover destroy clean

help: ## list the commands
	@./help

setup: ## install the pinned tools and generate the provider bindings (only what changed)
	@tools/setup

# The app (main.go: the coordinator, no jsii) and the program it starts to
# build the stacks through jsii (cmd/synth-kernel), linked one after the
# other: the linker's memory is the setup's peak.
build: setup
	@$(GOBUILD) -o $(BIN) . && $(GOBUILD) -o $(KERNEL) ./cmd/synth-kernel

# The day-2 program (cmd/ops), for the targets that run it.
ops: setup
	@$(GOBUILD) -o $(OPS) ./cmd/ops

synth: build ## write cdktf.out/stacks/base-$(ENV) and apps-$(ENV), checked against the schemas and the charts
	@$(BIN)

hcl: build ## write cdktf.out/stacks/base-$(ENV) and apps-$(ENV) as plain Terraform modules (.tf files), from the checked JSON
	@SYNTH_HCL_OUTPUT=true $(BIN)

lock: setup ## write envs/charts.lock: the sha256 of every chart the environments use, from the cache or a pull; says what changed (CHECK=1: only compare, exit 1 on a difference)
	@$(GOBUILD) -o $(LOCK) ./cmd/lock && $(LOCK) $(if $(CHECK),-check)

# Tests link as the programs do (GOBUILD): a test binary that links Helm's
# SDK links in half the time without cgo and DWARF, and the suite links ~20.
test: setup ## run every test: unit, golden snapshots, schemas, config table, secrets, bindings
	@CGO_ENABLED=0 go test -ldflags='-s -w' ./... ./__tests__/
	@node --test tools/bindings/generate.test.mjs

validate: synth ## check cdktf.out against the real provider schemas
	@$(GOBUILD) -o $(VALIDATE) ./cmd/validate && $(VALIDATE) cdktf.out

check: synth ## render every release with its real chart, check it against the base stack, print the network matrix
	@$(GOBUILD) -o $(CHECK) ./cmd/check && $(CHECK) cdktf.out $(ENV)

render: synth ## write each release's rendered manifests to cdktf.out/manifests/$(ENV)/<release>.yaml
	@find cdktf.out/manifests -name '*.yaml' | sort

bench: setup ## measure setup, synth and test time and memory against the targets
	@go run ./tools/bench

fuzz: ## fuzz the config loader for FUZZTIME (default 30s)
	@go test ./config/ -run '^$$' -fuzz FuzzParse -fuzztime $(or $(FUZZTIME),30s)

diff: synth ops ## what deploy would change: each stack's plan, each release's objects, and the change check (refused upgrades, data loss); exit 1 when deploy would stop
	@$(OPS) diff $(ENV)

deploy: synth ops ## check the cluster, the secrets and the change (make diff's check), uninstall what the change removes, then apply base-$(ENV), then apps-$(ENV) (cdktf deploy)
	@$(OPS) deploy $(ENV)

drift: synth ops ## refreshed plan of both stacks and stuck releases: exit 2 and list what differs from the code
	@$(OPS) drift $(ENV)

status: build ops ## deployed chart versions and revisions (terraform outputs and helm list), stuck releases
	@$(OPS) status $(ENV)

rollback: build ops ## show each release's revisions and how to roll back
	@$(OPS) rollback $(ENV)

recover: build ops ## fix what an interrupted apply left: stuck Helm releases, a stale state lock, a release the state lacks (asks first; AUTO_APPROVE=1 does not)
	@$(OPS) recover $(ENV)

destroy: synth ops ## list, then destroy apps-$(ENV), then base-$(ENV) (cdktf destroy); needs no secrets, Terraform never prompts
	@$(OPS) destroy $(ENV)

clean: ## remove cdktf.out (and its stamp), the build, the generated bindings and the chart cache (not the state)
	@rm -rf cdktf.out .cdktf.out.stamp.json .bin .gen .charts
