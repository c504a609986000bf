package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/ipfs/go-cid"
	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/keyring"
	didmod "github.com/intercooperative/icnd/modules/did"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

func txCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tx",
		Short: "Build, sign and broadcast a transaction",
		Long: `Build a transaction, sign it with the --from key of the keyring and broadcast it
to --node. The signer is the DID of the --from key; its sequence is read from
the node unless --sequence is given, and the chain id is asked from the node
unless --chain-id is given.

The transaction is shown and must be confirmed before it is broadcast, unless
--yes is given or stdin is not a terminal. With --broadcast-mode commit (the
default) the command waits until the transaction is in a block, prints its
height, hash and result, and exits non-zero if it failed; with sync it returns
once the node has accepted it into its mempool.

The --from account pays the transaction's mana unless --sponsor names another
key of the keyring: that key signs the transaction too, and its DID pays, or,
with --sponsor-payer, an organization it controls pays from its treasury. The
signer's sequence advances either way. This is how a member onboards a
newcomer who has no mana yet.`,
		Example: `  icnd tx identity register --key alice --from node0
  icnd tx dag anchor --file report.pdf --kind document --from alice
  icnd tx dag anchor --file report.pdf --kind document --from newcomer --sponsor alice
  icnd tx dag anchor --file report.pdf --kind document --from newcomer --sponsor alice --sponsor-payer did:icn:<coop>`,
	}
	f := cmd.PersistentFlags()
	f.String(flagNode, defaultNode, "CometBFT RPC address of the node to talk to")
	f.String(flagChainID, "", "chain id (default: ask the node)")
	f.String(flagOutput, "text", "output format: text or json")
	addKeyringFlag(f, keyring.BackendFile)
	f.String(flagFrom, "", "name of the keyring key that signs, and pays unless --sponsor is given (required)")
	f.BoolP(flagYes, "y", false, "broadcast without asking for confirmation")
	f.String(flagMemo, "", "free-text memo (at most 256 bytes)")
	f.Uint64(flagTimeoutHeight, 0, "last block height at which the transaction may be included (0: none)")
	f.Uint64(flagSequence, 0, "signer's sequence (default: the next one, asked from the node)")
	f.String(flagKeyID, didmod.FirstKeyID, "id of the signer's verification key in its DID document")
	f.String(flagSigner, "", "DID to sign as (default: the DID of the --from key); for a key added to a DID with add-key or rotate-key, with --key-id")
	f.String(flagBroadcastMode, client.BroadcastCommit, "sync (return once accepted by the mempool) or commit (wait for the block)")
	addSponsorFlags(f)

	idCmd := &cobra.Command{
		Use:   "identity",
		Short: "Identity transactions: register DIDs, manage their keys",
		Long:  `Transactions of the did, org, credential and profile modules (protobuf package icn.identity.v1).`,
		Example: `  icnd tx identity register --key alice --from node0
  icnd tx identity add-key key-2 --key alice-laptop --from alice
  icnd tx identity rotate-key key-1 key-3 --key alice-new --from alice
  icnd tx identity create-org bakery --kind cooperative --parent did:icn:<root> --from alice`,
	}
	idCmd.AddCommand(txRegisterCmd())
	idCmd.AddCommand(txAddKeyCmd(), txRotateKeyCmd(), txRevokeKeyCmd(), txDeactivateCmd())
	idCmd.AddCommand(orgTxCmds()...)
	idCmd.AddCommand(txRevokeCredentialCmd(), txSetProfileCmd(), txEraseProfileCmd())
	dagCmd := &cobra.Command{
		Use:     "dag",
		Short:   "DAG transactions: anchor content identifiers",
		Long:    `Transactions of the dag module.`,
		Example: `  icnd tx dag anchor bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e --kind document --from alice`,
	}
	dagCmd.AddCommand(txAnchorCmd())
	cmd.AddCommand(idCmd, dagCmd)
	cmd.AddCommand(govTxCmd())
	cmd.AddCommand(meshTxCmd())
	return cmd
}

// txEnv is what a transaction builder may use.
type txEnv struct {
	ctx     context.Context
	client  *client.Client
	keyring *keyring.Keyring
	chainID string
	// signer is the DID the transaction is signed as, keyID its key, and
	// sign signs with the --from key.
	signer string
	keyID  string
	sign   client.Signer
}

// txOutput is a broadcast result plus what the transaction created.
type txOutput struct {
	client.TxResult
	DID string `json:"did,omitempty"`
	CID string `json:"cid,omitempty"`
	// ProposalID is the id of a proposal the transaction submitted.
	ProposalID uint64 `json:"proposal_id,omitempty"`
}

// txBuilder returns a transaction's messages, a line describing each for
// the confirmation, and the extra output fields.
type txBuilder func(env txEnv) (msgs []*txv1.Msg, describe []string, out txOutput, err error)

