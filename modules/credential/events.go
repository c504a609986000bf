package credential

import "github.com/intercooperative/icnd/modules"

// Event types keep the "icn.identity." namespace of the protobuf package,
// as the did module's do (see there).

// EventCredentialIssued is emitted when MsgIssueCredential anchors a
// credential.
type EventCredentialIssued struct {
	// CID is the credential's CID in its string form.
	CID     string
	Issuer  string
	Subject string
	Type    string
	// IssuedBy is the authority that anchored it: the issuer or its controller.
	IssuedBy string
}

// Event implements modules.TypedEvent.
func (e EventCredentialIssued) Event() modules.Event {
	return modules.Event{Type: "icn.identity.credential_issued", Attributes: []modules.Attribute{
		{Key: "cid", Value: e.CID, Index: true},
		{Key: "issuer", Value: e.Issuer, Index: true},
		{Key: "subject", Value: e.Subject, Index: true},
		{Key: "type", Value: e.Type},
		{Key: "issued_by", Value: e.IssuedBy},
	}}
}

// EventCredentialRevoked is emitted when MsgRevokeCredential revokes a
// credential.
type EventCredentialRevoked struct {
	CID       string
	Issuer    string
	RevokedBy string
	Reason    string
}

// Event implements modules.TypedEvent.
func (e EventCredentialRevoked) Event() modules.Event {
	return modules.Event{Type: "icn.identity.credential_revoked", Attributes: []modules.Attribute{
		{Key: "cid", Value: e.CID, Index: true},
		{Key: "issuer", Value: e.Issuer, Index: true},
		{Key: "revoked_by", Value: e.RevokedBy},
		{Key: "reason", Value: e.Reason},
	}}
}
