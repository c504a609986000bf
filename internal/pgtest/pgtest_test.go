package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestClusterLifecycle starts a real cluster, writes and reads in a fresh
// database, and checks that Stop removes the folder.
func TestClusterLifecycle(t *testing.T) {
	c, err := Start("")
	if err != nil {
		t.Fatal(err)
	}
	dir := c.Dir
	ctx := context.Background()
	dsn := c.NewDatabase(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	var who string
	var n int
	if err := conn.QueryRow(ctx, "SELECT current_user, 40 + 2").Scan(&who, &n); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if who != "postgres" || n != 42 {
		t.Fatalf("got user %q and %d", who, n)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("folder %s left behind: %v", dir, err)
	}
}
