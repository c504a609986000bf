package main

import (
	"crypto/sha256"
	"fmt"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Denom is the only coin of the peer chain.
const Denom = "stake"

// AccountBalance is each benchmark account's genesis balance.
const AccountBalance = 10_000_000_000

// benchKey returns the private key of benchmark account i, derived from a
// public string: anyone can sign for these accounts, so they belong only
// in throwaway benchmark networks.
func benchKey(i int) *secp256k1.PrivKey {
	seed := sha256.Sum256(fmt.Appendf(nil, "sdkpeer-bench-account/%d", i))
	return &secp256k1.PrivKey{Key: seed[:]}
}

func benchAddress(i int) sdk.AccAddress {
	return sdk.AccAddress(benchKey(i).PubKey().Address())
}
