package app

import (
	"bytes"
	"crypto/sha256"
	"reflect"
	"testing"
	"unicode/utf8"

	idb "github.com/cosmos/iavl/db"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/store"
)

// decodeTxPlain is decodeTx as it was before the allocation work (b44f4fa):
// fresh values, Unmarshal alone, Marshal for the canonical check. It is the
// reference FuzzDecodeTxSameAsPlain holds decodeTx to.
func (t *msgTable) decodeTxPlain(raw []byte) (*DecodedTx, error) {
	if len(raw) > MaxTxBytes {
		return nil, ErrTxTooLarge.Wrapf("%d bytes, max %d", len(raw), MaxTxBytes)
	}
	var tx txv1.Tx
	if err := unmarshalCanonicalPlain(raw, &tx, "tx"); err != nil {
		return nil, err
	}
	body := new(txv1.TxBody)
	if err := unmarshalCanonicalPlain(tx.BodyBytes, body, "body"); err != nil {
		return nil, err
	}
	auth := new(txv1.AuthInfo)
	if err := unmarshalCanonicalPlain(tx.AuthInfoBytes, auth, "auth info"); err != nil {
		return nil, err
	}
	if len(tx.Signature) != ed25519.SignatureSize {
		return nil, ErrBadSignature.Wrapf("signature has %d bytes, want %d", len(tx.Signature), ed25519.SignatureSize)
	}
	if len(body.ChainId) == 0 || len(body.ChainId) > MaxChainIDLength {
		return nil, ErrWrongChainID.Wrapf("chain id must have 1 to %d bytes, has %d", MaxChainIDLength, len(body.ChainId))
	}
	if len(body.Memo) > MaxMemoBytes || !utf8.ValidString(body.Memo) {
		return nil, ErrMemoTooLong.Wrapf("memo must be UTF-8 of at most %d bytes, has %d bytes", MaxMemoBytes, len(body.Memo))
	}
	if err := did.ParseDID(auth.Signer); err != nil {
		return nil, ErrInvalidSigner.Wrapf("%v", err)
	}
	if err := did.ValidateKeyID(auth.KeyId); err != nil {
		return nil, ErrInvalidSigner.Wrapf("%v", err)
	}
	if err := validateSponsor(auth, tx.SponsorSignature); err != nil {
		return nil, err
	}
	if len(body.Messages) == 0 {
		return nil, ErrNoMessages
	}
	if len(body.Messages) > MaxMessages {
		return nil, ErrTooManyMessages.Wrapf("%d messages, max %d", len(body.Messages), MaxMessages)
	}
	names := make([]string, len(body.Messages))
	rows := make([]*modules.Msg, len(body.Messages))
	for i, m := range body.Messages {
		r, err := t.row(m)
		if err != nil {
			return nil, wrapMsgErr(i, err)
		}
		if err := r.Validate(m); err != nil {
			return nil, wrapMsgErr(i, err)
		}
		names[i], rows[i] = r.Name, r
	}
	return &DecodedTx{
		Raw:              raw,
		Hash:             sha256.Sum256(raw),
		Body:             body,
		Auth:             auth,
		Signature:        tx.Signature,
		SponsorSignature: tx.SponsorSignature,
		MsgNames:         names,
		rows:             rows,
		bodyBytes:        tx.BodyBytes,
		authBytes:        tx.AuthInfoBytes,
	}, nil
}

func unmarshalCanonicalPlain(bz []byte, m interface {
	Unmarshal([]byte) error
	Marshal() ([]byte, error)
}, what string) error {
	if err := m.Unmarshal(bz); err != nil {
		return ErrTxDecode.Wrapf("%s: %v", what, err)
	}
	again, err := m.Marshal()
	if err != nil {
		return ErrTxDecode.Wrapf("%s: re-encode: %v", what, err)
	}
	if !bytes.Equal(again, bz) {
		return ErrNonCanonical.Wrapf("%s", what)
	}
	return nil
}

func sameError(a, b error) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	return a == nil || a.Error() == b.Error()
}

// FuzzDecodeTxSameAsPlain: on any bytes, decodeTx (presized envelope
// fields, the decoded transaction in one allocation, the canonical check in
// a pooled buffer) gives what the plain decoding gives: the same error, or
// a deeply equal transaction (nil and empty told apart). So does presizeTx
// followed by Unmarshal against Unmarshal alone, on the envelope. The
// decoded transaction owns its bytes: a later decoding (which reuses the
// pooled buffer) leaves it as it was, and appending to any of its slices
// changes none of the others. Seed corpus:
// testdata/fuzz/FuzzDecodeTxSameAsPlain (valid transactions of every
// shape, and envelopes with repeated, empty, overlong or unknown fields).
func FuzzDecodeTxSameAsPlain(f *testing.F) {
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	a, err := New(cms, Options{})
	if err != nil {
		f.Fatal(err)
	}
	scribble := bytes.Repeat([]byte{0x0a, 0x7f}, 4096)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var plainTx, sizedTx txv1.Tx
		errPlain := plainTx.Unmarshal(raw)
		presizeTx(&sizedTx, raw)
		errSized := sizedTx.Unmarshal(raw)
		if !sameError(errPlain, errSized) {
			t.Fatalf("Tx.Unmarshal: %v, after presizeTx: %v", errPlain, errSized)
		}
		if errPlain == nil && !reflect.DeepEqual(plainTx, sizedTx) {
			t.Fatalf("Tx.Unmarshal:\n%#v\nafter presizeTx:\n%#v", plainTx, sizedTx)
		}

		want, errWant := a.msgs.decodeTxPlain(raw)
		got, errGot := a.msgs.decodeTx(raw, nil)
		if !sameError(errWant, errGot) {
			t.Fatalf("decodeTx: %v, plain: %v", errGot, errWant)
		}
		if errGot != nil {
			return
		}
		if !reflect.DeepEqual(*got, *want) {
			t.Fatalf("decodeTx:\n%#v\nplain:\n%#v", *got, *want)
		}
		// Another decoding reuses the pooled buffer.
		_, _ = a.msgs.decodeTx(scribble, nil)
		// Appends to each slice of the decoded transaction.
		for _, b := range [][]byte{got.Signature, got.SponsorSignature, got.bodyBytes, got.authBytes} {
			_ = append(b, 0xEE, 0xEE, 0xEE, 0xEE)
		}
		_ = append(got.MsgNames, "x")
		_ = append(got.rows, nil)
		_ = append(got.Body.Messages, nil)
		if !reflect.DeepEqual(*got, *want) {
			t.Fatalf("decoded transaction changed after another decoding and appends:\n%#v\nplain:\n%#v", *got, *want)
		}
	})
}
