package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmtmath "github.com/cometbft/cometbft/libs/math"
	"github.com/cometbft/cometbft/light"
	"github.com/cometbft/cometbft/light/provider"
	lighthttp "github.com/cometbft/cometbft/light/provider/http"
	lightstore "github.com/cometbft/cometbft/light/store"
	lightdb "github.com/cometbft/cometbft/light/store/db"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/intercooperative/icnd/protocol"
	"github.com/intercooperative/icnd/store"
)

// ErrProof is wrapped by every failure to verify a proven query.
var ErrProof = errors.New("proof verification failed")

// ProverConfig configures light-client verification of queries.
type ProverConfig struct {
	ChainID string
	// Primary is the node queried and the light client's primary.
	Primary string
	// Witnesses cross-check the primary's headers. When empty the primary
	// is its own witness, which detects nothing; say so to the user.
	Witnesses []string
	// TrustHeight and TrustHash pin the root of trust. When zero, the
	// header the query needs is trusted on first use (as the primary serves
	// it, checked against the witnesses) and remembered in TrustDir, so
	// that later runs verify from it.
	TrustHeight int64
	TrustHash   []byte
	// TrustPeriod bounds how old a trusted header may be (default one week).
	TrustPeriod time.Duration
	// TrustDir keeps the light client's trusted headers between runs; ""
	// keeps them in memory only.
	TrustDir string
	// Wait bounds how long to wait for the header that commits a queried
	// height (the next block); default 30s.
	Wait time.Duration
}

// VerifiedHeader is the header a proof was checked against.
type VerifiedHeader struct {
	Height  int64  `json:"height"`
	Hash    string `json:"hash"`
	AppHash string `json:"app_hash"`
	// TrustedOnFirstUse is the height of the header taken from the primary
	// as the root of trust on this run; 0 when the root was pinned by the
	// user or a prior run.
	TrustedOnFirstUse int64 `json:"trusted_on_first_use,omitempty"`
	// Witnesses is how many independent witnesses cross-checked the header.
	Witnesses int `json:"witnesses"`
}

// Prover answers store queries with answers proven against headers that
// CometBFT's light client verified.
type Prover struct {
	cfg    ProverConfig
	client *Client
}

// NewProver returns a Prover querying cfg.Primary.
func NewProver(cfg ProverConfig) (*Prover, error) {
	c, err := Dial(cfg.Primary)
	if err != nil {
		return nil, err
	}
	if cfg.TrustPeriod == 0 {
		cfg.TrustPeriod = 7 * 24 * time.Hour
	}
	if cfg.Wait == 0 {
		cfg.Wait = 30 * time.Second
	}
	return &Prover{cfg: cfg, client: c}, nil
}

// Query reads key at height (0 = latest) with a proof and verifies it: the
// ICS23 proof of membership (or of absence, when the value is nil) must
// lead to the app hash of the header at height+1, and that header must be
// verified by the light client. Any failure wraps ErrProof.
func (p *Prover) Query(ctx context.Context, key []byte, height int64) (*QueryResult, error) {
	res, err := p.client.abciQuery(ctx, key, height, true)
	if err != nil {
		return nil, err
	}
	if height != 0 && res.Height != height {
		// A valid proof for another height proves nothing about this one.
		return nil, fmt.Errorf("%w: asked for height %d, the node answered for height %d", ErrProof, height, res.Height)
	}
	proof, err := decodeProof(res.ProofOps.GetOps(), key)
	if err != nil {
		return nil, err
	}
	hdr, err := p.verifiedHeader(ctx, res.Height+1)
	if err != nil {
		return nil, err
	}
	root, _ := hex.DecodeString(hdr.AppHash)
	value := nilIfEmpty(res.Value)
	if value != nil {
		err = store.VerifyMembership(root, proof, key, value)
	} else {
		err = store.VerifyAbsence(root, proof, key)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProof, err)
	}
	return &QueryResult{Key: key, Value: value, Height: res.Height, Proven: true, Header: hdr}, nil
}

func decodeProof(ops []cmtcrypto.ProofOp, key []byte) (*ics23.CommitmentProof, error) {
	if len(ops) != 1 {
		return nil, fmt.Errorf("%w: want 1 proof op, node sent %d", ErrProof, len(ops))
	}
	op := ops[0]
	if op.Type != protocol.ProofOpICS23 {
		return nil, fmt.Errorf("%w: proof op type %q, want %q", ErrProof, op.Type, protocol.ProofOpICS23)
	}
	if !bytes.Equal(op.Key, key) {
		return nil, fmt.Errorf("%w: proof is for key %X, asked for %X", ErrProof, op.Key, key)
	}
	proof := new(ics23.CommitmentProof)
	if err := proof.Unmarshal(op.Data); err != nil {
		return nil, fmt.Errorf("%w: decode proof: %v", ErrProof, err)
	}
	return proof, nil
}

