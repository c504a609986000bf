package indexer

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/profile"
	didmod "github.com/intercooperative/icnd/modules/did"
	orgmod "github.com/intercooperative/icnd/modules/org"
	profilemod "github.com/intercooperative/icnd/modules/profile"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Limits of a sync request's contact fields.
const (
	maxContactFields     = 16
	maxContactValueBytes = 496
)

// apiError is a refusal with its HTTP status and stable code.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func refuse(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// signedRequest is a request whose signature checked out against a key
// that the chain says the DID holds, at height.
type signedRequest struct {
	did    string
	hash   []byte // SHA-256 of the signed bytes: the audit log's request hash
	ts     int64
	height int64
}

// prover verifies the sync API's queries with the light client. Its checks
// run one at a time: the light client's trusted store is one database.
type prover struct {
	mu      sync.Mutex
	chainID string
	q       *client.Querier
}

func (ix *Indexer) prover() (*prover, error) {
	ix.proverMu.Lock()
	defer ix.proverMu.Unlock()
	if ix.proverVal != nil {
		return ix.proverVal, nil
	}
	// Made on first use, and again after a failure: the node may come up
	// after the indexer.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	chainID, _, _, err := ix.chain.status(ctx)
	if err != nil {
		return nil, err
	}
	p, err := client.NewProver(client.ProverConfig{ChainID: chainID, Primary: ix.cfg.Node, Witnesses: ix.cfg.Witnesses,
		TrustDir: ix.cfg.TrustDir, Wait: 20 * time.Second})
	if err != nil {
		return nil, err
	}
	ix.proverVal = &prover{chainID: chainID, q: client.NewQuerier(nil, p)}
	return ix.proverVal, nil
}

// authenticate runs the first three checks of docs/indexer.md, section 4,
// in order: the DID and key are valid on chain (proven), the timestamp is
// in the window, the signature verifies.
func (ix *Indexer) authenticate(ctx context.Context, pv *prover, r *http.Request, body []byte) (*signedRequest, error) {
	did, keyID := r.Header.Get(client.HeaderDID), r.Header.Get(client.HeaderKeyID)
	tsText, sigText := r.Header.Get(client.HeaderTimestamp), r.Header.Get(client.HeaderSignature)
	if did == "" || keyID == "" || tsText == "" || sigText == "" {
		return nil, refuse(http.StatusUnauthorized, "unsigned", "the request must carry the headers %s, %s, %s and %s",
			client.HeaderDID, client.HeaderKeyID, client.HeaderTimestamp, client.HeaderSignature)
	}
	if err := didmod.ParseDID(did); err != nil {
		return nil, refuse(http.StatusBadRequest, "bad_did", "%s: %v", client.HeaderDID, err)
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil || ts <= 0 || strconv.FormatInt(ts, 10) != tsText {
		return nil, refuse(http.StatusBadRequest, "bad_timestamp", "%s must be decimal Unix seconds, got %q", client.HeaderTimestamp, tsText)
	}
	sig, err := base64.StdEncoding.DecodeString(sigText)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, refuse(http.StatusBadRequest, "bad_signature_encoding", "%s must be a base64 Ed25519 signature (64 bytes)", client.HeaderSignature)
	}

	// 1. The DID and the key are valid on chain.
	doc, res, err := pv.q.DIDDocument(ctx, did, 0)
	if errors.Is(err, client.ErrNotFound) {
		return nil, refuse(http.StatusUnauthorized, "unknown_did", "%s is not registered on chain", did)
	}
	if err != nil {
		return nil, refuse(http.StatusBadGateway, "proof_failed", "cannot prove %s's document: %v", did, err)
	}
	if doc.DeactivatedHeight != 0 {
		return nil, refuse(http.StatusUnauthorized, "did_deactivated", "%s was deactivated at height %d", did, doc.DeactivatedHeight)
	}
	var pub []byte
	for _, k := range doc.Keys {
		if k.Id != keyID {
			continue
		}
		if k.RevokedHeight != 0 {
			return nil, refuse(http.StatusUnauthorized, "key_revoked", "key %s of %s was revoked at height %d", keyID, did, k.RevokedHeight)
		}
		pub = k.PublicKey
	}
	if pub == nil {
		return nil, refuse(http.StatusUnauthorized, "unknown_key", "%s has no key %q", did, keyID)
	}
	// 2. The timestamp is within the window.
	now := ix.cfg.Now()
	if d := now.Sub(time.Unix(ts, 0)); d > client.SyncWindow || d < -client.SyncWindow {
		return nil, refuse(http.StatusUnauthorized, "timestamp_expired", "the request's timestamp %d is %s from the indexer's clock; the window is %s",
			ts, d.Round(time.Second), client.SyncWindow)
	}
	// 3. The signature verifies.
	msg := client.SignedRequestBytes(ts, r.Method, r.URL.RequestURI(), body)
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, msg, sig) {
		return nil, refuse(http.StatusUnauthorized, "bad_signature", "the signature does not verify with key %s of %s", keyID, did)
	}
	sum := sha256.Sum256(msg)
	return &signedRequest{did: did, hash: sum[:], ts: ts, height: res.Height}, nil
}

