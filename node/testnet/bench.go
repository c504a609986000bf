package testnet

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/node/home"
)

// BenchAccountKey returns the private key of benchmark account i. The keys
// are derived from a public string: anyone can sign for these accounts, so
// they belong only in throwaway benchmark networks (testnet
// --bench-accounts), never in a real genesis.
func BenchAccountKey(i int) ed25519.PrivateKey {
	seed := sha256.Sum256(fmt.Appendf(nil, "icn-bench-account/%d", i))
	return ed25519.NewKeyFromSeed(seed[:])
}

// addBenchAccounts funds n benchmark accounts in state.
func addBenchAccounts(state *app.GenesisState, n int) error {
	for i := 0; i < n; i++ {
		_, err := home.AddAccount(state, home.GenesisAccount{
			PublicKey: BenchAccountKey(i).Public().(ed25519.PublicKey),
			Balance:   AccountBalance,
			Capacity:  AccountCapacity,
			Rate:      AccountRate,
		})
		if err != nil {
			return fmt.Errorf("bench account %d: %w", i, err)
		}
	}
	return nil
}
