package app

import (
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/mana"
)

// neutralReputation gives every DID the neutral reputation
// (mana.Reputation) until the mesh module keeps reputation.
type neutralReputation struct{}

// Reputation implements mana.Reputation.
func (neutralReputation) Reputation(modules.Context, string) (uint64, error) {
	return mana.NeutralReputation, nil
}
