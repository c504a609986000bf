package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cometbft/cometbft/types"
	"github.com/ipfs/go-cid"
	carv2 "github.com/ipld/go-car/v2"
	carstorage "github.com/ipld/go-car/v2/storage"
	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/executor/blockstore"
	"github.com/intercooperative/icnd/executor/p2p"
	"github.com/intercooperative/icnd/modules/mesh"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

const (
	flagStore = "store"
	flagPeer  = "peer"
	flagOut   = "out"

	// dagFetchTimeout bounds fetching the blocks of one command from peers.
	dagFetchTimeout = 2 * time.Minute
)

// jobDomain is the prefix of a job's preimage (docs/mesh.md, "Job ids").
const jobDomain = "icn-mesh-job-v1\x00"

func dagCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dag",
		Short: "Content-addressed blocks: store, fetch, export a job's DAG as a CAR file",
		Long: `Blocks (modules, inputs, outputs, receipts) are addressed by CID: CIDv1 with a
sha2-256 hash and the codec raw, dag-pb, dag-cbor or dag-json. They live in a
block store on disk: the node's is <home>/data/blocks (served to the mesh's
libp2p network when [dag-p2p] is enabled in app.toml); --store names any other
directory. A block is at most 4 MiB (4194304 bytes).

Blocks missing from the store are fetched from peers: those given with --peer,
else the bootstrap addresses of [dag-p2p] in the home's app.toml. Every block is
checked against its CID before it is used or stored. See docs/executor.md.`,
		Example: `  icnd dag put job.wasm
  icnd dag get bafkrei... --out job.wasm
  icnd dag export-car bafyrei... job.car`,
	}
	cmd.AddCommand(dagPutCmd(), dagGetCmd(), dagExportCarCmd())
	return cmd
}

func addStoreFlag(cmd *cobra.Command) {
	cmd.Flags().String(flagStore, "", "block store directory (default: <home>/data/blocks)")
}

func addPeerFlags(cmd *cobra.Command) {
	cmd.Flags().StringArray(flagPeer, nil, "multiaddr of a peer to fetch missing blocks from, ending in /p2p/<peer id> (repeatable; default: [dag-p2p] bootstrap of the home's app.toml)")
	cmd.Flags().String(flagChainID, "", "chain id of the peers' network (default: the home's genesis.json, or ask --node)")
}

// openDagStore opens --store, or the home's data/blocks.
func openDagStore(cmd *cobra.Command) (*blockstore.Store, error) {
	dir, _ := cmd.Flags().GetString(flagStore)
	if dir == "" {
		dir = filepath.Join(homeDir(cmd), abci.BlocksDir)
	}
	return blockstore.Open(dir, blockstore.DefaultMaxBlockSize)
}

func dagPutCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "put FILE",
		Short: "Store a file as a raw block and print its CID",
		Long: `Stores the bytes of FILE ("-" for standard input) as one raw block (CIDv1, codec
raw 0x55, sha2-256) in the block store and prints its CID. A file over the block
limit of 4 MiB (4194304 bytes) is refused. Storing a block twice is harmless.

On a node with [dag-p2p] enabled, a block put in its store (the default,
<home>/data/blocks) is served to every executor of the network.`,
		Example: `  icnd dag put job.wasm
  icnd dag put input.txt --home ~/.icnd
  echo -n hello | icnd dag put - --store /tmp/blocks`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openDagStore(cmd)
			if err != nil {
				return err
			}
			data, err := readBlockFile(args[0], store.MaxBlockSize())
			if err != nil {
				return err
			}
			c, err := store.Put(data)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), c)
			return err
		},
	}
	addStoreFlag(cmd)
	return cmd
}

// readBlockFile reads path ("-": stdin), refusing more than limit bytes.
func readBlockFile(path string, limit int) ([]byte, error) {
	var r io.Reader = os.Stdin
	name := "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r, name = f, path
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > int64(limit) {
			return nil, fmt.Errorf("%w: %s is %d bytes; a block is at most %d bytes (4 MiB)", blockstore.ErrTooLarge, name, fi.Size(), limit)
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%w: %s is over %d bytes; a block is at most %d bytes (4 MiB)", blockstore.ErrTooLarge, name, limit, limit)
	}
	return data, nil
}

func dagGetCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get CID",
		Short: "Print a block, from the block store or from peers",
		Long: `Writes the block CID to standard output, or to --out. The block comes from the
block store if it holds it, else from peers: a short-lived libp2p host connects to
the --peer addresses (or the [dag-p2p] bootstrap addresses of the home's
app.toml), asks the peers it knows and the providers the DHT names, checks the
bytes against the CID and keeps them in the store.`,
		Example: `  icnd dag get bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku --out empty.bin
  icnd dag get bafkrei... --peer /ip4/127.0.0.1/tcp/26680/p2p/12D3KooW... --chain-id icn-localnet`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := blockstore.ParseCID(args[0])
			if err != nil {
				return err
			}
			src, err := newBlockSource(cmd, nil)
			if err != nil {
				return err
			}
			defer src.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), dagFetchTimeout)
			defer cancel()
			data, err := src.Get(ctx, c)
			if err != nil {
				return err
			}
			if out, _ := cmd.Flags().GetString(flagOut); out != "" {
				return os.WriteFile(out, data, 0o644)
			}
			_, err = cmd.OutOrStdout().Write(data)
			return err
		},
	}
	addStoreFlag(cmd)
	addPeerFlags(cmd)
	cmd.Flags().String(flagOut, "", "write the block to this file instead of standard output")
	return cmd
}

// blockSource gets blocks from a store, then from peers through a libp2p
// host started on first need.
type blockSource struct {
	cmd     *cobra.Command
	store   *blockstore.Store
	peers   []string
	chainID func(context.Context) (string, error)
	host    *p2p.Host
}

// newBlockSource opens the store and reads the peers (--peer, else the
// home's [dag-p2p] bootstrap). chainID, if not nil, is asked for the chain id
// when neither --chain-id nor the home's genesis gives it.
func newBlockSource(cmd *cobra.Command, chainID func(context.Context) (string, error)) (*blockSource, error) {
	store, err := openDagStore(cmd)
	if err != nil {
		return nil, err
	}
	peers, _ := cmd.Flags().GetStringArray(flagPeer)
	if len(peers) == 0 {
		cfg, err := abci.LoadAppConfig(homeDir(cmd))
		if err != nil {
			return nil, err
		}
		peers = cfg.DagP2P.Bootstrap
	}
	if _, err := p2p.ParseBootstrap(peers); err != nil {
		return nil, fmt.Errorf("--%s: %w", flagPeer, err)
	}
	return &blockSource{cmd: cmd, store: store, peers: peers, chainID: chainID}, nil
}

// Get returns the block c from the store, or else from peers.
func (s *blockSource) Get(ctx context.Context, c cid.Cid) ([]byte, error) {
	data, err := s.store.Get(c)
	if err == nil {
		return data, nil
	}
	if !errors.Is(err, blockstore.ErrNotFound) && !errors.Is(err, blockstore.ErrHashMismatch) {
		return nil, err
	}
	if len(s.peers) == 0 {
		return nil, fmt.Errorf("%w in %s, and no peer to ask (give --%s, or set [dag-p2p] bootstrap in app.toml)", err, s.store.Dir(), flagPeer)
	}
	if s.host == nil {
		if err := s.start(ctx); err != nil {
			return nil, err
		}
	}
	return s.host.Fetch(ctx, c)
}

// start starts the short-lived host: client mode, a fresh identity.
func (s *blockSource) start(ctx context.Context) error {
	chainID, err := s.resolveChainID(ctx)
	if err != nil {
		return err
	}
	h, err := p2p.New(ctx, p2p.Config{ChainID: chainID, Bootstrap: s.peers, ClientOnly: true}, s.store, nil)
	if err != nil {
		return err
	}
	if len(h.Peers()) == 0 {
		_ = h.Close()
		return fmt.Errorf("no peer reachable among %s", strings.Join(s.peers, ", "))
	}
	s.host = h
	return nil
}

// resolveChainID is --chain-id, else the home's genesis, else s.chainID.
func (s *blockSource) resolveChainID(ctx context.Context) (string, error) {
	if id, _ := s.cmd.Flags().GetString(flagChainID); id != "" {
		return id, nil
	}
	gen, err := types.GenesisDocFromFile(filepath.Join(homeDir(s.cmd), "config", "genesis.json"))
	if err == nil {
		return gen.ChainID, nil
	}
	if s.chainID != nil {
		return s.chainID(ctx)
	}
	return "", fmt.Errorf("fetching from peers needs the chain id: give --%s (the home has no genesis.json)", flagChainID)
}

// Close stops the host, if one was started.
func (s *blockSource) Close() {
	if s.host != nil {
		_ = s.host.Close()
	}
}

func dagExportCarCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export-car CID FILE",
		Short: "Write a job's DAG (receipts, job, module, input, output) as a CARv1 file",
		Long: `Writes the DAG of a job as a CARv1 file (https://ipld.io/specs/transport/car/carv1/).
CID is either a receipt (dag-cbor, bafyrei...): the CAR's root is that receipt;
or a job id (raw, bafkrei...): the roots are the job's receipts on chain, read
from --node. The CAR holds, each once, the receipts, the job block (the job id's
preimage, docs/mesh.md "Job ids"), and each receipt's module, input and output.

Blocks come from the block store, then from peers (--peer, or the [dag-p2p]
bootstrap of app.toml). A job block that is in neither is rebuilt from the job's
record on chain and checked against the job id. Every block is checked against
its CID. When a block cannot be found the command writes nothing and names
each missing block.`,
		Example: `  icnd dag export-car bafyrei... job.car
  icnd dag export-car bafkrei... job.car --node tcp://127.0.0.1:26657`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			target, err := blockstore.ParseCID(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), dagFetchTimeout)
			defer cancel()
			e := &carExport{cmd: cmd}
			src, err := newBlockSource(cmd, e.nodeChainID)
			if err != nil {
				return err
			}
			defer src.Close()
			e.src = src
			blocks, roots, err := e.collect(ctx, target)
			if err != nil {
				return err
			}
			if err := writeCAR(args[1], roots, blocks); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %d blocks, root %s\n", args[1], len(blocks), joinCIDs(roots))
			return nil
		},
	}
	addStoreFlag(cmd)
	addPeerFlags(cmd)
	cmd.Flags().String(flagNode, defaultNode, "CometBFT RPC address of a node, to read a job's record")
	return cmd
}

// dagBlock is one block of an export and what it is in the job's DAG.
type dagBlock struct {
	role string
	cid  cid.Cid
	data []byte
}

// carExport gathers the blocks of a job's DAG.
type carExport struct {
	cmd *cobra.Command
	src *blockSource
	job *meshv1.Job
}

func (e *carExport) querier() (*client.Querier, error) {
	c, err := dial(e.cmd)
	if err != nil {
		return nil, err
	}
	return client.NewQuerier(c, nil), nil
}

// nodeChainID asks --node for the chain id.
func (e *carExport) nodeChainID(ctx context.Context) (string, error) {
	c, err := dial(e.cmd)
	if err != nil {
		return "", err
	}
	return c.ResolveChainID(ctx, "")
}

// jobRecord reads the job's record from --node, once.
func (e *carExport) jobRecord(ctx context.Context, job cid.Cid) (*meshv1.Job, error) {
	if e.job != nil {
		return e.job, nil
	}
	id, err := mesh.ParseJob(job.String())
	if err != nil {
		return nil, err
	}
	q, err := e.querier()
	if err != nil {
		return nil, err
	}
	res, err := q.Get(ctx, mesh.JobKey(id), 0)
	if err != nil {
		return nil, fmt.Errorf("read job %s from the chain: %w", job, err)
	}
	if res.Value == nil {
		return nil, fmt.Errorf("%w: job %s at height %d", client.ErrNotFound, job, res.Height)
	}
	j := new(meshv1.Job)
	if err := j.Unmarshal(res.Value); err != nil {
		return nil, fmt.Errorf("decode job %s: %w", job, err)
	}
	e.job = j
	return j, nil
}

