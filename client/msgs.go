package client

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"os"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"

	"github.com/intercooperative/icnd/modules/dag"
	didmod "github.com/intercooperative/icnd/modules/did"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// RegisterDID returns a MsgRegisterDID for pub on chainID and the DID it
// registers. The new key signs its proof of possession through sign, which
// must sign with the private half of pub.
func RegisterDID(chainID string, pub ed25519.PublicKey, sign Signer) (*txv1.Msg, string, error) {
	did := didmod.DeriveDID(pub)
	pop, err := sign(didmod.RegistrationBytes(chainID, did))
	if err != nil {
		return nil, "", fmt.Errorf("sign proof of possession: %w", err)
	}
	msg, err := RegisterDIDWithProof(chainID, pub, pop)
	return msg, did, err
}

// RegisterDIDWithProof returns a MsgRegisterDID for pub with a proof of
// possession made elsewhere. It checks the proof here, so that a wrong one
// fails before anything is paid for.
func RegisterDIDWithProof(chainID string, pub ed25519.PublicKey, pop []byte) (*txv1.Msg, error) {
	did := didmod.DeriveDID(pub)
	if len(pop) != ed25519.SignatureSize || !ed25519.Verify(pub, didmod.RegistrationBytes(chainID, did), pop) {
		return nil, fmt.Errorf("the proof of possession is not this key's signature over the registration of %s on chain %q", did, chainID)
	}
	m := &identityv1.MsgRegisterDID{PublicKey: pub, ProofOfPossession: pop}
	if err := didmod.ValidateRegisterDID(m); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_RegisterDid{RegisterDid: m}}, nil
}

// ProofOfPossession decodes a base64 proof of possession.
func ProofOfPossession(s string) ([]byte, error) {
	raw, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("proof of possession is not base64: %w", err)
	}
	return raw, nil
}

// Anchor returns a MsgAnchor for c with kind and links, checked as the
// chain will check it.
func Anchor(c cid.Cid, kind string, links []cid.Cid) (*txv1.Msg, error) {
	m := &dagv1.MsgAnchor{Cid: c.Bytes(), Kind: kind}
	for _, l := range links {
		m.Links = append(m.Links, l.Bytes())
	}
	if err := dag.ValidateAnchor(m); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_Anchor{Anchor: m}}, nil
}

// ParseCID decodes a CID string (any multibase). Only CIDv1 is anchored;
// a CIDv0 is refused with its CIDv1 spelling in the error, rather than
// converted silently.
func ParseCID(s string) (cid.Cid, error) {
	c, err := cid.Decode(s)
	if err != nil {
		return cid.Undef, fmt.Errorf("CID %q: %w", s, err)
	}
	if c.Version() != 1 {
		return cid.Undef, fmt.Errorf("CID %q is CIDv%d; only CIDv1 is accepted (its CIDv1 form is %s)",
			s, c.Version(), cid.NewCidV1(c.Type(), c.Hash()))
	}
	if _, err := dag.ParseCID(c.Bytes()); err != nil {
		return cid.Undef, fmt.Errorf("CID %q: %w", s, err)
	}
	return c, nil
}

// FileCID returns the CIDv1 of a file's bytes with the raw codec and a
// sha2-256 multihash: the CID `ipfs add --cid-version 1 --raw-leaves` gives
// a file that fits in one block.
func FileCID(path string) (cid.Cid, error) {
	f, err := os.Open(path)
	if err != nil {
		return cid.Undef, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return cid.Undef, fmt.Errorf("read %s: %w", path, err)
	}
	digest, err := mh.Encode(h.Sum(nil), mh.SHA2_256)
	if err != nil {
		return cid.Undef, err
	}
	return cid.NewCidV1(cid.Raw, digest), nil
}

// RawCID returns the raw-codec sha2-256 CIDv1 of data.
func RawCID(data []byte) cid.Cid {
	sum, err := mh.Sum(data, mh.SHA2_256, -1)
	if err != nil {
		// sha2-256 with the default length is always registered.
		panic("client: sha2-256 multihash: " + err.Error())
	}
	return cid.NewCidV1(cid.Raw, sum)
}