// runTx signs the messages build returns with --from, asks for
// confirmation, broadcasts and prints the result.
func runTx(cmd *cobra.Command, build txBuilder) error {
	ctx := cmd.Context()
	asJSON, err := jsonOutput(cmd)
	if err != nil {
		return err
	}
	mode, _ := cmd.Flags().GetString(flagBroadcastMode)
	if mode != client.BroadcastSync && mode != client.BroadcastCommit {
		return fmt.Errorf("--%s must be %s or %s, got %q", flagBroadcastMode, client.BroadcastSync, client.BroadcastCommit, mode)
	}
	from, _ := cmd.Flags().GetString(flagFrom)
	if from == "" {
		return fmt.Errorf("--%s is required: the name of the key that signs and pays", flagFrom)
	}
	kr, err := openKeyring(cmd)
	if err != nil {
		return err
	}
	rec, err := kr.Get(from)
	if err != nil {
		return err
	}
	signer, err := signerDID(cmd, rec)
	if err != nil {
		return err
	}
	c, err := dial(cmd)
	if err != nil {
		return err
	}
	chainFlag, _ := cmd.Flags().GetString(flagChainID)
	chainID, err := c.ResolveChainID(ctx, chainFlag)
	if err != nil {
		return err
	}
	env := txEnv{ctx: ctx, client: c, keyring: kr, chainID: chainID, signer: signer,
		sign: func(b []byte) ([]byte, error) { return kr.Sign(from, b) }}
	env.keyID, _ = cmd.Flags().GetString(flagKeyID)
	msgs, describe, out, err := build(env)
	if err != nil {
		return err
	}
	var override *uint64
	if cmd.Flags().Changed(flagSequence) {
		seq, _ := cmd.Flags().GetUint64(flagSequence)
		override = &seq
	}
	seq, err := c.ResolveSequence(ctx, signer, override)
	if err != nil {
		return err
	}
	p := client.TxParams{ChainID: chainID, Signer: signer, KeyID: env.keyID, Sequence: seq}
	p.Memo, _ = cmd.Flags().GetString(flagMemo)
	p.TimeoutHeight, _ = cmd.Flags().GetUint64(flagTimeoutHeight)
	if p.Sponsor, err = sponsorFromFlags(cmd, kr); err != nil {
		return err
	}

	fmt.Fprintf(os.Stderr, "chain:   %s\nsigner:  %s (key %q, %s, sequence %d)\n", chainID, signer, from, p.KeyID, seq)
	for i, d := range describe {
		fmt.Fprintf(os.Stderr, "msg %d:   %s\n", i, d)
	}
	if p.Memo != "" {
		fmt.Fprintf(os.Stderr, "memo:    %q\n", p.Memo)
	}
	if p.Sponsor != nil {
		sponsorKey, _ := cmd.Flags().GetString(flagSponsor)
		fmt.Fprintln(os.Stderr, describeSponsor(p.Sponsor, sponsorKey))
	}
	ok, err := confirm(cmd, "Sign and broadcast?")
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("aborted: nothing was broadcast")
	}
	res, err := c.Send(ctx, p, env.sign, mode, msgs...)
	if err != nil {
		return err
	}
	out.TxResult = res
	out.ProposalID = client.SubmittedProposal(res.Events)
	if asJSON {
		if err := printJSON(os.Stdout, out); err != nil {
			return err
		}
	} else {
		printTxResult(out, mode)
	}
	if res.Code != 0 {
		return fmt.Errorf("transaction failed (%s/%d): %s", res.Codespace, res.Code, res.Log)
	}
	return nil
}

func printTxResult(out txOutput, mode string) {
	fields := [][2]string{{"txhash", out.Hash}}
	if mode == client.BroadcastCommit {
		fields = append(fields, [2]string{"height", strconv.FormatInt(out.Height, 10)})
	}
	fields = append(fields, [2]string{"code", strconv.FormatUint(uint64(out.Code), 10)})
	if out.Codespace != "" {
		fields = append(fields, [2]string{"codespace", out.Codespace})
	}
	if out.Log != "" {
		fields = append(fields, [2]string{"log", out.Log})
	}
	if out.DID != "" {
		fields = append(fields, [2]string{"did", out.DID})
	}
	if out.CID != "" {
		fields = append(fields, [2]string{"cid", out.CID})
	}
	if out.ProposalID != 0 {
		fields = append(fields, [2]string{"proposal", strconv.FormatUint(out.ProposalID, 10)})
	}
	if mode == client.BroadcastSync {
		fields = append(fields, [2]string{"status", "accepted into the mempool, not yet committed"})
	}
	printFields(os.Stdout, fields...)
}

func txRegisterCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Register the DID of a key, paid by --from",
		Long: `Register the did:icn of a public key on chain. The --from account signs and pays;
the new key must prove possession by signing the registration bytes (chain id
and DID). Normally the new key is in the same keyring: --key NAME signs that
proof with it. A key held elsewhere can be registered with --pubkey and a proof
made by its holder, --pop (base64 Ed25519 signature over
"icn/identity/register\x00<chain-id>\x00<did>").

Prints the new DID.`,
		Example: `  icnd keys add alice
  icnd tx identity register --key alice --from node0
  icnd tx identity register --pubkey 3q2+7w... --pop q83v... --from node0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			keyName, _ := cmd.Flags().GetString("key")
			pubStr, _ := cmd.Flags().GetString("pubkey")
			popStr, _ := cmd.Flags().GetString("pop")
			switch {
			case keyName != "" && (pubStr != "" || popStr != ""):
				return errors.New("give either --key, or --pubkey with --pop, not both")
			case keyName == "" && pubStr == "":
				return errors.New("name the key to register: --key NAME (from the keyring), or --pubkey with --pop")
			case pubStr != "" && popStr == "":
				return errors.New("--pubkey needs --pop: registering a key requires a proof of possession signed by it (or use --key NAME)")
			}
			return runTx(cmd, func(env txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				var msg *txv1.Msg
				var did string
				if keyName != "" {
					rec, err := env.keyring.Get(keyName)
					if err != nil {
						return nil, nil, txOutput{}, err
					}
					msg, did, err = client.RegisterDID(env.chainID, rec.PublicKey, func(b []byte) ([]byte, error) {
						return env.keyring.Sign(keyName, b)
					})
					if err != nil {
						return nil, nil, txOutput{}, err
					}
				} else {
					pub, err := client.ParsePublicKey(pubStr)
					if err != nil {
						return nil, nil, txOutput{}, fmt.Errorf("--pubkey: %w", err)
					}
					pop, err := client.ProofOfPossession(popStr)
					if err != nil {
						return nil, nil, txOutput{}, fmt.Errorf("--pop: %w", err)
					}
					if msg, err = client.RegisterDIDWithProof(env.chainID, pub, pop); err != nil {
						return nil, nil, txOutput{}, err
					}
					did = didmod.DeriveDID(pub)
				}
				return []*txv1.Msg{msg}, []string{"register_did " + did}, txOutput{DID: did}, nil
			})
		},
	}
	cmd.Flags().String("key", "", "keyring key to register (signs the proof of possession)")
	cmd.Flags().String("pubkey", "", "Ed25519 public key to register, base64 (needs --pop)")
	cmd.Flags().String("pop", "", "proof of possession for --pubkey, base64")
	return cmd
}

func txAnchorCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "anchor [CID]",
		Short: "Anchor a CID on chain with a kind and links",
		Long: `Anchor a content identifier: the chain records the CID with a kind label, links
to other CIDs, the signer's DID and the height. The content itself stays off
chain. CIDs must be CIDv1 (a CIDv0 "Qm..." is refused with its CIDv1 form).

Instead of a CID, --file PATH anchors the raw-codec sha2-256 CIDv1 of the file's
bytes: the CID "ipfs add --cid-version 1 --raw-leaves" gives a file that fits in
one block.`,
		Example: `  icnd tx dag anchor bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e --kind document --from alice
  icnd tx dag anchor --file report.pdf --kind report --link bafkrei... --from alice`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file, _ := cmd.Flags().GetString("file")
			var c cid.Cid
			var err error
			switch {
			case len(args) == 1 && file != "":
				return errors.New("give either a CID or --file, not both")
			case len(args) == 1:
				if c, err = client.ParseCID(args[0]); err != nil {
					return err
				}
			case file != "":
				if c, err = client.FileCID(file); err != nil {
					return err
				}
			default:
				return errors.New("give the CID to anchor, or --file PATH to anchor a file's CID")
			}
			kind, _ := cmd.Flags().GetString("kind")
			if kind == "" {
				return errors.New("--kind is required, e.g. --kind document")
			}
			linkStrs, _ := cmd.Flags().GetStringArray("link")
			links := make([]cid.Cid, 0, len(linkStrs))
			for _, s := range linkStrs {
				l, err := client.ParseCID(s)
				if err != nil {
					return fmt.Errorf("--link: %w", err)
				}
				links = append(links, l)
			}
			msg, err := client.Anchor(c, kind, links)
			if err != nil {
				return err
			}
			return runTx(cmd, func(txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				d := fmt.Sprintf("anchor %s kind=%s links=%d", c, kind, len(links))
				return []*txv1.Msg{msg}, []string{d}, txOutput{CID: c.String()}, nil
			})
		},
	}
	cmd.Flags().String("kind", "", "kind label: 1 to 32 characters of a-z, 0-9, '_' and '-' (required)")
	cmd.Flags().StringArray("link", nil, "CID the entry links to (repeatable)")
	cmd.Flags().String("file", "", "anchor the raw sha2-256 CIDv1 of this file instead of a given CID")
	return cmd
}
