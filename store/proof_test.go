package store

import (
	"bytes"
	"errors"
	"testing"

	ics23 "github.com/cosmos/ics23/go"
)

// provingStore commits two versions and returns their ids:
//
//	version 1: b=vb d=vd f=vf
//	version 2: b=vb d=vd2 f=vf h=vh
func provingStore(t *testing.T) (s *CommitStore, id1, id2 CommitID) {
	s = newMemStore(t, Options{})
	setAll(s.Working(), "b", "vb", "d", "vd", "f", "vf")
	id1 = commit(t, s)
	setAll(s.Working(), "d", "vd2", "h", "vh")
	id2 = commit(t, s)
	return s, id1, id2
}

func TestProveMembership(t *testing.T) {
	s, id1, id2 := provingStore(t)
	tests := []struct {
		key     string
		version int64
		root    []byte
		want    string
	}{
		{"b", 1, id1.Hash, "vb"},
		{"d", 1, id1.Hash, "vd"},
		{"f", 1, id1.Hash, "vf"},
		{"d", 2, id2.Hash, "vd2"},
		{"h", 2, id2.Hash, "vh"},
	}
	for _, tt := range tests {
		value, proof, err := s.Prove([]byte(tt.key), tt.version)
		if err != nil {
			t.Fatalf("Prove(%s, %d): %v", tt.key, tt.version, err)
		}
		if string(value) != tt.want {
			t.Errorf("Prove(%s, %d) value = %q, want %q", tt.key, tt.version, value, tt.want)
		}
		if proof.GetExist() == nil {
			t.Errorf("Prove(%s, %d) gave no existence proof", tt.key, tt.version)
		}
		if err := VerifyMembership(tt.root, proof, []byte(tt.key), value); err != nil {
			t.Errorf("VerifyMembership(%s at %d): %v", tt.key, tt.version, err)
		}
	}
}

