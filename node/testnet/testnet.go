// Package testnet generates the homes of an N-validator network on one
// machine, for `icnd testnet` and `make localnet`.
//
// Node i lives in Output/node<i>, listens on StartingIP+i (every 127/8
// address is on Linux's loopback interface, so 127.0.0.2, 127.0.0.3, ...
// need no setup) with the same ports on every node, and lists every other
// node as a persistent peer. All nodes share one genesis: each node's
// validator key with DefaultValidatorPower, and for each node a funded
// account whose key, named node<i>, is in that node's keyring.
// Output/testnet.json (Manifest) describes the result for scripts and
// tests.
package testnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/types"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client/keyring"
	"github.com/intercooperative/icnd/node/home"
)

// Funding of each node's account. Generous on purpose: a transaction costs
// a few hundred mana under the default params (base 10 + 1 per byte + the
// message's cost), so a full account pays for tens of millions of
// transactions, and at 1,000,000 per block it refills from empty in 10,000
// blocks (under 2 hours at the localnet's ~0.5 s blocks). Load tests can
// spend freely without ever waiting for regeneration.
const (
	AccountBalance  uint64 = 10_000_000_000
	AccountCapacity uint64 = 10_000_000_000
	AccountRate     uint64 = 1_000_000
)

// TimeoutCommit is the localnet's consensus.timeout_commit. CometBFT's
// default (1 s) paces a production network; on one machine the other
// timeouts never fire, so 500 ms halves the wait for a transaction to
// commit in scripts and end-to-end tests while leaving the network enough
// slack to stay live on a loaded CI machine.
const TimeoutCommit = 500 * time.Millisecond

// AppMempoolRetryDelay is mempool.check_tx_retry_delay with the app-side
// mempool (Options.Mempool "app"), instead of CometBFT's 5 s. CometBFT's app
// mempool keeps every refused submission in its seen-cache for that long
// (a tenth of it after a retry code), and answers the same bytes sent again
// meanwhile with an RPC error, "tx already seen", instead of checking them:
// a client that resubmits a transaction refused with tx/40 "mempool is
// full" on its next turn, as the load generator does, must get the pool's
// answer again.
const AppMempoolRetryDelay = 100 * time.Millisecond

// Default ports, the same on every node since each has its own IP.
const (
	DefaultP2PPort        = 26656
	DefaultRPCPort        = 26657
	DefaultPrometheusPort = 26660
)

// ManifestFile is the name of the manifest in the output directory.
const ManifestFile = "testnet.json"

// Options configures Generate.
type Options struct {
	// Validators is the number of nodes, all validators (1 to 200).
	Validators int
	// Output is the directory that receives node0..node{N-1} and the manifest.
	Output  string
	ChainID string
	// StartingIP is node0's IPv4 address; node i gets StartingIP+i.
	StartingIP string
	// KeyringBackend is the backend of the node<i> account keys.
	KeyringBackend string
	// Passphrase is asked by the file keyring backend; nil otherwise.
	Passphrase keyring.PassphraseFunc
	// Ports; zero means the defaults.
	P2PPort, RPCPort, PrometheusPort int
	// GenesisTime is the chain's genesis time; zero means now.
	GenesisTime time.Time
	// BenchAccounts funds this many extra accounts whose keys anyone can
	// derive (BenchAccountKey), for load generators. Never for a real chain.
	BenchAccounts int
	// SnapshotInterval is every node's app.toml state-sync.snapshot-interval;
	// zero takes no snapshots.
	SnapshotInterval uint64
	// VotingPeriod and Timelock, in blocks, replace the default governance
	// policy's when non-zero: a localnet decides in seconds, not in the
	// day a real chain's default gives.
	VotingPeriod, Timelock int64
	// Mempool is every node's config.toml mempool.type: "flood" (CometBFT's
	// mempool, the default when empty) or "app" (icnd's app-side mempool,
	// docs/mempool.md).
	Mempool string
}

