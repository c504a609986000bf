package e2e

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intercooperative/icnd/node/home"
)

// testStatus checks `icnd status` on node1 of a running 4-validator
// network: the JSON field names scripts rely on, and values that match the
// manifest and the network.
func testStatus(t *testing.T, n *network) {
	node := n.manifest.Nodes[1]
	var st map[string]any
	// The peers connect in the first seconds; a block needs only three of
	// the four validators, so the fourth may still be dialing.
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := runCLI(t, "status", "--node", node.RPC, "--output", "json")
		st = nil
		decodeJSON(t, out, &st)
		if st["peers"] == float64(3) || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	keys := make([]string, 0, len(st))
	for k := range st {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"catching_up", "chain_id", "latest_app_hash", "latest_block_hash", "latest_block_time",
		"latest_height", "moniker", "node_id", "peers", "validator_address", "voting_power"}
	if !slices.Equal(keys, want) {
		t.Fatalf("status fields %v, want %v", keys, want)
	}
	hash := regexp.MustCompile(`^[0-9A-F]{64}$`)
	if st["chain_id"] != n.manifest.ChainID || st["node_id"] != node.NodeID || st["moniker"] != node.Name ||
		st["validator_address"] != node.ValidatorAddress || st["voting_power"] != float64(home.DefaultValidatorPower) ||
		st["peers"] != float64(3) || st["catching_up"] != false ||
		!hash.MatchString(st["latest_app_hash"].(string)) || st["latest_height"].(float64) < 2 {
		bz, _ := json.MarshalIndent(st, "", "  ")
		t.Fatalf("status of %s:\n%s", node.Name, bz)
	}
	text := runCLI(t, "status", "--node", node.RPC)
	for _, line := range []string{"peers:", "voting_power:      10", "catching_up:       false", "latest_app_hash:"} {
		if !strings.Contains(text, line) {
			t.Errorf("status text lacks %q:\n%s", line, text)
		}
	}
}
