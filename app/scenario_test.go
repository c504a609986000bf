package app_test

// Scenario tests: the scripts in testdata/scenarios/*.txt drive a real App
// (InitChain, CheckTx, FinalizeBlock, Commit, Query) through the protocol
// and compare what it answers with the golden output below each command's
// "----". Regenerate every golden output with
//
//	go test ./app -run TestScenarios -rewrite
//
// and read the diff line by line: a golden file is only as good as its
// review.
//
// Commands:
//
//	genesis [root=<account> [seats=N]]
//	<account> [balance=N] [capacity=N] [rate=N]
//	...
//
// InitChain with one named account per input line: a DID document with
// the account's key-1 and a mana account whose base grant is capacity and
// rate. root=<account> adds the root federation "root" founded by that
// account, as node/testnet does, holding N bonus seats (0 by default).
//
//	tx signer=<account> [key=<key-id>] [sponsor=<account>]
//	<message>
//	...
//
// One transaction, one message per input line (msgParsers lists the
// forms), signed with the signer's key (key-1 unless key= names another)
// and its next sequence as the chain holds it; a sponsor pays with its
// key-1. The transaction goes through CheckTx first: if CheckTx refuses it
// (decode or ante), no block is made and the output is "refused: <code>".
// Otherwise it runs alone in the next block, which is committed, and the
// output is "height H: ok" or "height H: <codespace>/<code>: <description>",
// then its events, one per line, then the block's own events.
//
//	end-block [n=K]
//
// Finishes K (default 1) empty blocks, printing each block's own events
// (the end-of-block hooks') and then the new height.
//
//	query mana|did|org|sequence <name>
//
// Reads the last committed state through App.Query and describes it.
//
// Names stand for identifiers everywhere: an account's keys are derived
// from its name (scenarioKey), so its DID is fixed; an organization's DID
// comes from its name and parent; an anchored CID from its name. Every DID
// and CID in the output is printed as its name. A name must be declared
// before it is used: in genesis, by "register", "create-org" or "anchor".
// Result logs are shortened to their stable part, the registered
// description (with the "message <i>: " prefix of a message error): the
// detail after it is for people, and the code is what clients branch on.

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/org"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol"
	"github.com/intercooperative/icnd/store"
)

// rootFederation is the name of the root federation genesis root= adds.
const rootFederation = "root"

func TestScenarios(t *testing.T) {
	datadriven.Walk(t, "testdata/scenarios", func(t *testing.T, path string) {
		s := newScenario()
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			out, err := s.run(d)
			if err != nil {
				d.Fatalf(t, "%v", err)
			}
			return out
		})
	})
}

// scenario is the state of one script: the chain and the names it knows.
type scenario struct {
	app *app.App
	// ids maps a declared name to its identifier (a DID or a CID string);
	// names is the reverse, for display.
	ids, names map[string]string
	// orgs holds the names that are organizations, which never sign.
	orgs map[string]bool
}

func newScenario() *scenario {
	return &scenario{ids: map[string]string{}, names: map[string]string{}, orgs: map[string]bool{}}
}

var scenarioCommands = map[string]func(*scenario, *datadriven.TestData) (string, error){
	"genesis":   (*scenario).genesis,
	"tx":        (*scenario).tx,
	"end-block": (*scenario).endBlock,
	"query":     (*scenario).query,
}

// run executes one command and returns its output with names for
// identifiers. An error is the script's fault: an unknown command,
// argument, message or name.
func (s *scenario) run(d *datadriven.TestData) (string, error) {
	cmd, ok := scenarioCommands[d.Cmd]
	if !ok {
		return "", fmt.Errorf("unknown command %q; the commands are genesis, tx, end-block and query", d.Cmd)
	}
	if d.Cmd != "genesis" && s.app == nil {
		return "", fmt.Errorf("%s: no chain yet: run genesis first", d.Cmd)
	}
	out, err := cmd(s, d)
	if err != nil {
		return "", fmt.Errorf("%s: %w", d.Cmd, err)
	}
	return s.display(out), nil
}

// scenarioKey is the private key keyID of the account called name: every
// key of every account is fixed by the two names.
func scenarioKey(name, keyID string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("scenario/" + name + "/" + keyID))
	return ed25519.NewKeyFromSeed(seed[:])
}

