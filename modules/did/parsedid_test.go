package did

import (
	"encoding/base32"
	"math/rand"
	"testing"
)

// parseDIDBefore is ParseDID as it was before it decoded into arrays.
func parseDIDBefore(s string) bool {
	if len(s) != DIDLength || s[:len(MethodPrefix)] != MethodPrefix {
		return false
	}
	id := s[len(MethodPrefix):]
	raw, err := idEncoding.DecodeString(id)
	return err == nil && len(raw) == idBytes && idEncoding.EncodeToString(raw) == id
}

// TestParseDIDSameAsBefore: ParseDID accepts exactly what the version that
// allocated accepted, over canonical DIDs and random corruptions of them
// (other letters, upper case, padding, line breaks, digits outside the
// alphabet, non-zero trailing bits), and allocates nothing.
func TestParseDIDSameAsBefore(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := "abcdefghijklmnopqrstuvwxyz234567ABZ0189=\r\n:-_ "
	accepted := 0
	for i := 0; i < 20000; i++ {
		var digest [32]byte
		rng.Read(digest[:])
		b := []byte(FromDigest(digest[:]))
		for j := rng.Intn(3); j > 0; j-- {
			b[len(MethodPrefix)+rng.Intn(IDLength)] = alphabet[rng.Intn(len(alphabet))]
		}
		s := string(b)
		if got, want := ParseDID(s) == nil, parseDIDBefore(s); got != want {
			t.Fatalf("ParseDID(%q) accepts: %v, before: %v", s, got, want)
		}
		if parseDIDBefore(s) {
			accepted++
		}
	}
	if accepted < 1000 {
		t.Fatalf("only %d accepted: the corruptions cover too little", accepted)
	}
	// Raw base32 with padding, StdEncoding upper case.
	std := base32.StdEncoding.EncodeToString(make([]byte, idBytes))
	for _, s := range []string{MethodPrefix + std[:IDLength], MethodPrefix + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"} {
		if got, want := ParseDID(s) == nil, parseDIDBefore(s); got != want {
			t.Fatalf("ParseDID(%q) accepts: %v, before: %v", s, got, want)
		}
	}
	good := FromDigest(make([]byte, 32))
	if n := testing.AllocsPerRun(100, func() { _ = ParseDID(good) }); n != 0 {
		t.Errorf("ParseDID allocates %v times, want 0", n)
	}
}
