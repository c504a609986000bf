package runner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// cluster is the network's containers: one per node, on a bridge network
// of the run's own, each with its home bind-mounted. A node keeps its
// container for the whole run (a restart is docker start), so docker logs
// holds everything it ever printed.
type cluster struct {
	run     string // the run's id: names and labels
	image   string
	network string
	subnet  string // "10.215.7": the /24's first three octets
	homes   []string
	user    string
}

func (c *cluster) container(i int) string { return fmt.Sprintf("icnd-fault-%s-node%d", c.run, i) }

// ip is node i's address, the one `icnd testnet` wrote into the configs.
func (c *cluster) ip(i int) string { return fmt.Sprintf("%s.%d", c.subnet, 2+i) }

// docker runs the docker CLI and returns its trimmed stdout; the error
// carries stderr.
func docker(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// DockerAvailable reports why the runner cannot use docker, or nil.
func DockerAvailable() error {
	if _, err := docker(context.Background(), "info", "--format", "{{.ServerVersion}}"); err != nil {
		return err
	}
	return nil
}

// buildImage builds the FROM scratch image of the repository's Dockerfile
// around the static binary icnd (the context is a directory holding only
// a copy of it), as `make docker` does.
func buildImage(ctx context.Context, dockerfile, icnd, tag, tmp string) error {
	dir, err := os.MkdirTemp(tmp, "image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bz, err := os.ReadFile(icnd)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "icnd"), bz, 0o755); err != nil {
		return err
	}
	_, err = docker(ctx, "build", "-q", "-t", tag, "-f", dockerfile, dir)
	return err
}

// createNetwork makes the run's bridge network on the first of subnets
// that docker accepts (another network may hold one already), and
// records it in c.subnet.
func (c *cluster) createNetwork(ctx context.Context, subnets []string) error {
	var errs []string
	for _, sn := range subnets {
		_, err := docker(ctx, "network", "create", "--driver", "bridge", "--subnet", sn+".0/24",
			"--label", "icnd-fault="+c.run, c.network)
		if err == nil {
			c.subnet = sn
			return nil
		}
		errs = append(errs, err.Error())
	}
	return fmt.Errorf("no subnet for the run's network: %s", strings.Join(errs, "; "))
}

// create starts every node on the network.
func (c *cluster) create(ctx context.Context) error {
	for i := range c.homes {
		if _, err := docker(ctx, "run", "-d", "--name", c.container(i), "--label", "icnd-fault="+c.run,
			"--hostname", fmt.Sprintf("node%d", i), "--network", c.network, "--ip", c.ip(i),
			"--user", c.user, "-v", c.homes[i]+":/icnd-home", c.image, "start", "--home", "/icnd-home"); err != nil {
			return err
		}
	}
	return nil
}

// kill sends SIGKILL and waits for the container to exit.
func (c *cluster) kill(ctx context.Context, i int) error {
	if _, err := docker(ctx, "kill", "--signal", "KILL", c.container(i)); err != nil {
		return err
	}
	_, err := docker(ctx, "wait", c.container(i))
	return err
}

// stop sends SIGTERM and requires a clean exit (code 0) within 20 s.
func (c *cluster) stop(ctx context.Context, i int) error {
	if _, err := docker(ctx, "stop", "--time", "20", c.container(i)); err != nil {
		return err
	}
	code, err := docker(ctx, "inspect", "--format", "{{.State.ExitCode}}", c.container(i))
	if err != nil {
		return err
	}
	if code != "0" {
		return fmt.Errorf("node%d exited with code %s after SIGTERM, want 0", i, code)
	}
	return nil
}

func (c *cluster) start(ctx context.Context, i int) error {
	_, err := docker(ctx, "start", c.container(i))
	return err
}

func (c *cluster) pause(ctx context.Context, i int) error {
	_, err := docker(ctx, "pause", c.container(i))
	return err
}

func (c *cluster) unpause(ctx context.Context, i int) error {
	_, err := docker(ctx, "unpause", c.container(i))
	return err
}

func (c *cluster) disconnect(ctx context.Context, i int) error {
	_, err := docker(ctx, "network", "disconnect", c.network, c.container(i))
	return err
}

// connect attaches the container again with its own address, the one its
// peers dial.
func (c *cluster) connect(ctx context.Context, i int) error {
	_, err := docker(ctx, "network", "connect", "--ip", c.ip(i), c.network, c.container(i))
	return err
}

// logs returns everything node i printed since its container was created.
func (c *cluster) logs(ctx context.Context, i int) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "logs", c.container(i)).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("docker logs %s: %v", c.container(i), err)
	}
	return string(out), nil
}

// remove deletes the containers, the network and the image, ignoring what
// is already gone; it runs on every exit path.
func (c *cluster) remove() []error {
	ctx := context.Background()
	var errs []error
	ids, err := docker(ctx, "ps", "-aq", "--filter", "label=icnd-fault="+c.run)
	if err != nil {
		errs = append(errs, err)
	}
	if ids != "" {
		// A paused container must be unpaused before it can be removed on
		// some engines; rm -f handles both.
		args := append([]string{"rm", "-f", "-v"}, strings.Fields(ids)...)
		if _, err := docker(ctx, args...); err != nil {
			errs = append(errs, err)
		}
	}
	if out, err := docker(ctx, "network", "ls", "-q", "--filter", "name=^"+c.network+"$"); err == nil && out != "" {
		if _, err := docker(ctx, "network", "rm", c.network); err != nil {
			errs = append(errs, err)
		}
	}
	if c.image != "" {
		if out, err := docker(ctx, "image", "ls", "-q", c.image); err == nil && out != "" {
			if _, err := docker(ctx, "rmi", "-f", c.image); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}
