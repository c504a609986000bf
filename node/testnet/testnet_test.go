package testnet

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/client/keyring"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/node/home"
)

func generate(t *testing.T, n int) (*Manifest, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "net")
	m, err := Generate(Options{Validators: n, Output: out, ChainID: "icn-test", StartingIP: "127.0.0.50", RPCPort: 36657})
	if err != nil {
		t.Fatal(err)
	}
	return m, out
}

func TestGenerate(t *testing.T) {
	const n = 3
	m, out := generate(t, n)
	if len(m.Nodes) != n {
		t.Fatalf("%d nodes, want %d", len(m.Nodes), n)
	}
	read, err := ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(read.Nodes) != n || read.ChainID != "icn-test" {
		t.Fatalf("manifest on disk = %+v", read)
	}

	var genesis []byte
	for i, node := range m.Nodes {
		name := fmt.Sprintf("node%d", i)
		wantIP := fmt.Sprintf("127.0.0.%d", 50+i)
		if node.Name != name || node.KeyName != name || node.IP != wantIP || node.Home != filepath.Join(out, name) {
			t.Errorf("node %d = %+v", i, node)
		}
		if node.RPC != "tcp://"+wantIP+":36657" || node.P2P != "tcp://"+wantIP+":26656" || node.Prometheus != wantIP+":26660" {
			t.Errorf("node %d addresses: rpc %s p2p %s prometheus %s", i, node.RPC, node.P2P, node.Prometheus)
		}
		if node.Peer != node.NodeID+"@"+wantIP+":26656" {
			t.Errorf("node %d peer %s", i, node.Peer)
		}

		// Every home holds the same genesis, and it passes validation.
		bz, err := os.ReadFile(filepath.Join(node.Home, "config", "genesis.json"))
		if err != nil {
			t.Fatal(err)
		}
		if genesis == nil {
			genesis = bz
		} else if string(bz) != string(genesis) {
			t.Errorf("node %d has a different genesis.json", i)
		}
		doc, warnings, err := home.ValidateGenesisFile(filepath.Join(node.Home, "config", "genesis.json"))
		if err != nil || len(warnings) > 0 {
			t.Fatalf("node %d genesis: %v %v", i, err, warnings)
		}
		if len(doc.Validators) != n {
			t.Fatalf("genesis has %d validators, want %d", len(doc.Validators), n)
		}
		if v := doc.Validators[i]; v.Power != home.DefaultValidatorPower || v.Address.String() != node.ValidatorAddress {
			t.Errorf("validator %d = %+v, want %s with power %d", i, v, node.ValidatorAddress, home.DefaultValidatorPower)
		}

		// The funded key is in the node's test keyring and owns the DID.
		kr, err := keyring.New(node.Home, keyring.BackendTest, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := kr.Get(name)
		if err != nil {
			t.Fatalf("node %d keyring: %v", i, err)
		}
		if did := didmod.DeriveDID(rec.PublicKey); did != node.DID {
			t.Errorf("node %d: key derives %s, manifest says %s", i, did, node.DID)
		}

		// Config: addresses, peers, localnet settings.
		cfg, err := abci.LoadCometConfig(node.Home)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Moniker != name || cfg.RPC.ListenAddress != node.RPC || cfg.P2P.ListenAddress != node.P2P {
			t.Errorf("node %d config: moniker %s rpc %s p2p %s", i, cfg.Moniker, cfg.RPC.ListenAddress, cfg.P2P.ListenAddress)
		}
		var wantPeers []string
		for j, other := range m.Nodes {
			if j != i {
				wantPeers = append(wantPeers, other.Peer)
			}
		}
		if got := strings.Split(cfg.P2P.PersistentPeers, ","); !slices.Equal(got, wantPeers) {
			t.Errorf("node %d persistent peers = %v, want %v", i, got, wantPeers)
		}
		if cfg.Mempool.Type != cmtcfg.MempoolTypeFlood {
			t.Errorf("node %d: mempool.type %q, want the default %q", i, cfg.Mempool.Type, cmtcfg.MempoolTypeFlood)
		}
		if cfg.P2P.AddrBookStrict || !cfg.P2P.AllowDuplicateIP {
			t.Errorf("node %d: addr_book_strict %v allow_duplicate_ip %v", i, cfg.P2P.AddrBookStrict, cfg.P2P.AllowDuplicateIP)
		}
		if cfg.Consensus.TimeoutCommit != TimeoutCommit || !cfg.Consensus.CreateEmptyBlocks {
			t.Errorf("node %d consensus: timeout_commit %s create_empty_blocks %v", i, cfg.Consensus.TimeoutCommit, cfg.Consensus.CreateEmptyBlocks)
		}
		if !cfg.Instrumentation.Prometheus || cfg.Instrumentation.PrometheusListenAddr != node.Prometheus || cfg.RPC.PprofListenAddress != "" {
			t.Errorf("node %d instrumentation: %+v pprof %q", i, cfg.Instrumentation, cfg.RPC.PprofListenAddress)
		}
		if _, err := abci.LoadAppConfig(node.Home); err != nil {
			t.Errorf("node %d app.toml: %v", i, err)
		}
	}

	// Each node's account is funded in genesis.
	_, state, err := home.ReadGenesis(filepath.Join(m.Nodes[0].Home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(state.Mana.Accounts) != n || len(state.DID.Documents) != n {
		t.Fatalf("genesis has %d accounts and %d documents, want %d", len(state.Mana.Accounts), len(state.DID.Documents), n)
	}
	for _, node := range m.Nodes {
		i := slices.IndexFunc(state.Mana.Accounts, func(a mana.GenesisAccount) bool { return a.DID == node.DID })
		if i < 0 {
			t.Fatalf("%s has no mana account", node.DID)
		}
		if a := state.Mana.Accounts[i]; a.Balance != AccountBalance || a.Capacity != AccountCapacity || a.Rate != AccountRate {
			t.Errorf("account %s = %+v", node.DID, a)
		}
	}
	// node0 founded the root federation, which holds the network's seats,
	// one of them node0's.
	if orgs := state.Org.Organizations; len(orgs) != 1 || orgs[0].DID != org.DeriveOrgDID("", RootFederation) ||
		orgs[0].Kind != org.KindFederation || orgs[0].Founder != m.Nodes[0].DID ||
		orgs[0].BonusSeats != RootFederationSeats || orgs[0].SeatsUsed != 1 {
		t.Fatalf("genesis organizations: %+v", orgs)
	}
	// The caps leave room for membership bonuses above the grants.
	if p := state.Mana.Params; p.MaxCapacity <= AccountCapacity || p.MaxRate <= AccountRate {
		t.Fatalf("caps %d and %d do not exceed the grants %d and %d", p.MaxCapacity, p.MaxRate, AccountCapacity, AccountRate)
	}
}

func TestGenerateRefusesExistingOutput(t *testing.T) {
	_, out := generate(t, 1)
	_, err := Generate(Options{Validators: 1, Output: out, ChainID: "icn-test", StartingIP: "127.0.0.50"})
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second Generate into %s: %v, want a refusal", out, err)
	}
}

func TestOptionErrors(t *testing.T) {
	base := Options{Validators: 2, Output: t.TempDir(), ChainID: "c"}
	for name, mutate := range map[string]func(*Options){
		"no validators": func(o *Options) { o.Validators = 0 },
		"ipv6":          func(o *Options) { o.StartingIP = "::1" },
		"not an ip":     func(o *Options) { o.StartingIP = "localhost" },
		"ip overflow":   func(o *Options) { o.StartingIP = "255.255.255.255" },
		"same ports":    func(o *Options) { o.RPCPort = DefaultP2PPort },
		"memory keys":   func(o *Options) { o.KeyringBackend = keyring.BackendMemory },
		"no chain id":   func(o *Options) { o.ChainID = "" },
		"bad mempool":   func(o *Options) { o.Mempool = "priority" },
	} {
		o := base
		mutate(&o)
		if _, err := Generate(o); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// TestGenerateAppMempool: --mempool app writes mempool.type = "app", and
// the shorter check_tx_retry_delay, into every node's config.toml, which
// icnd start accepts (LoadCometConfig).
func TestGenerateAppMempool(t *testing.T) {
	out := filepath.Join(t.TempDir(), "net")
	m, err := Generate(Options{Validators: 2, Output: out, ChainID: "icn-test", StartingIP: "127.0.0.60", Mempool: cmtcfg.MempoolTypeApp})
	if err != nil {
		t.Fatal(err)
	}
	for i, node := range m.Nodes {
		cfg, err := abci.LoadCometConfig(node.Home)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Mempool.Type != cmtcfg.MempoolTypeApp || !cfg.Consensus.CreateEmptyBlocks || cfg.Mempool.CheckTxRetryDelay != AppMempoolRetryDelay {
			t.Errorf("node %d: mempool.type %q, create_empty_blocks %v, check_tx_retry_delay %s", i, cfg.Mempool.Type, cfg.Consensus.CreateEmptyBlocks, cfg.Mempool.CheckTxRetryDelay)
		}
	}
}

// TestHomesAreRelocatable: no file of a home names the directory it was
// generated in, so localnet/docker.sh can mount each home anywhere in its
// container. A moved home still loads: its config resolves every path
// against the new home.
func TestHomesAreRelocatable(t *testing.T) {
	m, out := generate(t, 2)
	err := filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		bz, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if path != filepath.Join(out, ManifestFile) && strings.Contains(string(bz), out) {
			t.Errorf("%s names the output directory %s", path, out)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.Rename(m.Nodes[0].Home, moved); err != nil {
		t.Fatal(err)
	}
	cfg, err := abci.LoadCometConfig(moved)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.GenesisFile(); got != filepath.Join(moved, "config", "genesis.json") {
		t.Fatalf("genesis file %s after the move", got)
	}
	if _, err := os.Stat(cfg.PrivValidatorKeyFile()); err != nil {
		t.Fatal(err)
	}
}
