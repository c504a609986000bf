package app

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"unicode/utf8"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/intercooperative/icnd/modules/credential"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/modules/profile"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
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

	bodyBytes, authBytes []byte
}

// SignBytes returns the bytes the signature covers: the encoded SignDoc.
func (d *DecodedTx) SignBytes() []byte {
	return SignBytes(d.Body.ChainId, d.bodyBytes, d.authBytes)
}

// SignBytes encodes the SignDoc for a chain id and the encoded body and
// auth info. Clients sign exactly these bytes (docs/tx-format.md).
func SignBytes(chainID string, bodyBytes, authBytes []byte) []byte {
	doc := txv1.SignDoc{ChainId: chainID, BodyBytes: bodyBytes, AuthInfoBytes: authBytes}
	bz, err := doc.Marshal()
	if err != nil {
		// Marshalling a message of three byte/string fields cannot fail.
		panic("app: encode SignDoc: " + err.Error())
	}
	return bz
}

// DecodeTx decodes raw and runs every check that needs no state. It never
// panics on any input; every error it returns carries a registered code.
func DecodeTx(raw []byte) (*DecodedTx, error) {
	return decodeTx(raw, nil)
}

// decodeTx is DecodeTx with the hash of raw when the caller has it.
func decodeTx(raw []byte, hash *[sha256.Size]byte) (*DecodedTx, error) {
	if len(raw) > MaxTxBytes {
		return nil, ErrTxTooLarge.Wrapf("%d bytes, max %d", len(raw), MaxTxBytes)
	}
	var tx txv1.Tx
	if err := unmarshalCanonical(raw, &tx, "tx"); err != nil {
		return nil, err
	}
	body := new(txv1.TxBody)
	if err := unmarshalCanonical(tx.BodyBytes, body, "body"); err != nil {
		return nil, err
	}
	auth := new(txv1.AuthInfo)
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
	names := make([]string, len(body.Messages))
	for i, m := range body.Messages {
		name, err := validateMsg(m)
		if err != nil {
			return nil, wrapMsgErr(i, err)
		}
		names[i] = name
	}
	if hash == nil {
		sum := sha256.Sum256(raw)
		hash = &sum
	}
	return &DecodedTx{
		Raw:              raw,
		Hash:             *hash,
		Body:             body,
		Auth:             auth,
		Signature:        tx.Signature,
		SponsorSignature: tx.SponsorSignature,
		MsgNames:         names,
		bodyBytes:        tx.BodyBytes,
		authBytes:        tx.AuthInfoBytes,
	}, nil
}

// validateMsg runs a message's stateless checks and returns its name.
func validateMsg(m *txv1.Msg) (string, error) {
	switch sum := m.GetSum().(type) {
	case *txv1.Msg_RegisterDid:
		return MsgRegisterDID, did.ValidateRegisterDID(sum.RegisterDid)
	case *txv1.Msg_Anchor:
		return MsgAnchor, dag.ValidateAnchor(sum.Anchor)
	case *txv1.Msg_AddKey:
		return MsgAddKey, did.ValidateAddKey(sum.AddKey)
	case *txv1.Msg_RotateKey:
		return MsgRotateKey, did.ValidateRotateKey(sum.RotateKey)
	case *txv1.Msg_RevokeKey:
		return MsgRevokeKey, did.ValidateRevokeKey(sum.RevokeKey)
	case *txv1.Msg_DeactivateDid:
		return MsgDeactivateDID, did.ValidateDeactivateDID(sum.DeactivateDid)
	case *txv1.Msg_CreateOrganization:
		return MsgCreateOrganization, org.ValidateCreateOrganization(sum.CreateOrganization)
	case *txv1.Msg_InviteMember:
		return MsgInviteMember, org.ValidateInviteMember(sum.InviteMember)
	case *txv1.Msg_AcceptInvitation:
		return MsgAcceptInvitation, org.ValidateAcceptInvitation(sum.AcceptInvitation)
	case *txv1.Msg_LeaveOrganization:
		return MsgLeaveOrganization, org.ValidateLeaveOrganization(sum.LeaveOrganization)
	case *txv1.Msg_RemoveMember:
		return MsgRemoveMember, org.ValidateRemoveMember(sum.RemoveMember)
	case *txv1.Msg_GrantRole:
		return MsgGrantRole, org.ValidateGrantRole(sum.GrantRole)
	case *txv1.Msg_RevokeRole:
		return MsgRevokeRole, org.ValidateRevokeRole(sum.RevokeRole)
	case *txv1.Msg_TransferControl:
		return MsgTransferControl, org.ValidateTransferControl(sum.TransferControl)
	case *txv1.Msg_FreezeAccount:
		return MsgFreezeAccount, org.ValidateFreezeAccount(sum.FreezeAccount)
	case *txv1.Msg_UnfreezeAccount:
		return MsgUnfreezeAccount, org.ValidateUnfreezeAccount(sum.UnfreezeAccount)
	case *txv1.Msg_AppealFreeze:
		return MsgAppealFreeze, org.ValidateAppealFreeze(sum.AppealFreeze)
	case *txv1.Msg_IssueCredential:
		return MsgIssueCredential, credential.ValidateIssueCredential(sum.IssueCredential)
	case *txv1.Msg_RevokeCredential:
		return MsgRevokeCredential, credential.ValidateRevokeCredential(sum.RevokeCredential)
	case *txv1.Msg_SetProfile:
		return MsgSetProfile, profile.ValidateSetProfile(sum.SetProfile)
	case *txv1.Msg_EraseProfile:
		// MsgEraseProfile has no fields to check.
		return MsgEraseProfile, nil
	default:
		return "", ErrUnknownMessage
	}
}

