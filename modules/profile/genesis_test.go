package profile

import (
	"bytes"
	"errors"
	"testing"

	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// TestProfileGenesis checks that genesis refuses a profile of an
// unregistered DID, two profiles of one DID and a profile the message
// checks refuse, and that export returns what init stored.
func TestProfileGenesis(t *testing.T) {
	alice, bob := testDID(1), testDID(2)
	registered := map[string]bool{alice: true, bob: true}
	salt := make([]byte, ProfileSaltLength)
	ok := &identityv1.Profile{Did: alice, Salt: salt, EmailHash: make([]byte, EmailHashLength), UpdatedHeight: 1}
	bad := map[string][]*identityv1.Profile{
		"unregistered DID":  {{Did: testDID(9), Salt: salt, EmailHash: ok.EmailHash}},
		"listed twice":      {ok, ok},
		"no salt":           {{Did: bob, EmailHash: ok.EmailHash}},
		"negative height":   {{Did: bob, Salt: salt, EmailHash: ok.EmailHash, UpdatedHeight: -1}},
		"null profile":      {nil},
		"no field or email": {{Did: bob, Salt: salt}},
	}
	for name, ps := range bad {
		t.Run(name, func(t *testing.T) {
			if err := (Genesis{Profiles: ps}).Validate(registered); !errors.Is(err, ErrInvalidGenesis) {
				t.Fatalf("got %v, want ErrInvalidGenesis", err)
			}
		})
	}
	k, ctx := newTestKeeper(t)
	if err := k.InitGenesis(ctx(1, ""), Genesis{Profiles: []*identityv1.Profile{ok}}); err != nil {
		t.Fatal(err)
	}
	out, err := k.ExportGenesis(ctx(1, ""))
	if err != nil || len(out.Profiles) != 1 || out.Profiles[0].Did != alice || !bytes.Equal(out.Profiles[0].EmailHash, ok.EmailHash) {
		t.Fatalf("export: %v, %v", out, err)
	}
}
