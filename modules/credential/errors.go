package credential

import "github.com/intercooperative/icnd/modules"

// Codespace is the credential module's result codespace.
const Codespace = "credential"

// Result codes of verifiable credentials. Stable: never renumber or reuse a
// code. The numbers are those these errors had in the identity codespace
// before that module was split; 1 to 39 are unused. A subject that is
// deactivated gets did.ErrDIDDeactivated (did/11).
var (
	// ErrInvalidCredentialCID: not a canonical binary CIDv1 with the raw codec and a sha2-256 multihash.
	ErrInvalidCredentialCID = modules.Register(Codespace, 40, "invalid credential cid")
	// ErrInvalidCredentialType: the type is empty, too long or has characters outside [A-Za-z0-9_-].
	ErrInvalidCredentialType = modules.Register(Codespace, 41, "invalid credential type")
	// ErrCredentialExists: the issuer already anchored a credential with that CID; an issuer anchors a CID once.
	ErrCredentialExists = modules.Register(Codespace, 42, "credential already anchored")
	// ErrUnknownCredential: the issuer anchored no credential with that CID.
	ErrUnknownCredential = modules.Register(Codespace, 43, "unknown credential")
	// ErrNotIssuer: the authority is neither the issuer nor a DID that
	// controls it. (A freeze within the issuer's scope is the org module's
	// org/51.)
	ErrNotIssuer = modules.Register(Codespace, 44, "signer cannot act for the issuer")
	// ErrCredentialRevoked: the credential is already revoked.
	ErrCredentialRevoked = modules.Register(Codespace, 45, "credential is revoked")
	// ErrInvalidRevocationReason: the reason is longer than MaxRevocationReasonLength or not UTF-8.
	ErrInvalidRevocationReason = modules.Register(Codespace, 46, "invalid revocation reason")
	// ErrUnknownSubject: the subject DID is not registered.
	ErrUnknownSubject = modules.Register(Codespace, 47, "unknown credential subject")
	// ErrInvalidGenesis: the credential genesis state is inconsistent.
	ErrInvalidGenesis = modules.Register(Codespace, 48, "invalid credential genesis")
)
