package protocol

import txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"

// QueryPathStore is the one ABCI query path: the raw value under a store
// key (the request data), optionally with an ICS23 proof. Clients decode
// values with the owning module's types; see docs/state.md for the key
// layout.
const QueryPathStore = "/store"

// ProofOpICS23 is the CometBFT ProofOp type of a query proof: an ICS23
// CommitmentProof in the IAVL tree whose root is the app hash.
const ProofOpICS23 = "ics23:iavl"

// SignBytes encodes the SignDoc for a chain id and the encoded body and
// auth info. Clients sign exactly these bytes, and the node verifies the
// signer's and the sponsor's signatures over them (docs/tx-format.md).
func SignBytes(chainID string, bodyBytes, authBytes []byte) []byte {
	doc := txv1.SignDoc{ChainId: chainID, BodyBytes: bodyBytes, AuthInfoBytes: authBytes}
	bz, err := doc.Marshal()
	if err != nil {
		// Marshalling a message of three byte/string fields cannot fail.
		panic("protocol: encode SignDoc: " + err.Error())
	}
	return bz
}