// parseSyncRequest decodes and checks a sync body.
func parseSyncRequest(body []byte) (*client.SyncRequest, error) {
	var req client.SyncRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, refuse(http.StatusBadRequest, "bad_body", "the body is not a sync request: %v", err)
	}
	if dec.More() {
		return nil, refuse(http.StatusBadRequest, "bad_body", "the body holds more than one JSON value")
	}
	if err := didmod.ParseDID(req.Org); err != nil {
		return nil, refuse(http.StatusBadRequest, "bad_org", "org: %v", err)
	}
	if req.Consent && req.Email == "" {
		return nil, refuse(http.StatusBadRequest, "email_required", "a sync with consent must give the email of the on-chain profile")
	}
	if !req.Consent && (req.Email != "" || len(req.Fields) > 0) {
		return nil, refuse(http.StatusBadRequest, "consent_required", "contact details are kept only with consent: set consent to true, or send none")
	}
	if len(req.Fields) > maxContactFields {
		return nil, refuse(http.StatusBadRequest, "bad_fields", "at most %d fields", maxContactFields)
	}
	for name, v := range req.Fields {
		if err := profilemod.ValidateProfileFieldName(name); err != nil {
			return nil, refuse(http.StatusBadRequest, "bad_fields", "field %q: %v", name, err)
		}
		if name == profile.EmailField {
			return nil, refuse(http.StatusBadRequest, "bad_fields", "give the email as \"email\", not as a field")
		}
		if len(v) > maxContactValueBytes || !utf8.ValidString(v) {
			return nil, refuse(http.StatusBadRequest, "bad_fields", "field %q: at most %d bytes of UTF-8", name, maxContactValueBytes)
		}
	}
	return &req, nil
}

// emailHashes bounds the concurrent Argon2id evaluations (64 MiB each).
var emailHashes = make(chan struct{}, 2)

// handleSync is POST /v1/sync.
func (ix *Indexer) handleSync(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	req, err := parseSyncRequest(body)
	if err != nil {
		writeError(w, err)
		return
	}
	pv, err := ix.prover()
	if err != nil {
		writeError(w, refuse(http.StatusServiceUnavailable, "node_unavailable", "cannot reach the node: %v", err))
		return
	}
	pv.mu.Lock()
	sr, err := ix.authenticate(r.Context(), pv, r, body)
	if err == nil {
		err = ix.checkSyncOnChain(r.Context(), pv, sr, req)
	}
	pv.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	status, err := ix.storeContact(r.Context(), sr, req, sourceOf(r))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, client.SyncResponse{Status: status, Height: sr.height})
}