// verifiedHeader waits for the header at height and verifies it with the
// light client.
func (p *Prover) verifiedHeader(ctx context.Context, height int64) (*VerifiedHeader, error) {
	if err := p.waitHeight(ctx, height); err != nil {
		return nil, err
	}
	primary, err := lighthttp.New(p.cfg.ChainID, p.cfg.Primary)
	if err != nil {
		return nil, err
	}
	var witnesses []provider.Provider
	for _, w := range p.cfg.Witnesses {
		wp, err := lighthttp.New(p.cfg.ChainID, w)
		if err != nil {
			return nil, fmt.Errorf("witness %s: %w", w, err)
		}
		witnesses = append(witnesses, wp)
	}
	independent := len(witnesses)
	if independent == 0 {
		witnesses = []provider.Provider{primary}
	}
	db, closeDB, err := p.trustDB()
	if err != nil {
		return nil, err
	}
	defer closeDB()
	trusted := lightdb.New(db, p.cfg.ChainID)

	opts := []light.Option{light.SkippingVerification(cmtmath.Fraction{Numerator: 1, Denominator: 3}), light.Logger(cmtlog.NewNopLogger())}
	var lc *light.Client
	var tofu int64
	if p.cfg.TrustHeight > 0 {
		lc, err = light.NewClient(ctx, p.cfg.ChainID,
			light.TrustOptions{Period: p.cfg.TrustPeriod, Height: p.cfg.TrustHeight, Hash: p.cfg.TrustHash},
			primary, witnesses, trusted, opts...)
	} else if last, _ := trusted.LastLightBlockHeight(); last > 0 {
		if err := p.checkStoredTrust(ctx, trusted, primary, last); err != nil {
			return nil, err
		}
		lc, err = light.NewClientFromTrustedStore(p.cfg.ChainID, p.cfg.TrustPeriod, primary, witnesses, trusted, opts...)
	} else {
		// Trust on first use: the header this query needs, as the primary
		// serves it; the light client checks it against the witnesses. It
		// is recent, so it is within the trust period, and later runs
		// verify forwards (or backwards) from it.
		tofu = height
		first, ferr := primary.LightBlock(ctx, tofu)
		if ferr != nil {
			return nil, fmt.Errorf("%w: fetch header %d to trust on first use: %v", ErrProof, tofu, ferr)
		}
		lc, err = light.NewClient(ctx, p.cfg.ChainID,
			light.TrustOptions{Period: p.cfg.TrustPeriod, Height: tofu, Hash: first.Hash()},
			primary, witnesses, trusted, opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: light client: %v", ErrProof, err)
	}
	lb, err := lc.VerifyLightBlockAtHeight(ctx, height, time.Now())
	if errors.As(err, new(light.ErrOldHeaderExpired)) {
		return nil, fmt.Errorf("%w: the trusted header in %s is older than the trust period (%s): delete %s, or pass --trust-height and --trust-hash", ErrProof, p.cfg.TrustDir, p.cfg.TrustPeriod, p.cfg.TrustDir)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: verify header %d: %v", ErrProof, height, err)
	}
	return &VerifiedHeader{
		Height:            lb.Height,
		Hash:              fmt.Sprintf("%X", lb.Hash()),
		AppHash:           fmt.Sprintf("%X", lb.AppHash),
		TrustedOnFirstUse: tofu,
		Witnesses:         independent,
	}, nil
}

// checkStoredTrust compares the last header the store trusts with the
// primary's header at that height. The light client answers heights at or
// below it from the store without asking the primary, so a chain reset
// under the same chain id (a regenerated localnet) would otherwise show up
// only as proofs that do not match.
func (p *Prover) checkStoredTrust(ctx context.Context, trusted lightstore.Store, primary provider.Provider, height int64) error {
	stored, err := trusted.LightBlock(height)
	if err != nil {
		return fmt.Errorf("%w: read trusted header %d from %s: %v", ErrProof, height, p.cfg.TrustDir, err)
	}
	current, err := primary.LightBlock(ctx, height)
	if err == nil && bytes.Equal(current.Hash(), stored.Hash()) {
		return nil
	}
	detail := "it has a different header there"
	if err != nil {
		detail = fmt.Sprintf("it cannot serve that header: %v", err)
	}
	return fmt.Errorf("%w: %s trusts header %d (hash %X) of chain %s, but %s: %s; if the chain was reset, delete %s",
		ErrProof, p.cfg.TrustDir, height, stored.Hash(), p.cfg.ChainID, p.cfg.Primary, detail, p.cfg.TrustDir)
}

func (p *Prover) trustDB() (dbm.DB, func(), error) {
	if p.cfg.TrustDir == "" {
		db := dbm.NewMemDB()
		return db, func() { db.Close() }, nil
	}
	if err := os.MkdirAll(p.cfg.TrustDir, 0o700); err != nil {
		return nil, nil, err
	}
	// The chain id may come from the node: hash it rather than trust it in
	// a file name.
	sum := sha256.Sum256([]byte(p.cfg.ChainID))
	db, err := dbm.NewGoLevelDB(fmt.Sprintf("light-%x", sum[:8]), filepath.Clean(p.cfg.TrustDir))
	if err != nil {
		return nil, nil, fmt.Errorf("open light client store in %s: %w", p.cfg.TrustDir, err)
	}
	return db, func() { db.Close() }, nil
}

// waitHeight waits until the primary has committed height.
func (p *Prover) waitHeight(ctx context.Context, height int64) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Wait)
	defer cancel()
	for {
		st, err := p.client.RPC.Status(ctx)
		if err == nil && st.SyncInfo.LatestBlockHeight >= height {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: header %d did not appear within %s", ErrProof, height, p.cfg.Wait)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