// collect returns the blocks of target's DAG, receipts first, and the roots.
func (e *carExport) collect(ctx context.Context, target cid.Cid) ([]dagBlock, []cid.Cid, error) {
	var receiptCIDs []cid.Cid
	var jobCID cid.Cid
	switch target.Type() {
	case cid.DagCBOR:
		receiptCIDs = []cid.Cid{target}
	case cid.Raw:
		jobCID = target
		j, err := e.jobRecord(ctx, target)
		if err != nil {
			return nil, nil, err
		}
		for _, b := range j.Bids {
			if len(b.Receipt) == 0 {
				continue
			}
			c, err := cid.Cast(b.Receipt)
			if err != nil {
				return nil, nil, fmt.Errorf("job %s: receipt of %s: %w", target, b.Executor, err)
			}
			receiptCIDs = append(receiptCIDs, c)
		}
		if len(receiptCIDs) == 0 {
			return nil, nil, fmt.Errorf("job %s has no receipt on chain yet (status %s)", target, client.NewJobView(j).Status)
		}
	default:
		return nil, nil, fmt.Errorf("%s is neither a receipt (dag-cbor) nor a job id (raw)", target)
	}

	var blocks []dagBlock
	var missing []string
	seen := map[cid.Cid]bool{}
	add := func(role string, c cid.Cid, get func() ([]byte, error)) {
		if seen[c] {
			return
		}
		seen[c] = true
		data, err := get()
		if err != nil {
			missing = append(missing, fmt.Sprintf("%s %s: %v", role, c, err))
			return
		}
		blocks = append(blocks, dagBlock{role: role, cid: c, data: data})
	}
	fetch := func(c cid.Cid) func() ([]byte, error) {
		return func() ([]byte, error) { return e.src.Get(ctx, c) }
	}

	var receipts []*receipt.Receipt
	for _, rc := range receiptCIDs {
		add("receipt", rc, func() ([]byte, error) {
			data, err := e.src.Get(ctx, rc)
			if err != nil {
				return nil, err
			}
			r, err := receipt.Decode(data)
			if err != nil {
				return nil, err
			}
			if jobCID.Defined() && !r.Job.Equals(jobCID) {
				return nil, fmt.Errorf("the receipt is for job %s, not %s", r.Job, jobCID)
			}
			receipts = append(receipts, r)
			return data, nil
		})
	}
	if len(missing) > 0 {
		return nil, nil, missingError(missing)
	}
	jobCID = receipts[0].Job
	add("job", jobCID, func() ([]byte, error) { return e.jobBlock(ctx, jobCID) })
	for _, r := range receipts {
		if !r.Job.Equals(jobCID) {
			return nil, nil, fmt.Errorf("receipts of different jobs: %s and %s", jobCID, r.Job)
		}
		add("module", r.Module, fetch(r.Module))
		add("input", r.Input, fetch(r.Input))
		add("output", r.Output, fetch(r.Output))
	}
	if len(missing) > 0 {
		return nil, nil, missingError(missing)
	}
	return blocks, receiptCIDs, nil
}

// jobBlock returns the job's preimage: from the store, else rebuilt from the
// job's record on chain, else from peers. Whatever its source, it must hash
// to the job id.
func (e *carExport) jobBlock(ctx context.Context, job cid.Cid) ([]byte, error) {
	data, err := e.src.store.Get(job)
	if err == nil {
		return data, nil
	}
	j, chainErr := e.jobRecord(ctx, job)
	if chainErr == nil {
		block := jobPreimage(j)
		if err := blockstore.Verify(job, block); err != nil {
			return nil, fmt.Errorf("the job block rebuilt from the chain's record does not match the job id: %w", err)
		}
		_ = e.src.store.PutBlock(job, block)
		return block, nil
	}
	data, err = e.src.Get(ctx, job)
	if err != nil {
		return nil, fmt.Errorf("not rebuilt from the chain (%v), %w", chainErr, err)
	}
	return data, nil
}

// jobPreimage is a job's block, whose sha2-256 is its id (docs/mesh.md, "Job
// ids"): "icn-mesh-job-v1" 0x00 || uint64be(len(poster)) || poster ||
// the deterministic protobuf encoding of its MsgPostJob.
func jobPreimage(j *meshv1.Job) []byte {
	spec := j.Spec
	if spec == nil {
		spec = &meshv1.MsgPostJob{}
	}
	bz, err := spec.Marshal()
	if err != nil {
		// A decoded message of scalar and bytes fields always encodes.
		panic("encode MsgPostJob: " + err.Error())
	}
	out := make([]byte, 0, len(jobDomain)+8+len(j.Poster)+len(bz))
	out = append(out, jobDomain...)
	out = binary.BigEndian.AppendUint64(out, uint64(len(j.Poster)))
	out = append(out, j.Poster...)
	return append(out, bz...)
}

func missingError(missing []string) error {
	return fmt.Errorf("cannot export: %d block(s) missing:\n  %s", len(missing), strings.Join(missing, "\n  "))
}

// writeCAR writes a CARv1 with go-car to a temporary file beside path and
// renames it, so a failed export leaves no partial file.
func writeCAR(path string, roots []cid.Cid, blocks []dagBlock) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".car-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	err = func() error {
		w, err := carstorage.NewWritable(f, roots, carv2.WriteAsCarV1(true))
		if err != nil {
			return err
		}
		for _, b := range blocks {
			if err := w.Put(context.Background(), b.cid.KeyString(), b.data); err != nil {
				return fmt.Errorf("%s %s: %w", b.role, b.cid, err)
			}
		}
		if err := w.Finalize(); err != nil {
			return err
		}
		return f.Sync()
	}()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func joinCIDs(cs []cid.Cid) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = c.String()
	}
	return strings.Join(s, ", ")
}