// Message names, as the fields of the Msg oneof; the mana cost table uses them.
const (
	MsgRegisterDID = "register_did"
	MsgAnchor      = "anchor"
)

// Message names of the DID document lifecycle.
const (
	MsgAddKey        = "add_key"
	MsgRotateKey     = "rotate_key"
	MsgRevokeKey     = "revoke_key"
	MsgDeactivateDID = "deactivate_did"
)

// Message names of organizations, membership, control and compliance
// freezes.
const (
	MsgCreateOrganization = "create_organization"
	MsgInviteMember       = "invite_member"
	MsgAcceptInvitation   = "accept_invitation"
	MsgLeaveOrganization  = "leave_organization"
	MsgRemoveMember       = "remove_member"
	MsgGrantRole          = "grant_role"
	MsgRevokeRole         = "revoke_role"
	MsgTransferControl    = "transfer_control"
	MsgFreezeAccount      = "freeze_account"
	MsgUnfreezeAccount    = "unfreeze_account"
	MsgAppealFreeze       = "appeal_freeze"
)

// Message names of verifiable credentials and encrypted profiles.
const (
	MsgIssueCredential  = "issue_credential"
	MsgRevokeCredential = "revoke_credential"
	MsgSetProfile       = "set_profile"
	MsgEraseProfile     = "erase_profile"
)

// KnownMessages is every message name the app executes.
func KnownMessages() map[string]bool {
	return map[string]bool{
		MsgRegisterDID: true, MsgAnchor: true,
		MsgAddKey: true, MsgRotateKey: true, MsgRevokeKey: true, MsgDeactivateDID: true,
		MsgCreateOrganization: true, MsgInviteMember: true, MsgAcceptInvitation: true,
		MsgLeaveOrganization: true, MsgRemoveMember: true, MsgGrantRole: true, MsgRevokeRole: true,
		MsgTransferControl: true, MsgFreezeAccount: true, MsgUnfreezeAccount: true, MsgAppealFreeze: true,
		MsgIssueCredential: true, MsgRevokeCredential: true, MsgSetProfile: true, MsgEraseProfile: true,
	}
}

type canonical interface {
	Unmarshal([]byte) error
	Marshal() ([]byte, error)
}

// unmarshalCanonical decodes bz into m and refuses any encoding other than
// the one Marshal produces, so that a transaction has exactly one byte form
// (and one hash) for one meaning.
func unmarshalCanonical(bz []byte, m canonical, what string) error {
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

func wrapMsgErr(i int, err error) error {
	return fmt.Errorf("message %d: %w", i, err)
}
