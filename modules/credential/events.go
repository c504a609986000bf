package credential

import "github.com/intercooperative/icnd/modules"

// Event types of this package, as CometBFT and clients see them.
const (
	EventTypeCredentialIssued  = "icn.credential.credential_issued"
	EventTypeCredentialRevoked = "icn.credential.credential_revoked"
)

func init() {
	modules.RegisterEvent(EventCredentialIssued{})
	modules.RegisterEvent(EventCredentialRevoked{})
}

// EventCredentialIssued is emitted when MsgIssueCredential anchors a
// credential.
type EventCredentialIssued struct {
	// CID is the credential's CID in its string form.
	CID     string `event:"cid,index"`
	Issuer  string `event:"issuer,index"`
	Subject string `event:"subject,index"`
	Type    string `event:"type"`
	// IssuedBy is the authority that anchored it: the issuer or its controller.
	IssuedBy string `event:"issued_by"`
}

// EventType implements modules.TypedEvent.
func (EventCredentialIssued) EventType() string { return EventTypeCredentialIssued }

// EventCredentialRevoked is emitted when MsgRevokeCredential revokes a
// credential.
type EventCredentialRevoked struct {
	CID       string `event:"cid,index"`
	Issuer    string `event:"issuer,index"`
	RevokedBy string `event:"revoked_by"`
	Reason    string `event:"reason"`
}

// EventType implements modules.TypedEvent.
func (EventCredentialRevoked) EventType() string { return EventTypeCredentialRevoked }
