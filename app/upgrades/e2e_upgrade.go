//go:build icnd_e2e_upgrade

package upgrades

import (
	"github.com/intercooperative/icnd/modules"
)

// E2EUpgradeName is the upgrade the end-to-end test schedules; only a
// binary built with the icnd_e2e_upgrade tag carries its handler.
const E2EUpgradeName = "e2e-upgrade"

func init() {
	Register(E2EUpgradeName, func(ctx modules.Context) error {
		// The migration writes one key in the app's own prefix, so that a
		// test can see it ran at the plan's height on every node.
		ctx.Store.Set([]byte{modules.PrefixApp, 0x02, 'e', '2', 'e'}, []byte{1})
		return nil
	})
}
