// Command fault runs a fault-injection test network from a manifest: a
// network of icnd validators in containers (the FROM scratch image of the
// given binary, built by the runner), a steady load of signed
// transactions from several accounts, and the manifest's schedule of
// perturbations; then the checks, and a summary table. It exits 1 when a
// check fails. See docs/fault-injection.md.
//
//	go run ./tests/fault -manifest tests/fault/manifests/long.toml -icnd build/icnd
//	go run ./tests/fault -manifest tests/fault/manifests/long.toml -icnd build/icnd -cycles 1
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/intercooperative/icnd/tests/fault/runner"
)

func main() {
	manifest := flag.String("manifest", "tests/fault/manifests/long.toml", "the run's manifest (TOML)")
	icnd := flag.String("icnd", "build/icnd", "static icnd binary (make build) to put in the image")
	dockerfile := flag.String("dockerfile", "Dockerfile", "the repository's Dockerfile")
	workDir := flag.String("work-dir", "", "where the run's directory goes (default: the temporary directory)")
	keep := flag.Bool("keep", false, "keep the run's directory (homes and node logs) even when every check passes")
	cycles := flag.Int("cycles", 0, "run this many cycles of the schedule instead of the manifest's")
	subnet := flag.String("subnet", "", "the containers' /24 as three octets, e.g. 10.215.9 (default: the first free of a few 10.215.x)")
	flag.Parse()

	m, err := runner.ReadManifest(*manifest)
	if err != nil {
		fail(err)
	}
	if *cycles > 0 {
		m.Cycles = *cycles
		if err := m.Check(); err != nil {
			fail(err)
		}
	}
	if err := runner.DockerAvailable(); err != nil {
		fail(fmt.Errorf("docker is needed: %w", err))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := runner.New(runner.Config{ICND: *icnd, Dockerfile: *dockerfile, WorkDir: *workDir, Subnet: *subnet, Log: os.Stderr}, m)
	rep, runErr := r.Run(ctx)
	if ctx.Err() == nil {
		rep.Print(os.Stdout)
	}
	keepDir := *keep || runErr != nil || !rep.OK()
	if err := r.Close(keepDir); err != nil {
		fmt.Fprintln(os.Stderr, "fault:", err)
	}
	if keepDir && r.Dir() != "" {
		fmt.Fprintf(os.Stderr, "fault: homes and node logs kept in %s\n", r.Dir())
	}
	if runErr != nil {
		fail(runErr)
	}
	if !rep.OK() {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "fault:", err)
	os.Exit(1)
}
