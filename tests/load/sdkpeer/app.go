package main

import (
	"encoding/json"
	"fmt"

	"cosmossdk.io/log/v2"
	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/cosmos-sdk/store/v2"
	pruningtypes "github.com/cosmos/cosmos-sdk/store/v2/pruning/types"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectestutil "github.com/cosmos/cosmos-sdk/codec/testutil"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/std"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/x/auth"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/bank"
	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/consensus"
	consensuskeeper "github.com/cosmos/cosmos-sdk/x/consensus/keeper"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
)

// Bech32Prefix is the account address prefix of the peer chain.
const Bech32Prefix = "cosmos"

// encoding is the codec and transaction config shared by the node and the
// signer.
type encoding struct {
	cdc      codec.Codec
	txConfig client.TxConfig
}

func newEncoding() encoding {
	sdkCfg := sdk.GetConfig()
	sdkCfg.SetBech32PrefixForAccount(Bech32Prefix, Bech32Prefix+"pub")
	ir := codectestutil.CodecOptions{AccAddressPrefix: Bech32Prefix, ValAddressPrefix: Bech32Prefix + "valoper"}.NewInterfaceRegistry()
	std.RegisterInterfaces(ir)
	authtypes.RegisterInterfaces(ir)
	banktypes.RegisterInterfaces(ir)
	consensustypes.RegisterInterfaces(ir)
	cdc := codec.NewProtoCodec(ir)
	return encoding{cdc: cdc, txConfig: authtx.NewTxConfig(cdc, authtx.DefaultSignModes)}
}

// peerApp is a Cosmos SDK application with x/auth, x/bank and x/consensus
// (where baseapp keeps the consensus parameters) and nothing else. There
// is no x/staking: the validator set is the genesis file's, returned as is
// from InitChain.
type peerApp struct {
	*baseapp.BaseApp
	mm   *module.Manager
	bank bankkeeper.BaseKeeper
}

func newPeerApp(logger log.Logger, db dbm.DB, chainID string, enc encoding) (*peerApp, error) {
	keys := storetypes.NewKVStoreKeys(authtypes.StoreKey, banktypes.StoreKey, consensustypes.StoreKey)
	// The options `simd start` takes from a default app.toml: default
	// pruning, the inter-block cache, IAVL's node cache size and no
	// app-side mempool (CometBFT's flood mempool orders the proposals).
	bapp := baseapp.NewBaseApp("sdkpeer", logger, db, enc.txConfig.TxDecoder(),
		baseapp.SetChainID(chainID),
		baseapp.SetPruning(pruningtypes.NewPruningOptionsFromString(pruningtypes.PruningOptionDefault)),
		baseapp.SetInterBlockCache(store.NewCommitKVStoreCacheManager()),
		baseapp.SetIAVLCacheSize(781250),
	)
	bapp.SetInterfaceRegistry(enc.cdc.InterfaceRegistry())
	bapp.SetTxEncoder(enc.txConfig.TxEncoder())

	authority := authtypes.NewModuleAddress("gov").String()
	ac := enc.txConfig.SigningContext().AddressCodec()
	accountKeeper := authkeeper.NewAccountKeeper(enc.cdc, runtime.NewKVStoreService(keys[authtypes.StoreKey]),
		authtypes.ProtoBaseAccount, map[string][]string{authtypes.FeeCollectorName: nil}, ac, Bech32Prefix, authority)
	// Module accounts cannot receive sends, as in every SDK chain.
	blocked := map[string]bool{authtypes.NewModuleAddress(authtypes.FeeCollectorName).String(): true}
	bankKeeper := bankkeeper.NewBaseKeeper(enc.cdc, runtime.NewKVStoreService(keys[banktypes.StoreKey]),
		accountKeeper, blocked, authority, logger)
	consensusKeeper := consensuskeeper.NewKeeper(enc.cdc, runtime.NewKVStoreService(keys[consensustypes.StoreKey]),
		authority, runtime.EventService{})
	bapp.SetParamStore(consensusKeeper.ParamsStore)

	mm := module.NewManager(
		auth.NewAppModule(enc.cdc, accountKeeper, nil),
		bank.NewAppModule(enc.cdc, bankKeeper, accountKeeper),
		consensus.NewAppModule(enc.cdc, consensusKeeper),
	)
	order := []string{authtypes.ModuleName, banktypes.ModuleName, consensustypes.ModuleName}
	mm.SetOrderInitGenesis(order...)
	mm.SetOrderExportGenesis(order...)
	mm.SetOrderPreBlockers(authtypes.ModuleName)
	mm.SetOrderBeginBlockers(order...)
	mm.SetOrderEndBlockers(order...)
	if err := mm.RegisterServices(module.NewConfigurator(enc.cdc, bapp.MsgServiceRouter(), bapp.GRPCQueryRouter())); err != nil {
		return nil, err
	}

	anteHandler, err := ante.NewAnteHandler(ante.HandlerOptions{
		AccountKeeper:   accountKeeper,
		BankKeeper:      bankKeeper,
		SignModeHandler: enc.txConfig.SignModeHandler(),
		SigGasConsumer:  ante.DefaultSigVerificationGasConsumer,
	})
	if err != nil {
		return nil, err
	}
	a := &peerApp{BaseApp: bapp, mm: mm, bank: bankKeeper}
	bapp.MountKVStores(keys)
	bapp.SetAnteHandler(anteHandler)
	bapp.SetPreBlocker(func(ctx sdk.Context, _ *abci.RequestFinalizeBlock) (*sdk.ResponsePreBlock, error) {
		return mm.PreBlock(ctx)
	})
	bapp.SetBeginBlocker(mm.BeginBlock)
	bapp.SetEndBlocker(mm.EndBlock)
	bapp.SetInitChainer(func(ctx sdk.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
		var state map[string]json.RawMessage
		if err := json.Unmarshal(req.AppStateBytes, &state); err != nil {
			return nil, fmt.Errorf("app_state: %w", err)
		}
		// The module manager's InitGenesis insists that a module (staking)
		// return the validator set; there is none here, so each module's
		// genesis runs directly and the genesis validators stay the
		// validators.
		for _, name := range mm.OrderInitGenesis {
			raw := state[name]
			if raw == nil {
				continue
			}
			mod, ok := mm.Modules[name].(module.HasGenesis)
			if !ok {
				return nil, fmt.Errorf("app_state has %q, a module without genesis", name)
			}
			mod.InitGenesis(ctx, enc.cdc, raw)
		}
		return &abci.ResponseInitChain{Validators: req.Validators}, nil
	})
	if err := bapp.LoadLatestVersion(); err != nil {
		return nil, err
	}
	return a, nil
}
