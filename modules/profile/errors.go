package profile

import "github.com/intercooperative/icnd/modules"

// Codespace is the profile module's result codespace.
const Codespace = "profile"

// Result codes of encrypted profiles. Stable: never renumber or reuse a
// code. The numbers are those these errors had in the identity codespace
// before that module was split; 1 to 49 are unused.
var (
	// ErrInvalidProfileSalt: the Argon2id salt is not ProfileSaltLength bytes.
	ErrInvalidProfileSalt = modules.Register(Codespace, 50, "invalid profile salt")
	// ErrInvalidEmailHash: the email hash is neither empty nor EmailHashLength bytes.
	ErrInvalidEmailHash = modules.Register(Codespace, 51, "invalid email hash")
	// ErrTooManyProfileFields: more fields than MaxProfileFields.
	ErrTooManyProfileFields = modules.Register(Codespace, 52, "too many profile fields")
	// ErrInvalidProfileField: a field name is empty, too long, has characters outside [a-z0-9_-], or the names are not sorted and unique.
	ErrInvalidProfileField = modules.Register(Codespace, 53, "invalid profile field name")
	// ErrInvalidNonce: a field's nonce is not ProfileNonceLength bytes.
	ErrInvalidNonce = modules.Register(Codespace, 54, "invalid profile field nonce")
	// ErrInvalidCiphertext: a field's ciphertext is shorter than the GCM tag or longer than MaxProfileCiphertextLength.
	ErrInvalidCiphertext = modules.Register(Codespace, 55, "invalid profile field ciphertext size")
	// ErrEmailTaken is no longer returned. It refused an email hash that
	// another DID's profile already carried; since the per-chain salt lets
	// anyone compute the hash of a known or guessed address (and a pending
	// set_profile shows it in the mempool), that let anyone claim someone
	// else's email first and lock its owner out. The index now lists every
	// DID that claims a hash. Kept registered because codes are never reused.
	ErrEmailTaken = modules.Register(Codespace, 56, "email hash belongs to another did")
	// ErrNoProfile: the DID has no profile.
	ErrNoProfile = modules.Register(Codespace, 57, "no profile")
	// ErrEmptyProfile: the profile has no field and no email hash; erase it instead.
	ErrEmptyProfile = modules.Register(Codespace, 58, "empty profile")
	// ErrInvalidGenesis: the profile genesis state is inconsistent.
	ErrInvalidGenesis = modules.Register(Codespace, 59, "invalid profile genesis")
)
