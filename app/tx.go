package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol"
)

// DecodedTx is a transaction that passed decoding and every stateless check.
// It is immutable once returned; the pipeline stages share it.
type DecodedTx struct {
	// Raw is the transaction as received; the caller must not modify it.
	Raw []byte
	// Hash is sha256(Raw), CometBFT's transaction hash.
	Hash [sha256.Size]byte
	Body *txv1.TxBody
	Auth *txv1.AuthInfo
	// Signature is the 64-byte Ed25519 signature.
	Signature []byte
	// SponsorSignature is the sponsor's 64-byte Ed25519 signature when
	// Auth.Sponsor is set, and empty otherwise.
	SponsorSignature []byte
	// MsgNames names each message as in the Msg oneof ("anchor", ...).
	MsgNames []string
	// rows are the message table's rows of the messages, in order.
	rows []*modules.Msg

	bodyBytes, authBytes []byte
}

// SignBytes returns the bytes the signature covers: the encoded SignDoc.
func (d *DecodedTx) SignBytes() []byte {
	return protocol.SignBytes(d.Body.ChainId, d.bodyBytes, d.authBytes)
}

// DecodeTx decodes raw and runs every check that needs no state. It never
// panics on any input; every error it returns carries a registered code.
func (a *App) DecodeTx(raw []byte) (*DecodedTx, error) {
	return a.msgs.decodeTx(raw, nil)
}

// decodedAlloc is a DecodedTx together with the values it points to, so
// that decoding allocates them at once; a transaction of one message (the
// common case) needs no further allocation for its name and row.
type decodedAlloc struct {
	DecodedTx
	tx   txv1.Tx
	body txv1.TxBody
	auth txv1.AuthInfo
	name [1]string
	row  [1]*modules.Msg
	// msg is the room of body.Messages for a transaction of one message:
	// the generated Unmarshal appends each message to the slice.
	msg [1]*txv1.Msg
}

// decodeTx is DecodeTx with the hash of raw when the caller has it.
func (t *msgTable) decodeTx(raw []byte, hash *[sha256.Size]byte) (*DecodedTx, error) {
	if len(raw) > MaxTxBytes {
		return nil, ErrTxTooLarge.Wrapf("%d bytes, max %d", len(raw), MaxTxBytes)
	}
	d := new(decodedAlloc)
	tx, body, auth := &d.tx, &d.body, &d.auth
	presizeTx(tx, raw)
	// A body without messages, which would keep this empty slice instead
	// of nil, is refused below.
	body.Messages = d.msg[:0]
	if err := unmarshalCanonical(raw, tx, "tx"); err != nil {
		return nil, err
	}
	if err := unmarshalCanonical(tx.BodyBytes, body, "body"); err != nil {
		return nil, err
	}
	if err := unmarshalCanonical(tx.AuthInfoBytes, auth, "auth info"); err != nil {
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
	names, rows := d.name[:], d.row[:]
	if len(body.Messages) > 1 {
		names = make([]string, len(body.Messages))
		rows = make([]*modules.Msg, len(body.Messages))
	}
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
	if hash == nil {
		sum := sha256.Sum256(raw)
		hash = &sum
	}
	d.DecodedTx = DecodedTx{
		Raw:              raw,
		Hash:             *hash,
		Body:             body,
		Auth:             auth,
		Signature:        tx.Signature,
		SponsorSignature: tx.SponsorSignature,
		MsgNames:         names,
		rows:             rows,
		bodyBytes:        tx.BodyBytes,
		authBytes:        tx.AuthInfoBytes,
	}
	return &d.DecodedTx, nil
}

// presizeTx gives the bytes fields of tx, before tx.Unmarshal(raw) fills
// them, their room in one buffer: the generated Unmarshal appends each field
// into the slice it already holds, so that it then allocates for none of
// them (it allocated once per field). presizeTx only reads the lengths of
// the fields raw holds once each; it stops at anything else (a malformed
// tag, a repeated field), leaving the rest to Unmarshal, which alone decides
// what raw means and whether it decodes: a field presized here is
// overwritten by Unmarshal, and a field raw does not hold is left nil.
func presizeTx(tx *txv1.Tx, raw []byte) {
	// The fields of txv1.Tx, by field number: all bytes.
	fields := [...]*[]byte{1: &tx.BodyBytes, 2: &tx.AuthInfoBytes, 3: &tx.Signature, 4: &tx.SponsorSignature}
	var lens [len(fields)]int
	total := 0
	for b := raw; len(b) > 0; {
		tag, n := binary.Uvarint(b)
		if n <= 0 {
			return
		}
		b = b[n:]
		// The field number as the generated code reads it (an int32).
		num, size := int32(tag>>3), 0
		if num <= 0 {
			return
		}
		switch tag & 7 {
		case 0: // varint
			if _, n = binary.Uvarint(b); n <= 0 {
				return
			}
			size = n
		case 1: // fixed64
			size = 8
		case 5: // fixed32
			size = 4
		case 2: // length-delimited
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return
			}
			if num < int32(len(fields)) {
				if lens[num] != 0 {
					return
				}
				lens[num] = int(l)
				total += int(l)
			}
			size = n + int(l)
		default:
			return
		}
		if size > len(b) {
			return
		}
		b = b[size:]
	}
	if total == 0 {
		return
	}
	buf := make([]byte, total)
	off := 0
	for i, l := range lens {
		if l > 0 {
			*fields[i] = buf[off : off : off+l]
			off += l
		}
	}
}

// canonical is a generated gogoproto message: Marshal is Size, then
// MarshalToSizedBuffer into a buffer of that size.
type canonical interface {
	Unmarshal([]byte) error
	Size() int
	MarshalToSizedBuffer([]byte) (int, error)
}

// encodeBuffers holds the scratch buffers unmarshalCanonical re-encodes
// into, so that the check allocates nothing; decoding may run on several
// goroutines.
var encodeBuffers = sync.Pool{New: func() any { return new([]byte) }}

// unmarshalCanonical decodes bz into m and refuses any encoding other than
// the one Marshal produces, so that a transaction has exactly one byte form
// (and one hash) for one meaning.
func unmarshalCanonical(bz []byte, m canonical, what string) error {
	if err := m.Unmarshal(bz); err != nil {
		return ErrTxDecode.Wrapf("%s: %v", what, err)
	}
	// What m.Marshal does, into a pooled buffer.
	size := m.Size()
	bufp := encodeBuffers.Get().(*[]byte)
	defer encodeBuffers.Put(bufp)
	buf := slices.Grow((*bufp)[:0], size)[:size]
	*bufp = buf
	n, err := m.MarshalToSizedBuffer(buf)
	if err != nil {
		return ErrTxDecode.Wrapf("%s: re-encode: %v", what, err)
	}
	if !bytes.Equal(buf[:n], bz) {
		return ErrNonCanonical.Wrapf("%s", what)
	}
	return nil
}

func wrapMsgErr(i int, err error) error {
	return fmt.Errorf("message %d: %w", i, err)
}
