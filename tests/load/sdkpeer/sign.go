package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	sdkmath "cosmossdk.io/math"

	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
)

// GasLimit is every load transaction's gas limit; a bank send uses less
// than half of it. Fees are zero: the nodes take no minimum gas price.
const GasLimit = 200_000

// signCmd writes pre-signed bank sends for the load generator: for each
// benchmark account a, per-account sends of 1 stake to account a+1 with
// sequences 0, 1, ... The file is the account count and the per-account
// count (uint32 big endian each), then every transaction, account by
// account in sequence order, as a uvarint length and its bytes.
func signCmd(args []string) error {
	fs := flag.NewFlagSet("sign", flag.ExitOnError)
	chainID := fs.String("chain-id", "", "chain ID the signatures commit to (required)")
	accounts := fs.Int("accounts", 1000, "benchmark accounts signing (account numbers 0..N-1, as genesis funds them)")
	perAccount := fs.Int("per-account", 100, "transactions per account, sequences 0..per-account-1")
	size := fs.Int("size", 256, "pad each transaction with its memo to at least this many bytes")
	out := fs.String("out", "", "output file (required)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: sdkpeerd sign --chain-id ID --out FILE [flags]\n\nPre-signs bank sends (SIGN_MODE_DIRECT, secp256k1) from the benchmark accounts\nfor the load generator.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *chainID == "" || *out == "" || *accounts < 2 || *perAccount < 1 {
		fs.Usage()
		os.Exit(2)
	}
	enc := newEncoding()
	txs := make([][][]byte, *accounts)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				for seq := range *perAccount {
					tx, err := sendTx(enc, *chainID, a, (a+1)%*accounts, uint64(seq), *size)
					if err != nil {
						mu.Lock()
						firstErr = fmt.Errorf("account %d sequence %d: %w", a, seq, err)
						mu.Unlock()
						break
					}
					txs[a] = append(txs[a], tx)
				}
			}
		}()
	}
	for a := range *accounts {
		work <- a
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(*accounts))
	binary.BigEndian.PutUint32(hdr[4:], uint32(*perAccount))
	_, _ = w.Write(hdr[:])
	for _, acct := range txs {
		for _, tx := range acct {
			_, _ = w.Write(binary.AppendUvarint(nil, uint64(len(tx))))
			_, _ = w.Write(tx)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// sendTx signs a send of 1 stake from account from to account to, padded
// with the memo to at least size bytes.
func sendTx(enc encoding, chainID string, from, to int, seq uint64, size int) ([]byte, error) {
	tx, err := buildSend(enc, chainID, from, to, seq, "")
	if err != nil {
		return nil, err
	}
	if pad := size - len(tx); pad > 2 {
		// The memo adds its bytes, a tag and a length byte.
		return buildSend(enc, chainID, from, to, seq, strings.Repeat("m", pad-2))
	}
	return tx, nil
}

func buildSend(enc encoding, chainID string, from, to int, seq uint64, memo string) ([]byte, error) {
	priv := benchKey(from)
	msg := banktypes.NewMsgSend(benchAddress(from), benchAddress(to), sdk.NewCoins(sdk.NewCoin(Denom, sdkmath.NewInt(1))))
	b := enc.txConfig.NewTxBuilder()
	if err := b.SetMsgs(msg); err != nil {
		return nil, err
	}
	b.SetGasLimit(GasLimit)
	b.SetMemo(memo)
	mode := signing.SignMode_SIGN_MODE_DIRECT
	// First the signer info without a signature (it is part of what is
	// signed), then the signature.
	if err := b.SetSignatures(signing.SignatureV2{
		PubKey: priv.PubKey(), Data: &signing.SingleSignatureData{SignMode: mode}, Sequence: seq,
	}); err != nil {
		return nil, err
	}
	sd := authsigning.SignerData{
		ChainID: chainID, AccountNumber: uint64(from), Sequence: seq,
		PubKey: priv.PubKey(), Address: benchAddress(from).String(),
	}
	sig, err := clienttx.SignWithPrivKey(context.Background(), mode, sd, b, priv, enc.txConfig, seq)
	if err != nil {
		return nil, err
	}
	if err := b.SetSignatures(sig); err != nil {
		return nil, err
	}
	return enc.txConfig.TxEncoder()(b.GetTx())
}