// DefaultSnapshotInterval is the snapshot interval of `icnd testnet`: a
// localnet serves state sync to a node joining it after about a minute.
const DefaultSnapshotInterval = 100

// Manifest is testnet.json.
type Manifest struct {
	ChainID     string    `json:"chain_id"`
	GenesisTime time.Time `json:"genesis_time"`
	Nodes       []Node    `json:"nodes"`
	// BenchAccounts is how many accounts of BenchAccountKey are funded.
	BenchAccounts int `json:"bench_accounts,omitempty"`
}

// Node describes one generated node.
type Node struct {
	Name string `json:"name"`
	// Home is the node's home directory, absolute.
	Home string `json:"home"`
	IP   string `json:"ip"`
	// RPC is the node's CometBFT RPC address, for --node.
	RPC string `json:"rpc"`
	// P2P is the p2p listen address; Peer is how other nodes dial it.
	P2P              string `json:"p2p"`
	Peer             string `json:"peer"`
	NodeID           string `json:"node_id"`
	Prometheus       string `json:"prometheus"`
	ValidatorAddress string `json:"validator_address"`
	// KeyName is the funded account's key in the node's keyring.
	KeyName        string `json:"key_name"`
	KeyringBackend string `json:"keyring_backend"`
	DID            string `json:"did"`
}

