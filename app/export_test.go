package app

import (
	"github.com/intercooperative/icnd/modules/credential"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/modules/profile"
)

// The keepers, for the package's external tests only: they read state
// through the modules' own code to check what transactions did. Nothing
// outside the app reaches a keeper; clients query the store.

func (a *App) DID() *did.Keeper               { return a.did }
func (a *App) Org() *org.Keeper               { return a.org }
func (a *App) Credential() *credential.Keeper { return a.credential }
func (a *App) Profile() *profile.Keeper       { return a.profile }
func (a *App) Mana() *mana.Keeper             { return a.mana }
func (a *App) DAG() *dag.Keeper               { return a.dag }
