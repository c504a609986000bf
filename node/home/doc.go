// Package home creates and maintains an icnd home directory: the
// CometBFT config, node and validator keys and genesis.json that `icnd
// init` writes, the genesis edits of `icnd genesis`, and the offline
// operations on a stopped node's data (`icnd export`, `icnd rollback`).
//
// A home has CometBFT's layout plus the app's config:
//
//	config/config.toml              CometBFT config (cmtcfg.WriteConfigFile)
//	config/app.toml                 app config (abci.WriteAppConfig)
//	config/genesis.json             genesis; app_state is an app.GenesisState
//	config/node_key.json            p2p identity
//	config/priv_validator_key.json  consensus key
//	data/priv_validator_state.json  double-sign protection
//	data/                           block store, state, app store (application.db)
//	keyring-<backend>/              client keys (package client/keyring)
//	light/                          trusted headers of proven queries
package home
