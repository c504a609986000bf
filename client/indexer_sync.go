package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The signed requests of an indexer's member-sync API (docs/indexer.md,
// section 4). A request carries four headers; the signature is Ed25519, by
// a key of the DID's document, over SignedRequestBytes.
const (
	HeaderDID       = "X-ICN-DID"
	HeaderKeyID     = "X-ICN-Key-ID"
	HeaderTimestamp = "X-ICN-Timestamp"
	HeaderSignature = "X-ICN-Signature"

	// SyncPath is where a member POSTs a SyncRequest.
	SyncPath = "/v1/sync"
	// SyncWindow is how far a request's timestamp may be from the
	// indexer's clock, either way.
	SyncWindow = 5 * time.Minute
	// MaxSyncBody bounds a request body, in bytes.
	MaxSyncBody = 16 << 10
)

// SyncRequest is the body of a member sync: the plaintext contact details
// the member lets one organization's indexer hold.
type SyncRequest struct {
	// Org is the organization's DID.
	Org string `json:"org"`
	// Consent must be true for the indexer to keep any plaintext; false
	// withdraws it, and the indexer nulls what it held.
	Consent bool `json:"consent"`
	// MarketingConsent is gdpr_marketing_consent: may the organization
	// send the member mailings beyond its duties.
	MarketingConsent bool `json:"gdpr_marketing_consent"`
	// Email must hash (docs/profiles.md, section 2) to the email hash of
	// the member's on-chain profile. Required with Consent.
	Email string `json:"email,omitempty"`
	// Fields are further contact details, named like profile fields.
	Fields map[string]string `json:"fields,omitempty"`
}

// SyncResponse is the indexer's answer to an accepted sync.
type SyncResponse struct {
	// Status is "stored", "withdrawn" or "unchanged" (a replay, or a
	// request older than the one the indexer holds).
	Status string `json:"status"`
	// Height is the chain height the checks were proven at.
	Height int64 `json:"height"`
}

// Contact is a member's contact details as an organization's reader gets
// them.
type Contact struct {
	DID              string            `json:"did"`
	Email            string            `json:"email"`
	Fields           map[string]string `json:"fields,omitempty"`
	MarketingConsent bool              `json:"gdpr_marketing_consent"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

// APIError is an indexer's refusal: the HTTP status, a stable code and a
// message.
type APIError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"error"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("indexer refused (%d %s): %s", e.Status, e.Code, e.Message)
}

// SignedRequestBytes are the bytes a request's signature covers: the
// timestamp as decimal Unix seconds, the method, the path with its query
// string (the request URI) and the body, concatenated with no separator.
func SignedRequestBytes(timestamp int64, method, requestURI string, body []byte) []byte {
	ts := strconv.FormatInt(timestamp, 10)
	out := make([]byte, 0, len(ts)+len(method)+len(requestURI)+len(body))
	out = append(out, ts...)
	out = append(out, method...)
	out = append(out, requestURI...)
	return append(out, body...)
}

// RequestSigner signs indexer requests as a DID with one of its keys.
type RequestSigner struct {
	DID   string
	KeyID string
	Sign  Signer
	// Now is the clock (default time.Now).
	Now func() time.Time
	// HTTP is the client used (default: one with a 60s timeout).
	HTTP *http.Client
}

func (s RequestSigner) do(ctx context.Context, method, base, uri string, body []byte, out any) error {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	hc := s.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(base, "/")+uri, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := now().Unix()
	sig, err := s.Sign(SignedRequestBytes(ts, method, req.URL.RequestURI(), body))
	if err != nil {
		return err
	}
	req.Header.Set(HeaderDID, s.DID)
	req.Header.Set(HeaderKeyID, s.KeyID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, base64.StdEncoding.EncodeToString(sig))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("indexer %s: %w", base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		apiErr := &APIError{Status: resp.StatusCode}
		if json.Unmarshal(raw, apiErr) != nil || apiErr.Code == "" {
			apiErr.Code, apiErr.Message = "http", strings.TrimSpace(string(raw))
		}
		return apiErr
	}
	return json.Unmarshal(raw, out)
}

// Sync sends r to the indexer at base (http://host:port) and returns its
// answer; a refusal is an *APIError.
func (s RequestSigner) Sync(ctx context.Context, base string, r SyncRequest) (*SyncResponse, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	out := new(SyncResponse)
	if err := s.do(ctx, http.MethodPost, base, SyncPath, body, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Contacts reads the contact details of org's consenting members, as a
// holder of the role the indexer names for readers.
func (s RequestSigner) Contacts(ctx context.Context, base, org string) ([]Contact, error) {
	var out struct {
		Items []Contact `json:"items"`
	}
	if err := s.do(ctx, http.MethodGet, base, "/v1/orgs/"+org+"/contacts", nil, &out); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// IsAPIError reports whether err is an indexer refusal with code.
func IsAPIError(err error, code string) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == code
}