// checkSyncOnChain runs checks 4 and 5: the email's salted hash equals the
// on-chain profile's, and the DID is a member of the organization, both
// proven at the height the DID's document was read at.
func (ix *Indexer) checkSyncOnChain(ctx context.Context, pv *prover, sr *signedRequest, req *client.SyncRequest) error {
	if req.Consent {
		p, _, err := pv.q.Profile(ctx, sr.did, sr.height)
		if err != nil && !errors.Is(err, client.ErrNotFound) {
			return refuse(http.StatusBadGateway, "proof_failed", "cannot prove %s's profile: %v", sr.did, err)
		}
		if p == nil || len(p.EmailHash) == 0 {
			return refuse(http.StatusForbidden, "email_mismatch", "%s has no email hash in its on-chain profile: set one with `icnd tx identity set-profile --email`", sr.did)
		}
		emailHashes <- struct{}{}
		h, herr := profile.EmailHash(pv.chainID, req.Email)
		<-emailHashes
		if herr != nil {
			return refuse(http.StatusBadRequest, "bad_email", "email: %v", herr)
		}
		if !bytes.Equal(h, p.EmailHash) {
			return refuse(http.StatusForbidden, "email_mismatch", "the email's salted hash differs from the one in %s's on-chain profile", sr.did)
		}
	}
	if _, err := ix.provenMembership(ctx, pv, req.Org, sr.did, sr.height); err != nil {
		return err
	}
	return nil
}

// provenMembership reads did's membership of org at height with a proof.
func (ix *Indexer) provenMembership(ctx context.Context, pv *prover, org, did string, height int64) (*identityv1.Membership, error) {
	res, err := pv.q.Get(ctx, orgmod.MembershipKey(org, did), height)
	if err != nil {
		return nil, refuse(http.StatusBadGateway, "proof_failed", "cannot prove the membership of %s in %s: %v", did, org, err)
	}
	if res.Value == nil {
		return nil, refuse(http.StatusForbidden, "not_member", "%s is not a member of %s at height %d", did, org, res.Height)
	}
	m := new(identityv1.Membership)
	if err := m.Unmarshal(res.Value); err != nil {
		return nil, refuse(http.StatusBadGateway, "proof_failed", "decode the membership: %v", err)
	}
	return m, nil
}