func TestProveAbsence(t *testing.T) {
	s, id1, id2 := provingStore(t)
	tests := []struct {
		name    string
		key     string
		version int64
		root    []byte
	}{
		{"before the first key", "a", 1, id1.Hash},
		{"between keys", "c", 1, id1.Hash},
		{"between adjacent keys", "b\x00", 1, id1.Hash},
		{"after the last key", "g", 1, id1.Hash},
		{"added only later", "h", 1, id1.Hash},
		{"far after the last key", "zzz", 2, id2.Hash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			value, proof, err := s.Prove([]byte(tt.key), tt.version)
			if err != nil {
				t.Fatalf("Prove: %v", err)
			}
			if value != nil {
				t.Errorf("value = %q, want nil", value)
			}
			if proof.GetNonexist() == nil {
				t.Fatal("no non-existence proof")
			}
			if err := VerifyAbsence(tt.root, proof, []byte(tt.key)); err != nil {
				t.Errorf("VerifyAbsence: %v", err)
			}
			if err := VerifyMembership(tt.root, proof, []byte(tt.key), []byte("x")); !errors.Is(err, ErrInvalidProof) {
				t.Errorf("VerifyMembership of an absence proof: error %v, want ErrInvalidProof", err)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	s, id1, id2 := provingStore(t)
	_, member, err := s.Prove([]byte("d"), 1)
	if err != nil {
		t.Fatal(err)
	}
	_, absent, err := s.Prove([]byte("c"), 1)
	if err != nil {
		t.Fatal(err)
	}

	tamperedLeaf := cloneProof(t, member)
	tamperedLeaf.GetExist().Leaf.Prefix[len(tamperedLeaf.GetExist().Leaf.Prefix)-1] ^= 0x01
	tamperedPath := cloneProof(t, member)
	tamperedPath.GetExist().Path[0].Prefix[len(tamperedPath.GetExist().Path[0].Prefix)-1] ^= 0x01
	nilStep := cloneProof(t, member)
	nilStep.GetExist().Path[0] = nil
	tamperedAbsent := cloneProof(t, absent)
	tamperedAbsent.GetNonexist().Left.Value = []byte("forged")
	shiftedAbsent := cloneProof(t, absent) // claims "c" sits between d and f
	shiftedAbsent.GetNonexist().Left, shiftedAbsent.GetNonexist().Right = member.GetExist(), nil

	membership := []struct {
		name  string
		root  []byte
		proof *ics23.CommitmentProof
		key   string
		value string
	}{
		{"wrong value", id1.Hash, member, "d", "vd2"},
		{"empty value", id1.Hash, member, "d", ""},
		{"wrong key", id1.Hash, member, "b", "vd"},
		{"wrong root", id2.Hash, member, "d", "vd"},
		{"empty root", nil, member, "d", "vd"},
		{"tampered leaf", id1.Hash, tamperedLeaf, "d", "vd"},
		{"tampered path", id1.Hash, tamperedPath, "d", "vd"},
		{"nil path step", id1.Hash, nilStep, "d", "vd"},
		{"absence proof", id1.Hash, absent, "c", "x"},
		{"nil proof", id1.Hash, nil, "d", "vd"},
	}
	for _, tt := range membership {
		if err := VerifyMembership(tt.root, tt.proof, []byte(tt.key), []byte(tt.value)); !errors.Is(err, ErrInvalidProof) {
			t.Errorf("VerifyMembership %s: error %v, want ErrInvalidProof", tt.name, err)
		}
	}

	absence := []struct {
		name  string
		root  []byte
		proof *ics23.CommitmentProof
		key   string
	}{
		{"wrong root", id2.Hash, absent, "c"},
		{"key outside the neighbours", id1.Hash, absent, "e"},
		{"present key", id1.Hash, absent, "d"},
		{"tampered neighbour", id1.Hash, tamperedAbsent, "c"},
		{"neighbours that do not bracket the key", id1.Hash, shiftedAbsent, "c"},
		{"membership proof", id1.Hash, member, "d"},
		{"nil proof", id1.Hash, nil, "c"},
	}
	for _, tt := range absence {
		if err := VerifyAbsence(tt.root, tt.proof, []byte(tt.key)); !errors.Is(err, ErrInvalidProof) {
			t.Errorf("VerifyAbsence %s: error %v, want ErrInvalidProof", tt.name, err)
		}
	}

	// The untouched proofs still verify: the tampering above worked on copies.
	if err := VerifyMembership(id1.Hash, member, []byte("d"), []byte("vd")); err != nil {
		t.Errorf("original membership proof: %v", err)
	}
	if err := VerifyAbsence(id1.Hash, absent, []byte("c")); err != nil {
		t.Errorf("original absence proof: %v", err)
	}
}

// cloneProof deep-copies a proof through its protobuf encoding.
func cloneProof(t *testing.T, p *ics23.CommitmentProof) *ics23.CommitmentProof {
	t.Helper()
	bz, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	out := new(ics23.CommitmentProof)
	if err := out.Unmarshal(bz); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestProveErrors(t *testing.T) {
	s := newMemStore(t, Options{PruneKeepRecent: 1})
	commit(t, s) // version 1: empty tree
	if _, _, err := s.Prove([]byte("a"), 1); !errors.Is(err, ErrEmptyTree) {
		t.Errorf("Prove on an empty version: error %v, want ErrEmptyTree", err)
	}
	setAll(s.Working(), "a", "1")
	commit(t, s) // version 2 prunes version 1
	if _, _, err := s.Prove([]byte("a"), 1); !errors.Is(err, ErrVersionUnavailable) {
		t.Errorf("Prove at a pruned version: error %v, want ErrVersionUnavailable", err)
	}
	if _, _, err := s.Prove([]byte("a"), 3); !errors.Is(err, ErrVersionUnavailable) {
		t.Errorf("Prove at a future version: error %v, want ErrVersionUnavailable", err)
	}
	if _, _, err := s.Prove(nil, 2); err == nil {
		t.Error("Prove of an empty key succeeded")
	}
	value, proof, err := s.Prove([]byte("a"), 2)
	if err != nil || !bytes.Equal(value, []byte("1")) {
		t.Fatalf("Prove(a, 2) = %q, %v", value, err)
	}
	if err := VerifyMembership(s.LastCommitID().Hash, proof, []byte("a"), value); err != nil {
		t.Errorf("single-key tree: %v", err)
	}
}
