package main

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

func signedFile(accounts, per uint32, txs ...[]byte) []byte {
	bz := binary.BigEndian.AppendUint32(nil, accounts)
	bz = binary.BigEndian.AppendUint32(bz, per)
	for _, tx := range txs {
		bz = binary.AppendUvarint(bz, uint64(len(tx)))
		bz = append(bz, tx...)
	}
	return bz
}

func TestParseSigned(t *testing.T) {
	long := bytes.Repeat([]byte{7}, 300) // a two-byte length
	got, err := parseSigned(signedFile(2, 2, []byte("a0"), []byte("a1"), long, []byte("b1")), 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := [][][]byte{{[]byte("a0"), []byte("a1")}, {long, []byte("b1")}}
	for a := range want {
		for s := range want[a] {
			if !bytes.Equal(got[a][s], want[a][s]) {
				t.Fatalf("account %d sequence %d: %q, want %q", a, s, got[a][s], want[a][s])
			}
		}
	}
}

func TestParseSignedRefuses(t *testing.T) {
	ok := signedFile(1, 2, []byte("x"), []byte("y"))
	for _, tc := range []struct {
		name, err string
		bz        []byte
	}{
		{"short header", "5 bytes, want an 8-byte header", ok[:5]},
		{"other counts", "holds 1 accounts x 2 txs, want 2 x 2", ok},
		{"truncated", "truncated at account 0 sequence 1", ok[:len(ok)-1]},
		{"empty tx", "truncated at account 0 sequence 1", signedFile(1, 2, []byte("x"), nil)},
		{"trailing", "1 bytes after the last transaction", append(append([]byte{}, ok...), 9)},
	} {
		accounts := 1
		if tc.name == "other counts" {
			accounts = 2
		}
		_, err := parseSigned(tc.bz, accounts, 2)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.err)
		}
	}
}
