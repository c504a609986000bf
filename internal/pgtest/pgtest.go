// Package pgtest runs throwaway PostgreSQL clusters for tests and for the
// local indexer: Debian's server binaries, initdb into a temporary folder,
// pg_ctl start listening on a unix socket in that folder only (no TCP port,
// so concurrent clusters never collide), and pg_ctl stop afterwards.
//
// PostgreSQL refuses to run as root, so when the caller is root the cluster
// runs as the `postgres` system user that Debian's package creates (or
// `nobody` when it is missing), and the folder is owned by that user.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoPostgres is returned when no PostgreSQL server binaries are found.
// `make install-postgres` installs them (Debian's postgresql package).
var ErrNoPostgres = errors.New("PostgreSQL server binaries not found (run `make install-postgres`)")

// Cluster is a running PostgreSQL cluster in Dir.
type Cluster struct {
	// Dir holds data/ (the cluster), the socket and postgres.log.
	Dir string
	// SuperUser is the cluster's superuser role.
	SuperUser string
	bin       string
	cred      *syscall.Credential
	owned     bool // Dir was made by Start and is removed by Stop
	dbs       atomic.Int64
}

// BinDir returns the folder of Debian's PostgreSQL server binaries (the
// highest installed major version), or PG_BINDIR when set.
func BinDir() (string, error) {
	if d := os.Getenv("PG_BINDIR"); d != "" {
		return d, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", ErrNoPostgres
	}
	sort.Slice(found, func(i, j int) bool { return majorOf(found[i]) < majorOf(found[j]) })
	return filepath.Dir(found[len(found)-1]), nil
}

func majorOf(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// Start creates and starts a cluster. With dir "" it makes a temporary
// folder that Stop removes; otherwise it uses dir, initialising the cluster
// there only when dir/data does not exist yet (so a kept cluster restarts).
func Start(dir string) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, SuperUser: "postgres", bin: bin}
	if os.Geteuid() == 0 {
		if c.cred, err = unprivileged(); err != nil {
			return nil, err
		}
	}
	if dir == "" {
		// Directly under the system temp folder (sticky, world-searchable),
		// not under a test's 0700 temp dir, which the unprivileged user
		// could not enter.
		if c.Dir, err = os.MkdirTemp("", "icnd-pg-"); err != nil {
			return nil, err
		}
		c.owned = true
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if c.Dir, err = filepath.Abs(c.Dir); err != nil {
		return nil, err
	}
	if c.cred != nil {
		if err := os.Chown(c.Dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "data", "PG_VERSION")); err != nil {
		if err := c.run("initdb", "-D", c.dataDir(), "-U", c.SuperUser, "-A", "trust", "-E", "UTF8",
			"--locale", "C", "--no-sync", "--no-instructions"); err != nil {
			c.cleanup()
			return nil, err
		}
	}
	// No TCP listener: the socket in Dir is the only way in. fsync is off:
	// these clusters hold nothing that outlives the machine's uptime.
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", c.Dir)
	if err := c.run("pg_ctl", "-D", c.dataDir(), "-l", filepath.Join(c.Dir, "postgres.log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		c.cleanup()
		return nil, fmt.Errorf("%w\n%s", err, tailFile(filepath.Join(c.Dir, "postgres.log")))
	}
	return c, nil
}

// unprivileged returns the credentials of the user the server runs as when
// the caller is root.
func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as")
}

func (c *Cluster) dataDir() string { return filepath.Join(c.Dir, "data") }

func (c *Cluster) run(tool string, args ...string) error {
	cmd := exec.Command(filepath.Join(c.bin, tool), args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	cmd.Dir = c.Dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", tool, err, out)
	}
	return nil
}

// DSN returns the connection string of database db as the superuser.
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("host=%s user=%s dbname=%s sslmode=disable", c.Dir, c.SuperUser, db)
}

// URL is DSN as a postgres:// URL, the form `icnd indexer --db` documents.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&sslmode=disable", c.SuperUser, db, c.Dir)
}

// CreateDatabase creates a fresh, empty database and returns its name.
func (c *Cluster) CreateDatabase(ctx context.Context, prefix string) (string, error) {
	name := fmt.Sprintf("%s_%d", sanitize(prefix), c.dbs.Add(1))
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	return name, nil
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 || b.Len() > 40 {
		return "db"
	}
	return b.String()
}

// Stop stops the server (fast shutdown) and removes a folder Start made.
func (c *Cluster) Stop() error {
	err := c.run("pg_ctl", "-D", c.dataDir(), "-m", "fast", "-w", "-t", "60", "stop")
	c.cleanup()
	return err
}

func (c *Cluster) cleanup() {
	if c.owned {
		os.RemoveAll(c.Dir)
	}
}

func tailFile(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// New starts a cluster for a test and stops it when the test ends. It fails
// the test, never skips it, when PostgreSQL cannot start.
func New(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := Start("")
	if err != nil {
		tb.Fatalf("start PostgreSQL: %v", err)
	}
	tb.Cleanup(func() {
		if err := c.Stop(); err != nil {
			tb.Errorf("stop PostgreSQL: %v", err)
		}
	})
	return c
}

// NewDatabase creates a fresh database in c for a test and returns its
// connection string.
func (c *Cluster) NewDatabase(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name, err := c.CreateDatabase(ctx, tb.Name())
	if err != nil {
		tb.Fatalf("create database: %v", err)
	}
	return c.DSN(name)
}
