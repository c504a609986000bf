package credential

import (
	"context"
	"errors"
	"fmt"
	orgmod "github.com/intercooperative/icnd/modules/org"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/client"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// IssueRequest describes a credential to issue.
type IssueRequest struct {
	// Issuer is the signer's DID, or an organization the signer controls.
	Issuer  string
	Subject string
	Type    string
	Claims  map[string]string
	// VerificationMethod names the signing key: "did:icn:...#key-id".
	VerificationMethod string
	// Now is the issuer's clock: the credential's validFrom and the
	// proof's created time.
	Now time.Time
}

// Issued is a signed credential and the message that anchors it.
type Issued struct {
	// Document is the signed credential as indented JSON, for its subject.
	Document []byte
	CID      cid.Cid
	// Msg is the MsgIssueCredential that anchors CID for the issuer.
	Msg *txv1.Msg
	// Claims are the credential's claims, defaults included.
	Claims map[string]string
}

// Issue builds the credential r describes at the chain's latest committed
// height, as c's node reports it, signs it through sign, and returns it
// with the message that anchors it. r.Claims is not modified.
//
// A MembershipCredential, issued by an organization on admission, claims
// ClaimOrganization (default: the issuer, and nothing else) and ClaimRole
// (default: "member"); Issue checks on chain that the subject is a member
// of the issuer holding that role.
func Issue(ctx context.Context, c *client.Client, r IssueRequest, sign client.Signer) (*Issued, error) {
	claims := maps.Clone(r.Claims)
	if claims == nil {
		claims = map[string]string{}
	}
	if r.Type == MembershipType {
		if err := membershipClaims(r.Issuer, claims); err != nil {
			return nil, err
		}
		m, res, err := client.NewQuerier(c, nil).Membership(ctx, r.Issuer, r.Subject, 0)
		switch {
		case errors.Is(err, client.ErrNotFound) && res != nil:
			return nil, fmt.Errorf("%s is not a member of %s at height %d: admit it before issuing a %s", r.Subject, r.Issuer, res.Height, MembershipType)
		case err != nil:
			return nil, fmt.Errorf("check the membership of %s in %s: %w", r.Subject, r.Issuer, err)
		}
		if err := holdsRole(m, claims[ClaimRole]); err != nil {
			return nil, err
		}
	}
	st, err := c.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("ask the node for its latest height: %w", err)
	}
	cred, err := New(r.Issuer, r.Subject, r.Type, claims, st.LatestHeight, r.Now)
	if err != nil {
		return nil, err
	}
	doc, id, err := Sign(cred, r.VerificationMethod, r.Now, sign)
	if err != nil {
		return nil, err
	}
	msg, err := IssueMsg(id, r.Issuer, r.Subject, r.Type)
	if err != nil {
		return nil, err
	}
	return &Issued{Document: doc, CID: id, Msg: msg, Claims: claims}, nil
}

// membershipClaims fills in the claims of a MembershipCredential issued by
// org: the organization is org (a claim of another is refused) and the role
// is "member" unless given.
func membershipClaims(org string, claims map[string]string) error {
	if v, ok := claims[ClaimOrganization]; ok && v != org {
		return fmt.Errorf("a %s issued by %s must claim organization %s, not %s", MembershipType, org, org, v)
	}
	claims[ClaimOrganization] = org
	if _, ok := claims[ClaimRole]; !ok {
		claims[ClaimRole] = orgmod.RoleMember
	}
	return nil
}

// holdsRole refuses a membership that lacks role.
func holdsRole(m *identityv1.Membership, role string) error {
	if !slices.Contains(m.Roles, role) {
		return fmt.Errorf("%s does not hold the role %q in %s (roles: %s)", m.Member, role, m.Org, strings.Join(m.Roles, ", "))
	}
	return nil
}
