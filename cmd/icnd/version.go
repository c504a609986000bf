package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"

	cmtversion "github.com/cometbft/cometbft/version"
	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/app"
)

// versionInfo is what `icnd version --long` reports.
type versionInfo struct {
	Version            string `json:"version"`
	Go                 string `json:"go,omitempty"`
	CometBFT           string `json:"cometbft,omitempty"`
	ABCI               string `json:"abci,omitempty"`
	AppProtocolVersion uint64 `json:"app_protocol_version,omitempty"`
}

func versionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the icnd version",
		Long: `Print the version icnd was built from (git describe, or "dev"). --long adds
the Go version, the CometBFT and ABCI versions and the app protocol version.`,
		Example: `  icnd version
  icnd version --long --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := jsonOutput(cmd)
			if err != nil {
				return err
			}
			info := versionInfo{Version: version}
			if long, _ := cmd.Flags().GetBool("long"); long {
				info.Go = runtime.Version()
				info.CometBFT = cometBFTVersion()
				info.ABCI = cmtversion.ABCISemVer
				info.AppProtocolVersion = app.Version
			}
			if asJSON {
				return printJSON(os.Stdout, info)
			}
			if info.Go == "" {
				_, err := os.Stdout.WriteString(info.Version + "\n")
				return err
			}
			printFields(os.Stdout,
				[2]string{"version", info.Version},
				[2]string{"go", info.Go},
				[2]string{"cometbft", info.CometBFT},
				[2]string{"abci", info.ABCI},
				[2]string{"app_protocol_version", strconv.FormatUint(info.AppProtocolVersion, 10)},
			)
			return nil
		},
	}
	cmd.Flags().Bool("long", false, "also print dependency and protocol versions")
	addOutputFlag(cmd)
	return cmd
}

// cometBFTVersion is the CometBFT module version linked in; the constant in
// its version package lags behind its releases.
func cometBFTVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == "github.com/cometbft/cometbft" {
				if dep.Replace != nil {
					return dep.Replace.Version
				}
				return dep.Version
			}
		}
	}
	return cmtversion.TMCoreSemVer
}
