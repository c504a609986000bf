package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/keyring"
)

const (
	flagHome           = "home"
	flagNode           = "node"
	flagChainID        = "chain-id"
	flagKeyringBackend = "keyring-backend"
	flagFrom           = "from"
	flagYes            = "yes"
	flagOutput         = "output"
	flagMemo           = "memo"
	flagTimeoutHeight  = "timeout-height"
	flagSequence       = "sequence"
	flagKeyID          = "key-id"
	flagBroadcastMode  = "broadcast-mode"
	flagHeight         = "height"
	flagProve          = "prove"
	flagWitnesses      = "witnesses"
	flagTrustHeight    = "trust-height"
	flagTrustHash      = "trust-hash"

	defaultNode = "tcp://127.0.0.1:26657"
)

func homeDir(cmd *cobra.Command) string {
	h, _ := cmd.Flags().GetString(flagHome)
	return h
}

func addOutputFlag(cmd *cobra.Command) {
	cmd.Flags().String(flagOutput, "text", "output format: text or json")
}

// jsonOutput reports whether --output is json, refusing unknown formats.
func jsonOutput(cmd *cobra.Command) (bool, error) {
	o, _ := cmd.Flags().GetString(flagOutput)
	switch o {
	case "text", "":
		return false, nil
	case "json":
		return true, nil
	default:
		return false, fmt.Errorf("--output must be text or json, got %q", o)
	}
}

func printJSON(w io.Writer, v any) error {
	bz, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(bz))
	return err
}

// printFields prints label/value pairs with the values aligned.
func printFields(w io.Writer, fields ...[2]string) {
	width := 0
	for _, f := range fields {
		width = max(width, len(f[0]))
	}
	for _, f := range fields {
		fmt.Fprintf(w, "%-*s %s\n", width+1, f[0]+":", f[1])
	}
}

func addNodeFlags(cmd *cobra.Command) {
	cmd.Flags().String(flagNode, defaultNode, "CometBFT RPC address of the node to talk to")
	cmd.Flags().String(flagChainID, "", "chain id (default: ask the node)")
}

func dial(cmd *cobra.Command) (*client.Client, error) {
	node, _ := cmd.Flags().GetString(flagNode)
	return client.Dial(node)
}

func addKeyringFlag(flags *pflag.FlagSet, def string) {
	flags.String(flagKeyringBackend, def, "keyring backend: file (encrypted), test (unencrypted, for development) or memory")
}

// passphrase is the one passphrase reader of the process: in the
// non-terminal case it buffers stdin, so there must be only one.
var passphrase = keyring.TerminalPassphrase(os.Stdin, os.Stderr)

func openKeyring(cmd *cobra.Command) (*keyring.Keyring, error) {
	backend, _ := cmd.Flags().GetString(flagKeyringBackend)
	return keyring.New(homeDir(cmd), backend, passphrase)
}

func stdinIsTerminal() bool {
	return term.IsTerminal(int(os.Stdin.Fd()))
}

// confirm asks question on the terminal. With --yes, or when stdin is not
// a terminal (a script), the answer is yes.
func confirm(cmd *cobra.Command, question string) (bool, error) {
	if yes, _ := cmd.Flags().GetBool(flagYes); yes || !stdinIsTerminal() {
		return true, nil
	}
	fmt.Fprintf(os.Stderr, "%s [y/N]: ", question)
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return false, fmt.Errorf("read confirmation: %w", err)
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}

func addQueryFlags(cmd *cobra.Command) {
	addNodeFlags(cmd)
	addOutputFlag(cmd)
	cmd.Flags().Int64(flagHeight, 0, "query the state committed at this height (default: latest)")
	cmd.Flags().Bool(flagProve, false, "verify the answer: an ICS23 proof against the app hash of a header checked by the light client")
	cmd.Flags().StringSlice(flagWitnesses, nil, "with --prove: RPC addresses of other nodes that cross-check the headers (comma-separated)")
	cmd.Flags().Int64(flagTrustHeight, 0, "with --prove: height of a header you trust (default: the one trusted before, else the needed header on first use)")
	cmd.Flags().String(flagTrustHash, "", "with --prove: hex hash of the header at --trust-height")
	// The signing flags of tx commands, accepted and ignored, so that one
	// set of client flags (--home, --keyring-backend, --node) serves both
	// kinds of command, as in Cosmos CLIs. Hidden: they do nothing here.
	for _, name := range ignoredQueryFlags {
		cmd.Flags().String(name, "", "ignored: a query signs nothing")
		_ = cmd.Flags().MarkHidden(name)
	}
}

// ignoredQueryFlags are the tx flags a query accepts and ignores.
var ignoredQueryFlags = []string{flagKeyringBackend, flagFrom}

// querierAt returns the querier the flags ask for, plain or, with --prove,
// proving, and the --height to read at.
func querierAt(cmd *cobra.Command) (*client.Querier, int64, error) {
	c, err := dial(cmd)
	if err != nil {
		return nil, 0, err
	}
	height, _ := cmd.Flags().GetInt64(flagHeight)
	if prove, _ := cmd.Flags().GetBool(flagProve); !prove {
		return client.NewQuerier(c, nil), height, nil
	}
	chainFlag, _ := cmd.Flags().GetString(flagChainID)
	chainID, err := c.ResolveChainID(cmd.Context(), chainFlag)
	if err != nil {
		return nil, 0, err
	}
	cfg := client.ProverConfig{ChainID: chainID, Primary: c.Remote, TrustDir: filepath.Join(homeDir(cmd), "light")}
	cfg.Witnesses, _ = cmd.Flags().GetStringSlice(flagWitnesses)
	cfg.TrustHeight, _ = cmd.Flags().GetInt64(flagTrustHeight)
	hash, _ := cmd.Flags().GetString(flagTrustHash)
	if (cfg.TrustHeight == 0) != (hash == "") {
		return nil, 0, fmt.Errorf("--%s and --%s go together", flagTrustHeight, flagTrustHash)
	}
	if hash != "" {
		if cfg.TrustHash, err = hex.DecodeString(hash); err != nil {
			return nil, 0, fmt.Errorf("--%s is not hex: %w", flagTrustHash, err)
		}
	}
	p, err := client.NewProver(cfg)
	if err != nil {
		return nil, 0, err
	}
	return client.NewQuerier(c, p), height, nil
}
