package app

import (
	"math/rand"
	"reflect"
	"testing"

	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// TestPresizeTxChangesNothing: for encodings of transactions with and
// without each field, and for random corruptions of them (bytes changed,
// cut, repeated, fields duplicated), Unmarshal after presizeTx gives
// exactly what Unmarshal alone gives: the same error or none, and a
// deeply equal value (nil and empty fields told apart). Each field presized
// keeps within its own room.
func TestPresizeTxChangesNothing(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	field := func(n int) []byte {
		if n < 0 {
			return nil
		}
		b := make([]byte, n)
		rng.Read(b)
		return b
	}
	var inputs [][]byte
	for i := 0; i < 300; i++ {
		tx := txv1.Tx{BodyBytes: field(rng.Intn(300) - 20), AuthInfoBytes: field(rng.Intn(150) - 20), Signature: field(64 - 70*rng.Intn(2)), SponsorSignature: field(rng.Intn(130) - 64)}
		bz, err := tx.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, bz)
	}
	n := len(inputs)
	for i := 0; i < 20000; i++ {
		b := append([]byte(nil), inputs[rng.Intn(n)]...)
		switch rng.Intn(5) {
		case 0:
			if len(b) > 0 {
				b[rng.Intn(len(b))] = byte(rng.Intn(256))
			}
		case 1:
			b = b[:rng.Intn(len(b)+1)]
		case 2:
			b = append(b, inputs[rng.Intn(n)]...) // every field twice
		case 3:
			if len(b) > 0 {
				b[0] = byte(rng.Intn(256)) // another tag
			}
		case 4:
			b = append(b, byte(rng.Intn(256)), byte(rng.Intn(256)), byte(rng.Intn(256)))
		}
		inputs = append(inputs, b)
	}
	decoded, presizedOK := 0, 0
	for _, raw := range inputs {
		var plain, sized txv1.Tx
		errPlain := plain.Unmarshal(raw)
		presizeTx(&sized, raw)
		presized := sized.BodyBytes != nil || sized.AuthInfoBytes != nil || sized.Signature != nil || sized.SponsorSignature != nil
		errSized := sized.Unmarshal(raw)
		if (errPlain == nil) != (errSized == nil) || (errPlain != nil && errPlain.Error() != errSized.Error()) {
			t.Fatalf("%x: error %v, with presizeTx %v", raw, errPlain, errSized)
		}
		if errPlain != nil {
			continue
		}
		decoded++
		if !reflect.DeepEqual(plain, sized) {
			t.Fatalf("%x: decoded\n%#v\nwith presizeTx\n%#v", raw, plain, sized)
		}
		if !presized {
			continue
		}
		presizedOK++
		for _, f := range [][]byte{sized.BodyBytes, sized.AuthInfoBytes, sized.Signature, sized.SponsorSignature} {
			if cap(f) > len(f) && len(f) > 0 {
				t.Fatalf("%x: a field has room beyond its length (%d > %d)", raw, cap(f), len(f))
			}
		}
	}
	if decoded < 5000 || presizedOK < 1000 {
		t.Fatalf("only %d of %d inputs decode, %d of them presized: the corruptions cover too little", decoded, len(inputs), presizedOK)
	}
}
