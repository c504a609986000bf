package credential

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Chain is the chain state Verify reads. *client.Querier implements it;
// with a Prover every answer is proven against a verified header.
type Chain interface {
	// DIDDocument returns did's document at height (0 = latest); an
	// absent document is an error wrapping client.ErrNotFound.
	DIDDocument(ctx context.Context, did string, height int64) (*identityv1.DIDDocument, *client.QueryResult, error)
	// CredentialStatus returns the status record of c anchored for issuer
	// at height; an absent record is an error wrapping client.ErrNotFound,
	// returned with the result that shows (and, when proven, proves) the
	// absence.
	CredentialStatus(ctx context.Context, issuer string, c cid.Cid, height int64) (*identityv1.CredentialStatus, *client.QueryResult, error)
}

// The checks Verify makes, in order.
const (
	CheckSignature = "signature"
	CheckIssuerKey = "issuer key"
	CheckStatus    = "status"
)

// Check is the outcome of one verification check.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Report is the outcome of Verify.
type Report struct {
	CID            string  `json:"cid"`
	Issuer         string  `json:"issuer"`
	Subject        string  `json:"subject"`
	Type           string  `json:"type"`
	IssuedAtHeight int64   `json:"issued_at_height"`
	Checks         []Check `json:"checks"`
	// Status is the on-chain record, when one was found.
	Status *client.CredentialView `json:"status,omitempty"`
	// Proof is the header the status read was proven against; nil when
	// the read was not proven.
	Proof *client.VerifiedHeader `json:"proof,omitempty"`
}

// OK reports whether every check passed.
func (r *Report) OK() bool { return len(r.Failed()) == 0 }

// Failed names the checks that failed, in order.
func (r *Report) Failed() []string {
	var out []string
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c.Name)
		}
	}
	return out
}

func (r *Report) add(name string, ok bool, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

// Verify checks d against chain state at height (0 = latest) and reports
// each check; it returns an error only when the context ends. The checks:
//
//  1. signature: the proof verifies under the key its verification method
//     names, taken from the DID document (which keeps revoked keys);
//  2. issuer key: that key was valid at d.IssuedAtHeight by the chain's own
//     key-history rule (did.KeyAt: added at or before it, neither it
//     revoked nor its DID deactivated at or before it), and its DID is the issuer, or is the DID that anchored the
//     credential for the issuer (the chain checked then that it controlled
//     the issuer: an organization's controller);
//  3. status: the chain holds a record for d's issuer and CID, not
//     revoked, naming d's subject and type, anchored after
//     d.IssuedAtHeight. The record is looked up under d's own issuer, so
//     a record someone else anchored for the same CID in their own name
//     (by copying a pending issuance from the mempool) is never read.
func Verify(ctx context.Context, d *Document, chain Chain, height int64) (*Report, error) {
	r := &Report{CID: d.CID.String(), Issuer: d.Issuer, Subject: d.Subject, Type: d.Type, IssuedAtHeight: d.IssuedAtHeight}

	doc, _, docErr := chain.DIDDocument(ctx, d.VMDID, height)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var key *identityv1.VerificationKey
	if docErr == nil {
		key = did.FindKey(doc, d.KeyID)
	}
	switch {
	case docErr != nil:
		r.add(CheckSignature, false, "cannot resolve %s: %v", d.VerificationMethod, docErr)
	case key == nil:
		r.add(CheckSignature, false, "%s has no key %q", d.VMDID, d.KeyID)
	default:
		if err := d.VerifyProof(key.PublicKey); err != nil {
			r.add(CheckSignature, false, "%s proof by %s: %v", Cryptosuite, d.VerificationMethod, err)
		} else {
			r.add(CheckSignature, true, "%s proof by %s verifies", Cryptosuite, d.VerificationMethod)
		}
	}

	rec, res, recErr := chain.CredentialStatus(ctx, d.Issuer, d.CID, height)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if res != nil && res.Proven {
		r.Proof = res.Header
	}
	if recErr == nil {
		if r.Status, recErr = client.NewCredentialView(rec); recErr != nil {
			rec = nil
		}
	}

	switch {
	case key == nil:
		r.add(CheckIssuerKey, false, "the verification method %s cannot be resolved", d.VerificationMethod)
	default:
		if _, err := did.KeyAt(doc, d.KeyID, d.IssuedAtHeight); err != nil {
			r.add(CheckIssuerKey, false, "%v", err)
		} else if d.VMDID == d.Issuer {
			r.add(CheckIssuerKey, true, "%s belonged to the issuer at height %d", d.VerificationMethod, d.IssuedAtHeight)
		} else if rec != nil && rec.Issuer == d.Issuer && rec.IssuedBy == d.VMDID {
			r.add(CheckIssuerKey, true, "%s belonged at height %d to %s, which anchored the credential for issuer %s as its controller",
				d.VerificationMethod, d.IssuedAtHeight, d.VMDID, d.Issuer)
		} else {
			r.add(CheckIssuerKey, false, "%s belongs to %s, which is neither the issuer %s nor the DID that anchored the credential for it",
				d.VerificationMethod, d.VMDID, d.Issuer)
		}
	}

	how := "not proven: the node's word (verify with --prove)"
	if r.Proof != nil {
		how = fmt.Sprintf("proven against header %d", r.Proof.Height)
	}
	at := height
	if res != nil {
		at = res.Height
	}
	switch {
	case errors.Is(recErr, client.ErrNotFound):
		r.add(CheckStatus, false, "not anchored on chain at height %d (%s)", at, how)
	case recErr != nil:
		r.add(CheckStatus, false, "cannot read the on-chain status: %v", recErr)
	case rec.RevokedHeight != 0:
		reason := ""
		if rec.Reason != "" {
			reason = fmt.Sprintf(": %q", rec.Reason)
		}
		r.add(CheckStatus, false, "revoked at height %d by %s%s (%s)", rec.RevokedHeight, rec.RevokedBy, reason, how)
	case rec.Issuer != d.Issuer || rec.Subject != d.Subject || rec.CredentialType != d.Type:
		r.add(CheckStatus, false, "the anchored record (issuer %s, subject %s, type %s) does not match the credential (issuer %s, subject %s, type %s)",
			rec.Issuer, rec.Subject, rec.CredentialType, d.Issuer, d.Subject, d.Type)
	case rec.IssuedHeight <= d.IssuedAtHeight:
		r.add(CheckStatus, false, "anchored at height %d, not after the issuance height %d the credential records", rec.IssuedHeight, d.IssuedAtHeight)
	default:
		r.add(CheckStatus, true, "anchored at height %d by %s, not revoked as of height %d (%s)", rec.IssuedHeight, rec.IssuedBy, at, how)
	}
	return r, nil
}