// Generate writes the testnet described by opts and returns its manifest.
// It refuses an output directory that already holds a node home or a
// manifest. On failure it removes what it wrote.
func Generate(opts Options) (m *Manifest, err error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	out, err := filepath.Abs(opts.Output)
	if err != nil {
		return nil, err
	}
	ips, err := addresses(opts.StartingIP, opts.Validators)
	if err != nil {
		return nil, err
	}
	for i := 0; i < opts.Validators; i++ {
		if _, err := os.Stat(filepath.Join(out, nodeName(i))); err == nil {
			return nil, fmt.Errorf("%s already exists; remove %s or choose another --output", filepath.Join(out, nodeName(i)), out)
		}
	}
	if _, err := os.Stat(filepath.Join(out, ManifestFile)); err == nil {
		return nil, fmt.Errorf("%s already exists; remove %s or choose another --output", filepath.Join(out, ManifestFile), out)
	}
	defer func() {
		if err != nil {
			for i := 0; i < opts.Validators; i++ {
				os.RemoveAll(filepath.Join(out, nodeName(i)))
			}
		}
	}()

	m = &Manifest{ChainID: opts.ChainID}
	state := app.DefaultGenesis()
	doc, err := home.NewGenesisDoc(opts.ChainID, opts.GenesisTime, state)
	if err != nil {
		return nil, err
	}
	m.GenesisTime = doc.GenesisTime
	for i := 0; i < opts.Validators; i++ {
		node, err := initNode(opts, out, i, ips[i], doc, &state)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", nodeName(i), err)
		}
		m.Nodes = append(m.Nodes, node)
	}
	// The federation hierarchy starts at one root federation; node0's
	// account founds it, so the localnet can found organizations under it
	// and pass them bonus seats.
	if _, err := state.Org.AddRootFederation(RootFederation, m.Nodes[0].DID, RootFederationSeats); err != nil {
		return nil, err
	}
	// The accounts' grants are far above the default caps, which bound
	// what one DID gathers from memberships; leave room above them for
	// membership bonuses.
	state.Mana.Params.MaxCapacity = 2 * AccountCapacity
	state.Mana.Params.MaxRate = 2 * AccountRate
	if opts.VotingPeriod > 0 {
		state.Governance.Params.DefaultPolicy.VotingPeriod = opts.VotingPeriod
	}
	if opts.Timelock > 0 {
		state.Governance.Params.DefaultPolicy.Timelock = opts.Timelock
	}
	if opts.BenchAccounts < 0 {
		return nil, fmt.Errorf("bench accounts must not be negative")
	}
	if err := addBenchAccounts(&state, opts.BenchAccounts); err != nil {
		return nil, err
	}
	m.BenchAccounts = opts.BenchAccounts
	if err := home.SetAppState(doc, state); err != nil {
		return nil, err
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	if err := state.Validate(); err != nil {
		return nil, fmt.Errorf("genesis app_state: %w", err)
	}
	for i, node := range m.Nodes {
		if err := home.WriteGenesis(filepath.Join(node.Home, "config", "genesis.json"), doc, state); err != nil {
			return nil, err
		}
		if err := home.WriteConfig(nodeConfig(opts, node, peers(m.Nodes, i))); err != nil {
			return nil, fmt.Errorf("%s: %w", node.Name, err)
		}
		appCfg := abci.DefaultAppConfig()
		appCfg.StateSync.SnapshotInterval = opts.SnapshotInterval
		if err := abci.WriteAppConfig(node.Home, appCfg); err != nil {
			return nil, fmt.Errorf("%s: %w", node.Name, err)
		}
	}
	bz, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(out, ManifestFile), append(bz, '\n'), 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

func (o *Options) fill() error {
	if o.Validators < 1 || o.Validators > 200 {
		return fmt.Errorf("--validators must be 1 to 200, got %d", o.Validators)
	}
	if o.Output == "" {
		return errors.New("an output directory is required")
	}
	if o.ChainID == "" {
		return errors.New("a chain id is required")
	}
	if len(o.ChainID) > app.MaxChainIDLength {
		return fmt.Errorf("chain id %q is longer than %d bytes", o.ChainID, app.MaxChainIDLength)
	}
	if o.StartingIP == "" {
		o.StartingIP = "127.0.0.2"
	}
	switch o.Mempool {
	case "":
		o.Mempool = cmtcfg.MempoolTypeFlood
	case cmtcfg.MempoolTypeFlood, cmtcfg.MempoolTypeApp:
	default:
		return fmt.Errorf("--mempool must be %q or %q, got %q", cmtcfg.MempoolTypeFlood, cmtcfg.MempoolTypeApp, o.Mempool)
	}
	if o.KeyringBackend == "" {
		o.KeyringBackend = keyring.BackendTest
	}
	if o.KeyringBackend == keyring.BackendMemory {
		return errors.New("the memory keyring backend would lose the node keys; use test or file")
	}
	if o.P2PPort == 0 {
		o.P2PPort = DefaultP2PPort
	}
	if o.RPCPort == 0 {
		o.RPCPort = DefaultRPCPort
	}
	if o.PrometheusPort == 0 {
		o.PrometheusPort = DefaultPrometheusPort
	}
	ports := map[int]string{}
	for _, p := range []struct {
		name string
		port int
	}{{"p2p", o.P2PPort}, {"rpc", o.RPCPort}, {"prometheus", o.PrometheusPort}} {
		if p.port < 1 || p.port > 65535 {
			return fmt.Errorf("%s port %d is out of range", p.name, p.port)
		}
		if other, ok := ports[p.port]; ok {
			return fmt.Errorf("%s and %s ports are both %d", other, p.name, p.port)
		}
		ports[p.port] = p.name
	}
	return nil
}

// addresses returns n consecutive IPv4 addresses from start.
func addresses(start string, n int) ([]netip.Addr, error) {
	ip, err := netip.ParseAddr(start)
	if err != nil || !ip.Is4() {
		return nil, fmt.Errorf("starting IP %q is not an IPv4 address", start)
	}
	out := make([]netip.Addr, n)
	for i := range n {
		if !ip.IsValid() { // Next went past 255.255.255.255
			return nil, fmt.Errorf("%d addresses from %s overflow the IPv4 space", n, start)
		}
		out[i] = ip
		ip = ip.Next()
	}
	return out, nil
}

// RootFederation is the name of the testnet's root federation; its DID is
// org.DeriveOrgDID("", RootFederation).
const RootFederation = "root"

// RootFederationSeats are the bonus seats the testnet's root federation
// holds: all the network has. node0, its founder, takes one; the rest let
// node0 admit members to the root federation with a membership bonus, and
// pass seats down to the organizations founded under it (set-seats).
const RootFederationSeats = 100

func nodeName(i int) string { return fmt.Sprintf("node%d", i) }

// initNode creates node i's home directory, keys and account, and adds its validator
// and account to doc and state.
func initNode(opts Options, out string, i int, ip netip.Addr, doc *types.GenesisDoc, state *app.GenesisState) (Node, error) {
	name := nodeName(i)
	dir := filepath.Join(out, name)
	if err := home.EnsureDirs(dir); err != nil {
		return Node{}, err
	}
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(dir)
	keys, err := home.EnsureNodeKeys(cfg)
	if err != nil {
		return Node{}, err
	}
	if err := home.AddValidator(doc, keys.ValidatorPubKey, home.DefaultValidatorPower, name); err != nil {
		return Node{}, err
	}
	kr, err := keyring.New(dir, opts.KeyringBackend, opts.Passphrase)
	if err != nil {
		return Node{}, err
	}
	rec, err := kr.Add(name)
	if err != nil {
		return Node{}, err
	}
	did, err := home.AddAccount(state, home.GenesisAccount{
		PublicKey: rec.PublicKey,
		Balance:   AccountBalance,
		Capacity:  AccountCapacity,
		Rate:      AccountRate,
	})
	if err != nil {
		return Node{}, err
	}
	host := ip.String()
	return Node{
		Name:             name,
		Home:             dir,
		IP:               host,
		RPC:              fmt.Sprintf("tcp://%s:%d", host, opts.RPCPort),
		P2P:              fmt.Sprintf("tcp://%s:%d", host, opts.P2PPort),
		Peer:             p2p.IDAddressString(keys.NodeID, fmt.Sprintf("%s:%d", host, opts.P2PPort)),
		NodeID:           string(keys.NodeID),
		Prometheus:       fmt.Sprintf("%s:%d", host, opts.PrometheusPort),
		ValidatorAddress: keys.ValidatorPubKey.Address().String(),
		KeyName:          name,
		KeyringBackend:   opts.KeyringBackend,
		DID:              did,
	}, nil
}

// peers lists every node but the i-th as persistent peers.
func peers(nodes []Node, i int) string {
	var out []string
	for j, n := range nodes {
		if j != i {
			out = append(out, n.Peer)
		}
	}
	return strings.Join(out, ",")
}

// nodeConfig is CometBFT's default config with the localnet's addresses,
// peers and a shorter timeout_commit (see TimeoutCommit). proxy_app keeps
// its default: icnd runs the app in process and never dials it.
func nodeConfig(opts Options, node Node, persistentPeers string) *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(node.Home)
	cfg.Moniker = node.Name
	cfg.P2P.ListenAddress = node.P2P
	cfg.P2P.PersistentPeers = persistentPeers
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.AllowDuplicateIP = true
	cfg.RPC.ListenAddress = node.RPC
	cfg.RPC.PprofListenAddress = ""
	cfg.Instrumentation.Prometheus = true
	cfg.Instrumentation.PrometheusListenAddr = node.Prometheus
	cfg.Consensus.TimeoutCommit = TimeoutCommit
	cfg.Consensus.CreateEmptyBlocks = true
	cfg.Mempool.Type = opts.Mempool
	if opts.Mempool == cmtcfg.MempoolTypeApp {
		cfg.Mempool.CheckTxRetryDelay = AppMempoolRetryDelay
	}
	return cfg
}

// ReadManifest reads dir/testnet.json.
func ReadManifest(dir string) (*Manifest, error) {
	bz, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, err
	}
	m := new(Manifest)
	if err := json.Unmarshal(bz, m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return m, nil
}
