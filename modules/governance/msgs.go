package governance

import (
	"unicode/utf8"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/did"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// Bounds on a proposal.
const (
	MaxTitleLength   = 140
	MaxSummaryLength = 4096
	// MaxProposalMessages bounds a proposal's messages; MaxMessageBytes
	// bounds each encoded message (the transaction bound applies too).
	MaxProposalMessages = 16
	MaxMessageBytes     = 16 << 10
	// MaxValidators bounds the validator set a change may produce.
	MaxValidators = 150
	// MaxValidatorPower bounds one validator's power (CometBFT's total
	// voting power limit is far higher; this keeps sums exact).
	MaxValidatorPower = 1 << 40
	// MaxUpgradeNameLength and MaxUpgradeInfoLength bound a plan.
	MaxUpgradeNameLength = 64
	MaxUpgradeInfoLength = 1024
)

func validText(what, s string, max int, required bool) error {
	if required && s == "" {
		return ErrInvalidProposal.Wrapf("%s is required", what)
	}
	if len(s) > max || !utf8.ValidString(s) {
		return ErrInvalidProposal.Wrapf("%s must be UTF-8 of at most %d bytes, has %d", what, max, len(s))
	}
	return nil
}

// DecodeMessages decodes and checks a proposal's messages through r: each
// must decode canonically, pass its row's stateless check and be one an
// organization may propose (not GovernanceNever). It returns the messages
// and their specs. Root-only messages are checked against the proposing
// organization by the handler, which knows the state.
func DecodeMessages(r modules.Router, raw [][]byte) ([]*txv1.Msg, []modules.MsgSpec, error) {
	if len(raw) > MaxProposalMessages {
		return nil, nil, ErrInvalidProposal.Wrapf("%d messages, max %d", len(raw), MaxProposalMessages)
	}
	msgs := make([]*txv1.Msg, len(raw))
	specs := make([]modules.MsgSpec, len(raw))
	for i, bz := range raw {
		if len(bz) == 0 || len(bz) > MaxMessageBytes {
			return nil, nil, ErrInvalidProposal.Wrapf("message %d has %d bytes, want 1 to %d", i, len(bz), MaxMessageBytes)
		}
		m, spec, err := r.Decode(bz)
		if err != nil {
			return nil, nil, ErrInvalidProposal.Wrapf("message %d: %v", i, err)
		}
		if spec.Governance == modules.GovernanceNever {
			return nil, nil, ErrMessageNotGovernable.Wrapf("message %d (%s) is only ever sent by a signer for itself", i, spec.Name)
		}
		msgs[i], specs[i] = m, spec
	}
	return msgs, specs, nil
}

// validateSubmit is the stateless check of MsgSubmitProposal.
func (k *Keeper) validateSubmit(m *governancev1.MsgSubmitProposal) error {
	if err := did.ParseDID(m.Org); err != nil {
		return ErrInvalidProposal.Wrapf("org: %v", err)
	}
	if err := validText("title", m.Title, MaxTitleLength, true); err != nil {
		return err
	}
	if err := validText("summary", m.Summary, MaxSummaryLength, false); err != nil {
		return err
	}
	if len(m.SummaryCid) > 0 {
		if _, err := dag.ParseCID(m.SummaryCid); err != nil {
			return ErrInvalidProposal.Wrapf("summary_cid: %v", err)
		}
	}
	_, _, err := DecodeMessages(k.router, m.Messages)
	return err
}

// ValidateVote is the stateless check of MsgVote.
func ValidateVote(m *governancev1.MsgVote) error {
	if _, ok := governancev1.VoteOption_name[int32(m.Option)]; !ok || m.Option == governancev1.VoteOption_VOTE_OPTION_UNSPECIFIED {
		return ErrInvalidVote.Wrapf("option %d", m.Option)
	}
	if m.ProposalId == 0 {
		return ErrUnknownProposal.Wrapf("id 0")
	}
	return nil
}

// ValidateWithdraw is the stateless check of MsgWithdrawProposal.
func ValidateWithdraw(m *governancev1.MsgWithdrawProposal) error {
	if m.ProposalId == 0 {
		return ErrUnknownProposal.Wrapf("id 0")
	}
	return nil
}

// ValidateVeto is the stateless check of MsgVeto.
func ValidateVeto(m *governancev1.MsgVeto) error {
	if m.ProposalId == 0 {
		return ErrUnknownProposal.Wrapf("id 0")
	}
	return nil
}

// ValidateDelegate is the stateless check of MsgDelegate.
func ValidateDelegate(m *governancev1.MsgDelegate) error {
	if err := did.ParseDID(m.Org); err != nil {
		return ErrInvalidDelegation.Wrapf("org: %v", err)
	}
	if err := did.ParseDID(m.Delegate); err != nil {
		return ErrInvalidDelegation.Wrapf("delegate: %v", err)
	}
	return nil
}

// ValidateUndelegate is the stateless check of MsgUndelegate.
func ValidateUndelegate(m *governancev1.MsgUndelegate) error {
	if err := did.ParseDID(m.Org); err != nil {
		return ErrInvalidDelegation.Wrapf("org: %v", err)
	}
	return nil
}

// ValidateSetPolicy is the stateless check of MsgSetPolicy; the periods
// are checked against the params by the handler.
func ValidateSetPolicy(m *governancev1.MsgSetPolicy) error {
	if err := did.ParseDID(m.Org); err != nil {
		return ErrInvalidPolicy.Wrapf("org: %v", err)
	}
	return ValidatePolicy(m.Policy, nil)
}

// ValidateSetParams is the stateless check of MsgSetGovernanceParams.
func ValidateSetParams(m *governancev1.MsgSetGovernanceParams) error {
	return ValidateParams(m.Params)
}

// ValidateSetValidator is the stateless check of MsgSetValidator.
func ValidateSetValidator(m *governancev1.MsgSetValidator) error {
	if len(m.PubKey) != 32 {
		return ErrInvalidValidator.Wrapf("an Ed25519 public key has 32 bytes, not %d", len(m.PubKey))
	}
	if m.Power < 0 || m.Power > MaxValidatorPower {
		return ErrInvalidValidator.Wrapf("power %d, want 0 (remove) to %d", m.Power, int64(MaxValidatorPower))
	}
	return nil
}

// ValidateScheduleUpgrade is the stateless check of MsgScheduleUpgrade.
func ValidateScheduleUpgrade(m *governancev1.MsgScheduleUpgrade) error {
	p := m.Plan
	if p == nil {
		return ErrInvalidUpgrade.Wrapf("plan is missing")
	}
	if err := ValidateUpgradeName(p.Name); err != nil {
		return err
	}
	if p.Height < 1 {
		return ErrInvalidUpgrade.Wrapf("height %d", p.Height)
	}
	if len(p.Info) > MaxUpgradeInfoLength || !utf8.ValidString(p.Info) {
		return ErrInvalidUpgrade.Wrapf("info must be UTF-8 of at most %d bytes", MaxUpgradeInfoLength)
	}
	return nil
}

// ValidateCancelUpgrade is the stateless check of MsgCancelUpgrade.
func ValidateCancelUpgrade(m *governancev1.MsgCancelUpgrade) error {
	return ValidateUpgradeName(m.Name)
}

// ValidateUpgradeName checks an upgrade name: 1 to MaxUpgradeNameLength of
// a-z, 0-9, '.', '-', '_'.
func ValidateUpgradeName(name string) error {
	if name == "" || len(name) > MaxUpgradeNameLength {
		return ErrInvalidUpgrade.Wrapf("name must have 1 to %d bytes", MaxUpgradeNameLength)
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return ErrInvalidUpgrade.Wrapf("name %q: want a-z, 0-9, '.', '-', '_'", modules.Truncate(name))
		}
	}
	return nil
}