func publicKey(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// declare binds name to id. Binding a name again to the same id is
// harmless (a failed registration retried); to another id, a script error.
func (s *scenario) declare(name, id string) error {
	if prev, ok := s.ids[name]; ok && prev != id {
		return fmt.Errorf("name %q already stands for another identifier", name)
	}
	s.ids[name], s.names[id] = id, name
	return nil
}

// declareAccount declares the account called name, whose DID comes from
// its key-1.
func (s *scenario) declareAccount(name string) (string, error) {
	if s.orgs[name] {
		return "", fmt.Errorf("%q is an organization", name)
	}
	d := did.DeriveDID(publicKey(scenarioKey(name, did.FirstKeyID)))
	return d, s.declare(name, d)
}

// declareOrg declares the organization called name.
func (s *scenario) declareOrg(name, orgDID string) error {
	if err := s.declare(name, orgDID); err != nil {
		return err
	}
	s.orgs[name] = true
	return nil
}

// id returns the identifier of a declared name.
func (s *scenario) id(name string) (string, error) {
	id, ok := s.ids[name]
	if !ok {
		return "", fmt.Errorf("unknown name %q: declare it in genesis, or by register, create-org or anchor", name)
	}
	return id, nil
}

// account returns the DID of a declared account (not an organization).
func (s *scenario) account(name string) (string, error) {
	if s.orgs[name] {
		return "", fmt.Errorf("%q is an organization, not an account", name)
	}
	return s.id(name)
}

// display replaces every declared identifier in out by its name.
func (s *scenario) display(out string) string {
	ids := make([]string, 0, len(s.names))
	for id := range s.names {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	pairs := make([]string, 0, 2*len(ids))
	for _, id := range ids {
		pairs = append(pairs, id, s.names[id])
	}
	return strings.NewReplacer(pairs...).Replace(out)
}

// args checks that d's arguments are among allowed and single-valued, and
// returns them by key.
func args(d *datadriven.TestData, allowed ...string) (map[string]string, error) {
	out := make(map[string]string, len(d.CmdArgs))
	for _, a := range d.CmdArgs {
		if !slices.Contains(allowed, a.Key) || len(a.Vals) != 1 {
			return nil, fmt.Errorf("unknown argument %q; %s takes %s, each key=value", a.String(), d.Cmd, strings.Join(allowed, ", "))
		}
		out[a.Key] = a.Vals[0]
	}
	return out, nil
}

// inputLines returns the non-empty lines of d's input.
func inputLines(d *datadriven.TestData) []string {
	var out []string
	for _, l := range strings.Split(d.Input, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// genesis runs InitChain with the accounts of the input.
func (s *scenario) genesis(d *datadriven.TestData) (string, error) {
	opts, err := args(d, append([]string{"root", "seats"}, genesisOptionNames()...)...)
	if err != nil {
		return "", err
	}
	var seats uint64
	if v, ok := opts["seats"]; ok {
		if seats, err = strconv.ParseUint(v, 10, 32); err != nil {
			return "", fmt.Errorf("seats=%q: %v", v, err)
		}
	}
	if s.app != nil {
		return "", fmt.Errorf("the chain already exists")
	}
	g := app.DefaultGenesis()
	for _, line := range inputLines(d) {
		if err := s.genesisAccount(&g, line); err != nil {
			return "", err
		}
	}
	if founder, ok := opts["root"]; ok {
		f, err := s.account(founder)
		if err != nil {
			return "", err
		}
		root, err := g.Org.AddRootFederation(rootFederation, f, uint32(seats))
		if err != nil {
			return "", err
		}
		if err := s.declareOrg(rootFederation, root); err != nil {
			return "", err
		}
	}
	for _, name := range genesisOptionNames() {
		if v, ok := opts[name]; ok {
			if err := genesisOptions[name](&g, v); err != nil {
				return "", fmt.Errorf("%s=%s: %v", name, v, err)
			}
		}
	}
	raw, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		return "", err
	}
	a, err := app.New(cms, app.Options{})
	if err != nil {
		return "", err
	}
	if _, err := a.InitChain(testChainID, 1, genesisTime, raw); err != nil {
		// The chain is not started: a script may try another genesis.
		return fmt.Sprintf("InitChain refused: %v\n", err), nil
	}
	s.app = a
	return "ok\n", nil
}

// genesisOptions are further genesis options, by name, that other files
// of this package add (scenario_governance_test.go).
var genesisOptions = map[string]func(g *app.GenesisState, v string) error{}

// genesisOptionNames lists genesisOptions' names, sorted.
func genesisOptionNames() []string {
	names := make([]string, 0, len(genesisOptions))
	for n := range genesisOptions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// genesisAccount adds the account of one genesis line,
// "<name> [balance=N] [capacity=N] [rate=N]".
func (s *scenario) genesisAccount(g *app.GenesisState, line string) error {
	name, cmdArgs, err := datadriven.ParseLine(line)
	if err != nil {
		return err
	}
	d, err := s.declareAccount(name)
	if err != nil {
		return err
	}
	acc := mana.GenesisAccount{DID: d}
	fields := map[string]*uint64{"balance": &acc.Balance, "capacity": &acc.Capacity, "rate": &acc.Rate}
	for _, a := range cmdArgs {
		dest, ok := fields[a.Key]
		if !ok || len(a.Vals) != 1 {
			return fmt.Errorf("genesis account %s: unknown argument %q; want balance=N, capacity=N, rate=N", name, a.String())
		}
		if *dest, err = strconv.ParseUint(a.Vals[0], 10, 64); err != nil {
			return fmt.Errorf("genesis account %s: %s: %v", name, a.Key, err)
		}
	}
	g.DID.Documents = append(g.DID.Documents, &identityv1.DIDDocument{
		Did:  d,
		Keys: []*identityv1.VerificationKey{{Id: did.FirstKeyID, PublicKey: publicKey(scenarioKey(name, did.FirstKeyID))}},
	})
	g.Mana.Accounts = append(g.Mana.Accounts, acc)
	return nil
}

// tx signs the messages of the input as one transaction and runs it.
func (s *scenario) tx(d *datadriven.TestData) (string, error) {
	opts, err := args(d, "signer", "key", "sponsor")
	if err != nil {
		return "", err
	}
	var msgs []*txv1.Msg
	for _, line := range inputLines(d) {
		m, err := s.parseMsg(line)
		if err != nil {
			return "", fmt.Errorf("%q: %v", line, err)
		}
		msgs = append(msgs, m)
	}
	raw, err := s.signTx(opts, msgs)
	if err != nil {
		return "", err
	}
	if r := s.app.CheckTx(raw); r.Code != 0 {
		return "refused: " + resultLine(r) + "\n", nil
	}
	return s.runBlock([][]byte{raw})
}

// signTx builds the transaction: signer= is required, key= defaults to
// key-1, sponsor= signs for itself with its key-1.
func (s *scenario) signTx(opts map[string]string, msgs []*txv1.Msg) ([]byte, error) {
	name, ok := opts["signer"]
	if !ok {
		return nil, fmt.Errorf("signer=<account> is required")
	}
	signer, err := s.account(name)
	if err != nil {
		return nil, err
	}
	seq, err := s.sequence(signer)
	if err != nil {
		return nil, err
	}
	keyID := did.FirstKeyID
	if k, ok := opts["key"]; ok {
		keyID = k
	}
	p := client.TxParams{ChainID: testChainID, Signer: signer, KeyID: keyID, Sequence: seq}
	if sponsorName, ok := opts["sponsor"]; ok {
		sponsor, err := s.account(sponsorName)
		if err != nil {
			return nil, err
		}
		p.Sponsor = &client.Sponsor{Payer: sponsor, Signer: sponsor, KeyID: did.FirstKeyID, Sign: signWith(scenarioKey(sponsorName, did.FirstKeyID))}
	}
	return client.BuildTx(p, signWith(scenarioKey(name, keyID)), msgs...)
}

func signWith(k ed25519.PrivateKey) client.Signer {
	return func(b []byte) ([]byte, error) { return ed25519.Sign(k, b), nil }
}

// runBlock finalizes and commits txs as the next block and describes the
// results and the block's own events.
func (s *scenario) runBlock(txs [][]byte) (string, error) {
	h := s.app.LastCommit().Version + 1
	b, err := s.app.FinalizeBlock(h, genesisTime.Add(time.Duration(h)*time.Second), txs, nil)
	if err != nil {
		return "", err
	}
	if _, err := s.app.Commit(); err != nil {
		return "", err
	}
	var out strings.Builder
	for _, r := range b.TxResults {
		fmt.Fprintf(&out, "height %d: %s\n", h, resultLine(r))
		writeEvents(&out, "", r.Events)
	}
	writeEvents(&out, fmt.Sprintf("block %d: ", h), b.Events)
	return out.String(), nil
}

// resultLine is "ok" or the code and the stable part of the log.
func resultLine(r app.TxResult) string {
	if r.Code == 0 {
		return "ok"
	}
	return fmt.Sprintf("%s/%d: %s", r.Codespace, r.Code, stableLog(r.Codespace, r.Code, r.Log))
}

// stableLog cuts the log after the registered description of its code,
// keeping a "message <i>: " prefix. A log that does not start so is kept
// whole.
func stableLog(codespace string, code uint32, log string) string {
	prefix, rest := "", log
	if strings.HasPrefix(rest, "message ") {
		if i := strings.Index(rest, ": "); i >= 0 {
			prefix, rest = rest[:i+2], rest[i+2:]
		}
	}
	for _, e := range modules.Registered() {
		if e.Codespace() == codespace && e.Code() == code && strings.HasPrefix(rest, e.Error()) {
			return prefix + e.Error()
		}
	}
	return log
}

// writeEvents writes one line per event: its type and its attributes in
// order. Values with spaces are quoted.
func writeEvents(out *strings.Builder, prefix string, events []modules.Event) {
	for _, e := range events {
		out.WriteString(prefix + e.Type)
		for _, a := range e.Attributes {
			v := a.Value
			if v == "" || strings.ContainsAny(v, " \t\"") {
				v = strconv.Quote(v)
			}
			fmt.Fprintf(out, " %s=%s", a.Key, v)
		}
		out.WriteString("\n")
	}
}

// endBlock finishes n empty blocks.
func (s *scenario) endBlock(d *datadriven.TestData) (string, error) {
	opts, err := args(d, "n")
	if err != nil {
		return "", err
	}
	n := 1
	if v, ok := opts["n"]; ok {
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			return "", fmt.Errorf("n=%s: want a positive count of blocks", v)
		}
	}
	var out strings.Builder
	for range n {
		blk, err := s.runBlock(nil)
		if err != nil {
			return "", err
		}
		out.WriteString(blk)
	}
	fmt.Fprintf(&out, "height %d\n", s.app.LastCommit().Version)
	return out.String(), nil
}

// queries describe one kind of record of the last committed state.
var queries = map[string]func(s *scenario, name string) (string, error){
	"mana":     (*scenario).queryMana,
	"did":      (*scenario).queryDID,
	"org":      (*scenario).queryOrg,
	"sequence": (*scenario).querySequence,
}

// query runs "query <what> <name>".
func (s *scenario) query(d *datadriven.TestData) (string, error) {
	if len(d.CmdArgs) != 2 || d.CmdArgs[0].Vals != nil || d.CmdArgs[1].Vals != nil {
		return "", fmt.Errorf("want query mana|did|org|sequence <name>")
	}
	q, ok := queries[d.CmdArgs[0].Key]
	if !ok {
		return "", fmt.Errorf("unknown query %q; want mana, did, org or sequence", d.CmdArgs[0].Key)
	}
	out, err := q(s, d.CmdArgs[1].Key)
	var refused queryError
	if errors.As(err, &refused) {
		return string(refused) + "\n", nil
	}
	return out, err
}

// queryError is an answer of App.Query with a non-zero code: printed, not
// a script error.
type queryError string

func (e queryError) Error() string { return string(e) }

// get reads key at the last committed height through App.Query; nil when
// the key is absent.
func (s *scenario) get(key []byte) ([]byte, error) {
	r := s.app.Query(protocol.QueryPathStore, key, 0, false)
	if r.Code != 0 {
		return nil, queryError(fmt.Sprintf("query refused: %s/%d: %s", r.Codespace, r.Code, stableLog(r.Codespace, r.Code, r.Log)))
	}
	return r.Value, nil
}

// getRecord reads and decodes the record under key; found is false when
// the key is absent.
func (s *scenario) getRecord(key []byte, rec interface{ Unmarshal([]byte) error }) (found bool, err error) {
	v, err := s.get(key)
	if err != nil || v == nil {
		return false, err
	}
	return true, rec.Unmarshal(v)
}

// sequence is the next sequence of the account with DID d.
func (s *scenario) sequence(d string) (uint64, error) {
	if s.app.LastCommit().Version == 0 {
		return 0, nil // nothing committed: genesis sets no sequences here
	}
	v, err := s.get(did.SequenceKey(d))
	if err != nil || v == nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("stored sequence of %s has %d bytes", d, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

func (s *scenario) querySequence(name string) (string, error) {
	d, err := s.account(name)
	if err != nil {
		return "", err
	}
	seq, err := s.sequence(d)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s: next sequence %d\n", d, seq), nil
}

// queryMana describes the mana account: its effective balance at the last
// committed height beside what is stored, capacity and rate with the base
// grant they grow from.
func (s *scenario) queryMana(name string) (string, error) {
	d, err := s.id(name)
	if err != nil {
		return "", err
	}
	var acc manav1.Account
	if found, err := s.getRecord(mana.AccountKey(d), &acc); err != nil || !found {
		return d + ": no mana account\n", err
	}
	h := s.app.LastCommit().Version
	out := fmt.Sprintf("%s: balance %d at height %d (stored %d at height %d)\ncapacity %d, rate %d (base %d, %d)\n",
		d, mana.Effective(&acc, h), h, acc.Balance, acc.LastHeight, acc.Capacity, acc.Rate, acc.BaseCapacity, acc.BaseRate)
	if acc.Escrowed > 0 {
		out += fmt.Sprintf("escrowed %d\n", acc.Escrowed)
	}
	return out, nil
}

// queryDID describes the DID document: its keys, controllers and whether
// it is deactivated.
func (s *scenario) queryDID(name string) (string, error) {
	d, err := s.id(name)
	if err != nil {
		return "", err
	}
	var doc identityv1.DIDDocument
	if found, err := s.getRecord(did.DocumentKey(d), &doc); err != nil || !found {
		return d + ": not registered\n", err
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%s: created at height %d", d, doc.CreatedHeight)
	if doc.UpdatedHeight > 0 {
		fmt.Fprintf(&out, ", updated at height %d", doc.UpdatedHeight)
	}
	out.WriteString("\n")
	if doc.DeactivatedHeight > 0 {
		fmt.Fprintf(&out, "deactivated at height %d\n", doc.DeactivatedHeight)
	}
	if len(doc.Controllers) > 0 {
		fmt.Fprintf(&out, "controllers: %s\n", strings.Join(doc.Controllers, ", "))
	}
	for _, k := range doc.Keys {
		state := "active"
		if k.RevokedHeight > 0 {
			state = fmt.Sprintf("revoked at height %d", k.RevokedHeight)
		}
		fmt.Fprintf(&out, "%s: %s (added at height %d)\n", k.Id, state, k.AddedHeight)
	}
	return out.String(), nil
}

// queryOrg describes the organization and its members, sorted by name,
// with their roles. The members are a prefix of the committed state, which
// App.Query (one key at a time) cannot list.
func (s *scenario) queryOrg(name string) (string, error) {
	d, err := s.id(name)
	if err != nil {
		return "", err
	}
	var o identityv1.Organization
	if found, err := s.getRecord(org.OrganizationKey(d), &o); err != nil || !found {
		return d + ": not an organization\n", err
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%s: %s", d, org.KindName(o.Kind))
	if o.Parent != "" {
		fmt.Fprintf(&out, " under %s", o.Parent)
	}
	fmt.Fprintf(&out, ", founded by %s at height %d\ncontrol: %s", o.Founder, o.CreatedHeight, org.ControlName(o.Control))
	if o.ControlTransferredHeight > 0 {
		fmt.Fprintf(&out, " since height %d", o.ControlTransferredHeight)
	}
	out.WriteString("\n")
	members, err := s.members(d)
	if err != nil {
		return "", err
	}
	for _, m := range members {
		fmt.Fprintf(&out, "member %s: %s (joined at height %d)\n", m.Member, strings.Join(m.Roles, ", "), m.JoinedHeight)
	}
	return out.String(), nil
}

// members lists the memberships of orgDID, sorted by the members' names.
func (s *scenario) members(orgDID string) ([]*identityv1.Membership, error) {
	kv, err := s.app.CommittedState(s.app.LastCommit().Version)
	if err != nil {
		return nil, err
	}
	var out []*identityv1.Membership
	err = modules.Walk(kv, org.MembersPrefix(orgDID), func(_ []byte, m *identityv1.Membership) (bool, error) {
		out = append(out, m)
		return false, nil
	})
	sort.Slice(out, func(i, j int) bool { return s.display(out[i].Member) < s.display(out[j].Member) })
	return out, err
}

// msgParser reads one message line, "<name> <positional>... [key=value]...".
type msgParser struct {
	// args names the positional arguments, in order, for the usage line.
	args []string
	// opts are the key=value options the message takes; required ones are
	// checked by build.
	opts []string
	// build makes the message from the arguments.
	build func(s *scenario, a msgArgs) (*txv1.Msg, error)
}

// msgArgs are the arguments of one message line.
type msgArgs struct {
	pos  []string
	opts map[string][]string
}

// opt returns the single value of option key; "" when absent.
func (a msgArgs) opt(key string) string {
	if v := a.opts[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// listOption is the one option that takes a list, roles=(r1, r2).
const listOption = "roles"

// msgParsers is every message a script can send, by line name.
var msgParsers = map[string]msgParser{
	"register":         {args: []string{"account"}, build: buildRegister},
	"add-key":          {args: []string{"account", "key-id"}, build: buildAddKey},
	"rotate-key":       {args: []string{"account", "key-id", "new-key-id"}, build: buildRotateKey},
	"revoke-key":       {args: []string{"account", "key-id"}, build: buildRevokeKey},
	"deactivate":       {args: []string{"account"}, build: buildDeactivate},
	"create-org":       {args: []string{"name"}, opts: []string{"kind", "parent"}, build: buildCreateOrg},
	"invite":           {args: []string{"org", "account"}, opts: []string{"roles"}, build: buildInvite},
	"accept":           {args: []string{"org"}, build: buildAccept},
	"leave":            {args: []string{"org"}, build: buildLeave},
	"remove":           {args: []string{"org", "account"}, build: buildRemove},
	"grant-role":       {args: []string{"org", "account", "role"}, build: buildGrantRole},
	"revoke-role":      {args: []string{"org", "account", "role"}, build: buildRevokeRole},
	"transfer-control": {args: []string{"org"}, build: buildTransferControl},
	"set-seats":        {args: []string{"org", "seats"}, build: buildSetSeats},
	"freeze":           {args: []string{"org", "account"}, opts: []string{"reason"}, build: buildFreeze},
	"unfreeze":         {args: []string{"org", "account"}, opts: []string{"reason"}, build: buildUnfreeze},
	"appeal":           {args: []string{"org"}, opts: []string{"statement"}, build: buildAppeal},
	"anchor":           {args: []string{"name"}, opts: []string{"kind"}, build: buildAnchor},
}

// usage is the line form of the message called name.
func (p msgParser) usage(name string) string {
	parts := []string{name}
	for _, a := range p.args {
		parts = append(parts, "<"+a+">")
	}
	for _, o := range p.opts {
		parts = append(parts, o+"=...")
	}
	return strings.Join(parts, " ")
}

// parseMsg reads one message line: positional arguments are the bare
// words, options the key=value (or key=(v1, v2)) ones.
func (s *scenario) parseMsg(line string) (*txv1.Msg, error) {
	name, cmdArgs, err := datadriven.ParseLine(line)
	if err != nil {
		return nil, err
	}
	p, ok := msgParsers[name]
	if !ok {
		names := make([]string, 0, len(msgParsers))
		for n := range msgParsers {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unknown message %q; the messages are %s", name, strings.Join(names, ", "))
	}
	a := msgArgs{opts: map[string][]string{}}
	for _, c := range cmdArgs {
		switch {
		case c.Vals == nil:
			a.pos = append(a.pos, c.Key)
		case slices.Contains(p.opts, c.Key) && (len(c.Vals) == 1 || c.Key == listOption):
			a.opts[c.Key] = c.Vals
		default:
			return nil, fmt.Errorf("unknown option %q (or a list where one value goes); usage: %s", c.String(), p.usage(name))
		}
	}
	if len(a.pos) != len(p.args) {
		return nil, fmt.Errorf("want %d positional arguments; usage: %s", len(p.args), p.usage(name))
	}
	return p.build(s, a)
}

// orgAndAccount resolves "<org> <account>" arguments.
func (s *scenario) orgAndAccount(a msgArgs) (orgDID, account string, err error) {
	if orgDID, err = s.id(a.pos[0]); err != nil {
		return "", "", err
	}
	account, err = s.account(a.pos[1])
	return orgDID, account, err
}

// buildRegister registers the account called a.pos[0], declaring it: its
// key-1 signs the proof of possession.
func buildRegister(s *scenario, a msgArgs) (*txv1.Msg, error) {
	d, err := s.declareAccount(a.pos[0])
	if err != nil {
		return nil, err
	}
	k := scenarioKey(a.pos[0], did.FirstKeyID)
	pop := ed25519.Sign(k, did.RegistrationBytes(testChainID, d))
	return &txv1.Msg{Sum: &txv1.Msg_RegisterDid{RegisterDid: &identityv1.MsgRegisterDID{PublicKey: publicKey(k), ProofOfPossession: pop}}}, nil
}

// newKey is the key keyID of the account called name, with the proof of
// possession for d's slot keyID.
func newKey(name, d, keyID string) (ed25519.PublicKey, []byte) {
	k := scenarioKey(name, keyID)
	return publicKey(k), ed25519.Sign(k, did.KeyPossessionBytes(testChainID, d, keyID))
}

func buildAddKey(s *scenario, a msgArgs) (*txv1.Msg, error) {
	d, err := s.account(a.pos[0])
	if err != nil {
		return nil, err
	}
	pub, pop := newKey(a.pos[0], d, a.pos[1])
	return &txv1.Msg{Sum: &txv1.Msg_AddKey{AddKey: &identityv1.MsgAddKey{Did: d, KeyId: a.pos[1], PublicKey: pub, ProofOfPossession: pop}}}, nil
}

func buildRotateKey(s *scenario, a msgArgs) (*txv1.Msg, error) {
	d, err := s.account(a.pos[0])
	if err != nil {
		return nil, err
	}
	pub, pop := newKey(a.pos[0], d, a.pos[2])
	return &txv1.Msg{Sum: &txv1.Msg_RotateKey{RotateKey: &identityv1.MsgRotateKey{
		Did: d, KeyId: a.pos[1], NewKeyId: a.pos[2], NewPublicKey: pub, ProofOfPossession: pop,
	}}}, nil
}

func buildRevokeKey(s *scenario, a msgArgs) (*txv1.Msg, error) {
	d, err := s.account(a.pos[0])
	if err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_RevokeKey{RevokeKey: &identityv1.MsgRevokeKey{Did: d, KeyId: a.pos[1]}}}, nil
}

func buildDeactivate(s *scenario, a msgArgs) (*txv1.Msg, error) {
	d, err := s.account(a.pos[0])
	if err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_DeactivateDid{DeactivateDid: &identityv1.MsgDeactivateDID{Did: d}}}, nil
}

// buildCreateOrg founds the organization a.pos[0], declaring it under the
// DID its name and parent give. kind= is required; without parent= the
// message has none (which the chain refuses).
func buildCreateOrg(s *scenario, a msgArgs) (*txv1.Msg, error) {
	kind, err := org.ParseOrgKind(a.opt("kind"))
	if err != nil {
		return nil, err
	}
	var parent string
	if p := a.opt("parent"); p != "" {
		if parent, err = s.id(p); err != nil {
			return nil, err
		}
	}
	if err := s.declareOrg(a.pos[0], org.DeriveOrgDID(parent, a.pos[0])); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_CreateOrganization{CreateOrganization: &identityv1.MsgCreateOrganization{Name: a.pos[0], Kind: kind, Parent: parent}}}, nil
}

func buildInvite(s *scenario, a msgArgs) (*txv1.Msg, error) {
	o, m, err := s.orgAndAccount(a)
	if err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_InviteMember{InviteMember: &identityv1.MsgInviteMember{Org: o, Member: m, Roles: a.opts["roles"]}}}, nil
}

func buildAccept(s *scenario, a msgArgs) (*txv1.Msg, error) {
	o, err := s.id(a.pos[0])
	return &txv1.Msg{Sum: &txv1.Msg_AcceptInvitation{AcceptInvitation: &identityv1.MsgAcceptInvitation{Org: o}}}, err
}

func buildLeave(s *scenario, a msgArgs) (*txv1.Msg, error) {
	o, err := s.id(a.pos[0])
	return &txv1.Msg{Sum: &txv1.Msg_LeaveOrganization{LeaveOrganization: &identityv1.MsgLeaveOrganization{Org: o}}}, err
}

func buildRemove(s *scenario, a msgArgs) (*txv1.Msg, error) {
	o, m, err := s.orgAndAccount(a)
	return &txv1.Msg{Sum: &txv1.Msg_RemoveMember{RemoveMember: &identityv1.MsgRemoveMember{Org: o, Member: m}}}, err
}

func buildGrantRole(s *scenario, a msgArgs) (*txv1.Msg, error) {
	o, m, err := s.orgAndAccount(a)
	return &txv1.Msg{Sum: &txv1.Msg_GrantRole{GrantRole: &identityv1.MsgGrantRole{Org: o, Member: m, Role: a.pos[2]}}}, err
}

func buildRevokeRole(s *scenario, a msgArgs) (*txv1.Msg, error) {
	o, m, err := s.orgAndAccount(a)
	return &txv1.Msg{Sum: &txv1.Msg_RevokeRole{RevokeRole: &identityv1.MsgRevokeRole{Org: o, Member: m, Role: a.pos[2]}}}, err
}

func buildTransferControl(s *scenario, a msgArgs) (*txv1.Msg, error) {
	o, err := s.id(a.pos[0])
	return &txv1.Msg{Sum: &txv1.Msg_TransferControl{TransferControl: &identityv1.MsgTransferControl{Org: o}}}, err
}

func buildSetSeats(s *scenario, a msgArgs) (*txv1.Msg, error) {
	o, err := s.id(a.pos[0])
	if err != nil {
		return nil, err
	}
	n, err := strconv.ParseUint(a.pos[1], 10, 32)
	if err != nil {
		return nil, fmt.Errorf("seats %q: %v", a.pos[1], err)
	}
	return &txv1.Msg{Sum: &txv1.Msg_SetSeats{SetSeats: &identityv1.MsgSetSeats{Org: o, Seats: uint32(n)}}}, nil
}

func buildFreeze(s *scenario, a msgArgs) (*txv1.Msg, error) {
	o, acc, err := s.orgAndAccount(a)
	return &txv1.Msg{Sum: &txv1.Msg_FreezeAccount{FreezeAccount: &identityv1.MsgFreezeAccount{Org: o, Account: acc, Reason: a.opt("reason")}}}, err
}

func buildUnfreeze(s *scenario, a msgArgs) (*txv1.Msg, error) {
	o, acc, err := s.orgAndAccount(a)
	return &txv1.Msg{Sum: &txv1.Msg_UnfreezeAccount{UnfreezeAccount: &identityv1.MsgUnfreezeAccount{Org: o, Account: acc, Reason: a.opt("reason")}}}, err
}

func buildAppeal(s *scenario, a msgArgs) (*txv1.Msg, error) {
	o, err := s.id(a.pos[0])
	return &txv1.Msg{Sum: &txv1.Msg_AppealFreeze{AppealFreeze: &identityv1.MsgAppealFreeze{Org: o, Statement: a.opt("statement")}}}, err
}

// buildAnchor anchors the raw CID of the bytes of a.pos[0], declaring the
// name for the CID.
func buildAnchor(s *scenario, a msgArgs) (*txv1.Msg, error) {
	c := client.RawCID([]byte(a.pos[0]))
	if err := s.declare(a.pos[0], c.String()); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_Anchor{Anchor: &dagv1.MsgAnchor{Cid: c.Bytes(), Kind: a.opt("kind")}}}, nil
}

// TestScenarioScriptErrors checks that the harness refuses what a script
// gets wrong, with a message that names the mistake, instead of running
// something else.
func TestScenarioScriptErrors(t *testing.T) {
	cases := []struct {
		name, cmd, input, want string
	}{
		{"unknown command", "mint alice", "", `unknown command "mint"`},
		{"second genesis", "genesis", "bob", "the chain already exists"},
		{"genesis argument", "genesis founder=alice", "", `unknown argument "founder=alice"`},
		{"tx argument", "tx signer=alice fee=3", "anchor a kind=doc", `unknown argument "fee=3"`},
		{"tx without signer", "tx key=key-2", "anchor a kind=doc", "signer=<account> is required"},
		{"organization signing", "tx signer=root", "anchor a kind=doc", `"root" is an organization`},
		{"unknown message", "tx signer=alice", "mint 5", `unknown message "mint"`},
		{"unknown option", "tx signer=alice", "invite root alice role=clerk", `unknown option "role=clerk" (or a list where one value goes); usage: invite <org> <account> roles=...`},
		{"list for one value", "tx signer=alice", "freeze root alice reason=(late, again)", `unknown option "reason=(late, again)"`},
		{"missing argument", "tx signer=alice", "add-key alice", "want 2 positional arguments; usage: add-key <account> <key-id>"},
		{"undeclared name", "tx signer=alice", "invite root zed", `unknown name "zed"`},
		{"unknown kind", "tx signer=alice", "create-org coop kind=guild parent=root", "invalid organization kind"},
		{"zero blocks", "end-block n=0", "", "n=0: want a positive count of blocks"},
		{"unknown query", "query balance alice", "", `unknown query "balance"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newScenario()
			if _, err := s.run(testData(t, "genesis root=alice", "alice balance=1000 capacity=1000 rate=1")); err != nil {
				t.Fatal(err)
			}
			_, err := s.run(testData(t, c.cmd, c.input))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error containing %q, got %v", c.want, err)
			}
		})
	}
	t.Run("before genesis", func(t *testing.T) {
		_, err := newScenario().run(testData(t, "end-block", ""))
		if err == nil || !strings.Contains(err.Error(), "no chain yet") {
			t.Fatalf("want a no-chain error, got %v", err)
		}
	})
}

// testData is the directive cmd with input, as a script would hold it.
func testData(t *testing.T, cmd, input string) *datadriven.TestData {
	t.Helper()
	name, args, err := datadriven.ParseLine(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return &datadriven.TestData{Pos: "test", Cmd: name, CmdArgs: args, Input: input}
}