// storeContact is the idempotent UPSERT and its audit row, in one
// transaction. A request replaces the stored one only when its timestamp
// is later, so a replay (inside the window) changes nothing; the audit log
// holds one row per request hash.
func (ix *Indexer) storeContact(ctx context.Context, sr *signedRequest, req *client.SyncRequest, source string) (string, error) {
	var email, fields any
	action := "withdraw"
	if req.Consent {
		action = "sync"
		email = req.Email
		f := req.Fields
		if f == nil {
			f = map[string]string{}
		}
		raw, err := json.Marshal(f)
		if err != nil {
			return "", err
		}
		fields = string(raw)
	}
	status := "unchanged"
	err := pgx.BeginFunc(ctx, ix.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO member_contacts (org, did, email, fields, gdpr_consent, gdpr_marketing_consent, gdpr_deleted, request_time, request_hash, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, false, $7, $8, now())
			ON CONFLICT (org, did) DO UPDATE SET email = $3, fields = $4, gdpr_consent = $5, gdpr_marketing_consent = $6,
				gdpr_deleted = false, request_time = $7, request_hash = $8, updated_at = now(), erased_height = NULL
			WHERE member_contacts.request_time < $7`,
			req.Org, sr.did, email, fields, req.Consent, req.MarketingConsent, sr.ts, sr.hash)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		if req.Consent {
			status = "stored"
		} else {
			status = "withdrawn"
		}
		_, err = tx.Exec(ctx, `INSERT INTO sync_audit (action, did, org, request_hash, at, source) VALUES ($1, $2, $3, $4, now(), $5)
			ON CONFLICT (request_hash) DO NOTHING`, action, sr.did, req.Org, sr.hash, source)
		return err
	})
	return status, err
}

// queueErase nulls every plaintext field of did, sets gdpr_deleted and
// writes an audit row, in the transaction of the block (at height h, time
// t) that erased did's profile. Contacts synced after that block (a later
// profile and a new consent) are not touched when a rebuild replays it.
func queueErase(b *pgx.Batch, did string, h int64, t time.Time) {
	b.Queue(`UPDATE member_contacts SET email = NULL, fields = NULL, gdpr_consent = false, gdpr_marketing_consent = false,
			gdpr_deleted = true, erased_height = $2
		WHERE did = $1 AND request_time <= $3`, did, h, t.Unix())
	b.Queue(`UPDATE sync_audit SET source = NULL WHERE did = $1`, did)
	sum := sha256.Sum256(fmt.Appendf(nil, "erase_profile\x00%s\x00%d", did, h))
	b.Queue(`INSERT INTO sync_audit (action, did, org, request_hash, at, source) VALUES ('erase', $1, '', $2, $3, NULL)
		ON CONFLICT (request_hash) DO NOTHING`, did, sum[:], t)
}

// handleContacts is GET /v1/orgs/{did}/contacts: a request signed by a DID
// that holds the reader role in the organization.
func (ix *Indexer) handleContacts(w http.ResponseWriter, r *http.Request) {
	org := r.PathValue("did")
	if err := didmod.ParseDID(org); err != nil {
		writeError(w, refuse(http.StatusBadRequest, "bad_did", "%v", err))
		return
	}
	pv, err := ix.prover()
	if err != nil {
		writeError(w, refuse(http.StatusServiceUnavailable, "node_unavailable", "cannot reach the node: %v", err))
		return
	}
	pv.mu.Lock()
	sr, err := ix.authenticate(r.Context(), pv, r, nil)
	var m *identityv1.Membership
	if err == nil {
		m, err = ix.provenMembership(r.Context(), pv, org, sr.did, sr.height)
	}
	pv.mu.Unlock()
	if err != nil {
		if e, ok := err.(*apiError); ok && e.code == "not_member" {
			err = refuse(http.StatusForbidden, "not_reader", "%s does not hold the role %q in %s", sr.did, ix.cfg.ReaderRole, org)
		}
		writeError(w, err)
		return
	}
	if !slices.Contains(m.Roles, ix.cfg.ReaderRole) {
		writeError(w, refuse(http.StatusForbidden, "not_reader", "%s does not hold the role %q in %s", sr.did, ix.cfg.ReaderRole, org))
		return
	}
	rows, err := ix.pool.Query(r.Context(), `SELECT did, email, coalesce(fields, '{}'::jsonb), gdpr_marketing_consent, updated_at
		FROM member_contacts WHERE org = $1 AND gdpr_consent AND NOT gdpr_deleted ORDER BY did`, org)
	if err != nil {
		writeError(w, err)
		return
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (client.Contact, error) {
		var c client.Contact
		err := row.Scan(&c.DID, &c.Email, &c.Fields, &c.MarketingConsent, &c.UpdatedAt)
		return c, err
	})
	if err != nil {
		writeError(w, err)
		return
	}
	if _, err := ix.pool.Exec(r.Context(), `INSERT INTO sync_audit (action, did, org, request_hash, at, source) VALUES ('read', $1, $2, $3, now(), $4)
		ON CONFLICT (request_hash) DO NOTHING`, sr.did, org, sr.hash, sourceOf(r)); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNilSlice(items)})
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// readBody reads a request body of at most client.MaxSyncBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, client.MaxSyncBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, refuse(http.StatusRequestEntityTooLarge, "body_too_large", "the body exceeds %d bytes", client.MaxSyncBody)
		}
		return nil, refuse(http.StatusBadRequest, "bad_body", "read the body: %v", err)
	}
	return body, nil
}

// sourceOf is the audit log's source address: the peer's IP.
func sourceOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
