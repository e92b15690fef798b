// Command check renders the releases of synthesized environments with their
// real charts and checks them against their base stacks (package contract),
// printing the network matrix and every finding:
//
//	go run ./cmd/check [CDKTF_OUT] [ENV[,ENV…]|all]
//
// The environments default to every one in CDKTF_OUT (default cdktf.out);
// their configs are read from envs/. It exits 1 when anything is found.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/contract"
)

func main() {
	outdir, spec := "cdktf.out", "all"
	if len(os.Args) > 1 {
		outdir = os.Args[1]
	}
	if len(os.Args) > 2 {
		spec = os.Args[2]
	}
	if err := run(outdir, spec); err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(1)
	}
}

func run(outdir, spec string) error {
	var names []string
	if spec == "all" {
		dirs, _ := filepath.Glob(filepath.Join(outdir, "stacks", "base-*"))
		for _, d := range dirs {
			names = append(names, strings.TrimPrefix(filepath.Base(d), "base-"))
		}
	} else {
		names = strings.Split(spec, ",")
	}
	if len(names) == 0 {
		return fmt.Errorf("no environment in %s; run make synth first", outdir)
	}
	envs, err := config.LoadAll(".", names)
	if err != nil {
		return err
	}
	lock, err := chartlock.Read(chartlock.Path("."))
	if err != nil {
		return err
	}
	renderDir := charts.Default(".").RenderDir()
	failed := 0
	for _, env := range envs {
		rep, _, err := contract.Run(context.Background(), outdir, env, lock, renderDir)
		if err != nil {
			return err
		}
		rep.Write(os.Stdout)
		failed += len(rep.Findings)
	}
	if failed > 0 {
		return fmt.Errorf("%d finding(s)", failed)
	}
	return nil
}
