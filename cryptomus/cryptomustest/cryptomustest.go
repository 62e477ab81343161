// Package cryptomustest is a fake Cryptomus for tests: an HTTP server that
// checks the merchant and sign headers as Cryptomus does, keeps static
// wallets, blocks them, refunds them once, and answers with Cryptomus'
// envelopes and error bodies. It can be told to fail through its embedded
// restricttest.Faults.
//
//	srv := cryptomustest.NewServer("8b03432e-385b-4670-8d06-064591096795", "payment-key")
//	defer srv.Close()
//	w := srv.AddWallet(cryptomustest.Wallet{OrderID: "order-42", Balance: "10.00"})
//	c, _ := cryptomus.New(cryptomus.Credentials{MerchantID: srv.MerchantID(), PaymentKey: "payment-key"},
//		restrict.WithBaseURL(srv.URL))
//	c.BlockAddress(ctx, cryptomus.BlockAddressRequest{UUID: w.UUID})
//	srv.Inject(restricttest.Fault{Status: 503, Times: 2}) // the next two requests fail
//
// The fake checks signatures with its own few lines written from
// Cryptomus' documents, not with the client's signer, so that a bug in one
// is not agreed with by the other.
package cryptomustest

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/restricttest"
)

// Server is a fake Cryptomus listening on loopback. Inject faults and count
// requests through the embedded Faults; seed and inspect wallets through
// its own methods.
type Server struct {
	*httptest.Server
	restricttest.Faults
	h *Handler
}

// NewServer starts a fake Cryptomus that accepts requests from merchantID
// signed with paymentKey. Close it when done.
func NewServer(merchantID, paymentKey string) *Server {
	s := &Server{h: NewHandler(merchantID, paymentKey)}
	s.Server = httptest.NewServer(s.Faults.Wrap(s.h))
	return s
}

// Handler returns the fake's handler, without the faults, to mount
// elsewhere or to inspect.
func (s *Server) Handler() *Handler { return s.h }

// MerchantID returns the merchant the fake accepts.
func (s *Server) MerchantID() string { return s.h.merchantID }

// AddWallet stores a static wallet; see Handler.AddWallet.
func (s *Server) AddWallet(w Wallet) Wallet { return s.h.AddWallet(w) }

// Wallet returns a stored wallet; see Handler.Wallet.
func (s *Server) Wallet(uuidOrOrderID string) (Wallet, bool) { return s.h.Wallet(uuidOrOrderID) }

// SignWebhook returns a signed webhook body; see Handler.SignWebhook.
func (s *Server) SignWebhook(w cryptomus.Webhook) []byte { return s.h.SignWebhook(w) }

// Wallet is a static wallet as the fake keeps it.
type Wallet struct {
	UUID        string // the wallet's UUID in its network, which block and refund take
	WalletUUID  string // the merchant wallet's UUID
	OrderID     string
	Address     string
	Currency    string
	Network     string
	URLCallback string
	Status      cryptomus.WalletStatus
	// IsForceRefund is set when the wallet was blocked with
	// is_force_refund; such a wallet cannot be refunded by hand.
	IsForceRefund bool
	// Balance is what a refund pays out, Commission included: the refund
	// answers amount = Balance - Commission.
	Balance    string
	Commission string
	// Refunded and RefundAddress record the one refund allowed.
	Refunded      bool
	RefundAddress string
}

// Handler is the fake's http.Handler: authentication, routes and wallets.
// It is safe for concurrent use.
type Handler struct {
	merchantID string
	key        string

	mu      sync.Mutex
	wallets map[string]*Wallet // by UUID
	orders  map[string]string  // order ID -> UUID
}

// NewHandler returns a fake Cryptomus handler for merchantID and
// paymentKey, with no wallets.
func NewHandler(merchantID, paymentKey string) *Handler {
	return &Handler{merchantID: merchantID, key: paymentKey, wallets: map[string]*Wallet{}, orders: map[string]string{}}
}

// AddWallet stores a static wallet, replacing one with the same UUID (to
// seed funds into a wallet the client created), and returns it as stored:
// an empty UUID,
// WalletUUID or Address is generated, Status defaults to active, Currency
// to USDT, Network to tron, Balance and Commission to "0.00".
func (h *Handler) AddWallet(w Wallet) Wallet {
	if w.UUID == "" {
		w.UUID = newUUID()
	}
	if w.WalletUUID == "" {
		w.WalletUUID = newUUID()
	}
	if w.Address == "" {
		w.Address = newAddress()
	}
	if w.Status == "" {
		w.Status = cryptomus.WalletStatusActive
	}
	if w.Currency == "" {
		w.Currency = "USDT"
	}
	if w.Network == "" {
		w.Network = "tron"
	}
	if w.Balance == "" {
		w.Balance = "0.00"
	}
	if w.Commission == "" {
		w.Commission = "0.00"
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.store(w)
	return w
}

// store keeps a copy of w; the caller holds mu.
func (h *Handler) store(w Wallet) *Wallet {
	cp := w
	h.wallets[w.UUID] = &cp
	if w.OrderID != "" {
		h.orders[w.OrderID] = w.UUID
	}
	return &cp
}

// Wallet returns the wallet with this UUID or order ID.
func (h *Handler) Wallet(uuidOrOrderID string) (Wallet, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	w := h.wallets[uuidOrOrderID]
	if w == nil {
		w = h.byOrder(uuidOrOrderID)
	}
	if w == nil {
		return Wallet{}, false
	}
	return *w, true
}

// byOrder finds a wallet by order ID; the caller holds mu.
func (h *Handler) byOrder(orderID string) *Wallet {
	if id, ok := h.orders[orderID]; ok {
		return h.wallets[id]
	}
	return nil
}

// ServeHTTP answers as Cryptomus does. The docs give the bodies of "Not
// found" and "You can withdraw only once" but not their HTTP status; the
// fake sends 404 and 422, and the client classifies them by message
// whatever the status.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		reply(w, http.StatusMethodNotAllowed, map[string]any{"state": 1, "message": "Method not allowed"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		reply(w, http.StatusBadRequest, map[string]any{"state": 1, "message": "Bad request"})
		return
	}
	// Cryptomus hashes the raw bytes it received: md5(base64(body) + key).
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString(body) + h.key))
	if r.Header.Get("merchant") != h.merchantID || r.Header.Get("sign") != hex.EncodeToString(sum[:]) {
		reply(w, http.StatusUnauthorized, map[string]any{"state": 1, "message": "Invalid Sign."})
		return
	}
	var in map[string]any
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&in); err != nil {
			// Laravel reads an unparsable body as no input at all.
			in = nil
		}
	}
	switch r.URL.Path {
	case "/v1/wallet":
		h.create(w, in)
	case "/v1/wallet/block-address":
		h.block(w, in)
	case "/v1/wallet/blocked-address-refund":
		h.refund(w, in)
	default:
		reply(w, http.StatusNotFound, map[string]any{"state": 1, "message": "Not found"})
	}
}

func (h *Handler) create(w http.ResponseWriter, in map[string]any) {
	errs := map[string][]string{}
	currency, network := required(in, "currency", errs), required(in, "network", errs)
	orderID := required(in, "order_id", errs)
	if orderID != "" {
		alphaDash(orderID, "order_id", 1, 100, errs)
	}
	callback, _ := in["url_callback"].(string)
	if v, ok := in["url_callback"]; ok && v != nil {
		if _, isString := v.(string); !isString {
			errs["url_callback"] = append(errs["url_callback"], "validation.string")
		} else if n := utf8.RuneCountInString(callback); n < 6 || n > 255 {
			errs["url_callback"] = append(errs["url_callback"], "validation.between.string")
		} else if u, err := url.Parse(callback); err != nil || u.Scheme == "" || u.Host == "" {
			errs["url_callback"] = append(errs["url_callback"], "validation.url")
		}
	}
	if len(errs) > 0 {
		reply(w, http.StatusUnprocessableEntity, map[string]any{"state": 1, "errors": errs})
		return
	}
	h.mu.Lock()
	wl := h.byOrder(orderID)
	if wl == nil {
		// A known order ID returns the existing wallet, never a second.
		wl = h.store(Wallet{
			UUID: newUUID(), WalletUUID: newUUID(), Address: newAddress(), OrderID: orderID,
			Currency: currency, Network: network, URLCallback: callback,
			Status: cryptomus.WalletStatusActive, Balance: "0.00", Commission: "0.00",
		})
	}
	res := map[string]any{
		"wallet_uuid": wl.WalletUUID,
		"uuid":        wl.UUID,
		"address":     wl.Address,
		"network":     wl.Network,
		"currency":    wl.Currency,
		"url":         "https://pay.cryptomus.com/wallet/" + wl.UUID,
	}
	h.mu.Unlock()
	reply(w, http.StatusOK, map[string]any{"state": 0, "result": res})
}

// walletRef validates uuid and order_id as Laravel's rules on the block
// and refund pages do: uuid|required_without:order_id and
// string|min:1|max:32|alpha_dash|required_without:uuid.
func walletRef(in map[string]any, errs map[string][]string) (uuid, orderID string) {
	u, hasUUID := in["uuid"]
	o, hasOrder := in["order_id"]
	hasUUID = hasUUID && u != nil && u != ""
	hasOrder = hasOrder && o != nil && o != ""
	if !hasUUID && !hasOrder {
		errs["uuid"] = []string{"validation.required_without"}
		errs["order_id"] = []string{"validation.required_without"}
		return "", ""
	}
	if hasUUID {
		s, ok := u.(string)
		if !ok || !uuidRE.MatchString(s) {
			errs["uuid"] = []string{"validation.uuid"}
		}
		uuid = s
	}
	if hasOrder {
		s, ok := o.(string)
		if !ok {
			errs["order_id"] = []string{"validation.string"}
		} else {
			alphaDash(s, "order_id", 1, 32, errs)
		}
		orderID = s
	}
	return uuid, orderID
}

func (h *Handler) block(w http.ResponseWriter, in map[string]any) {
	errs := map[string][]string{}
	uuid, orderID := walletRef(in, errs)
	force := false
	if v, ok := in["is_force_refund"]; ok && v != nil {
		switch b := v.(type) {
		case bool:
			force = b
		case json.Number:
			force = b == "1"
			if b != "0" && b != "1" {
				errs["is_force_refund"] = []string{"validation.boolean"}
			}
		case string:
			force = b == "1"
			if b != "0" && b != "1" {
				errs["is_force_refund"] = []string{"validation.boolean"}
			}
		default:
			errs["is_force_refund"] = []string{"validation.boolean"}
		}
	}
	if len(errs) > 0 {
		reply(w, http.StatusUnprocessableEntity, map[string]any{"state": 1, "errors": errs})
		return
	}
	h.mu.Lock()
	// The block page: "if you pass both, the account will be identified
	// by order_id".
	var wl *Wallet
	if orderID != "" {
		wl = h.byOrder(orderID)
	} else {
		wl = h.wallets[uuid]
	}
	if wl == nil {
		h.mu.Unlock()
		reply(w, http.StatusNotFound, map[string]any{"state": 1, "message": "Not found"})
		return
	}
	wl.Status = cryptomus.WalletStatusBlocked
	wl.IsForceRefund = wl.IsForceRefund || force
	res := map[string]any{"uuid": wl.UUID, "status": wl.Status}
	h.mu.Unlock()
	reply(w, http.StatusOK, map[string]any{"state": 0, "result": res})
}

func (h *Handler) refund(w http.ResponseWriter, in map[string]any) {
	errs := map[string][]string{}
	uuid, orderID := walletRef(in, errs)
	address, _ := in["address"].(string)
	if v, ok := in["address"]; !ok || v == nil || v == "" {
		errs["address"] = []string{"validation.required"}
	} else if _, isString := v.(string); !isString {
		errs["address"] = []string{"validation.string"}
	} else {
		alphaDash(address, "address", 10, 128, errs)
	}
	if len(errs) > 0 {
		reply(w, http.StatusUnprocessableEntity, map[string]any{"state": 1, "errors": errs})
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	// The refund page: "if you pass both, the account will be identified
	// by uuid".
	var wl *Wallet
	if uuid != "" {
		wl = h.wallets[uuid]
	} else {
		wl = h.byOrder(orderID)
	}
	switch {
	case wl == nil:
		reply(w, http.StatusNotFound, map[string]any{"state": 1, "message": "Not found"})
	case wl.Refunded:
		reply(w, http.StatusUnprocessableEntity, map[string]any{"state": 1, "message": "You can withdraw only once"})
	case wl.Status != cryptomus.WalletStatusBlocked:
		// Not documented; the fake refuses, as refunds are of blocked
		// funds only.
		reply(w, http.StatusUnprocessableEntity, map[string]any{"state": 1, "message": "Wallet is not blocked"})
	case wl.IsForceRefund:
		// The docs' message for this case is cut off; this one is the
		// fake's.
		reply(w, http.StatusUnprocessableEntity, map[string]any{"state": 1, "message": "Payments to this wallet are refunded automatically"})
	default:
		wl.Refunded, wl.RefundAddress = true, address
		reply(w, http.StatusOK, map[string]any{"state": 0, "result": map[string]any{
			"commission": wl.Commission,
			"amount":     subtract(wl.Balance, wl.Commission),
		}})
	}
}

// SignWebhook returns the body Cryptomus would post for w: the payload
// encoded as PHP's json_encode(JSON_UNESCAPED_UNICODE) does (compact, raw
// UTF-8, "/" as "\/"), then a sign field of md5(base64(payload) + key).
func (h *Handler) SignWebhook(w cryptomus.Webhook) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w); err != nil {
		panic(err)
	}
	return h.SignWebhookPayload(bytes.TrimSpace(b.Bytes()))
}

// SignWebhookPayload signs payload, a compact JSON object with its keys in
// the order to send and its slashes unescaped (as Go's encoder and
// Python's json.dumps with separators=(",", ":") write them): it escapes
// "/" as PHP does, then appends the sign field.
func (h *Handler) SignWebhookPayload(payload []byte) []byte {
	// A "/" only occurs inside JSON strings, where PHP writes it as "\/";
	// Go never escapes it, so a plain replace is exact.
	payload = bytes.ReplaceAll(payload, []byte("/"), []byte(`\/`))
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString(payload) + h.key))
	out := bytes.TrimSuffix(payload, []byte("}"))
	if !bytes.HasSuffix(out, []byte("{")) {
		out = append(out, ',')
	}
	out = append(out, `"sign":"`+hex.EncodeToString(sum[:])+`"}`...)
	return out
}

var (
	uuidRE      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	alphaDashRE = regexp.MustCompile(`^[\pL\pM\pN_-]+$`)
)

func required(in map[string]any, field string, errs map[string][]string) string {
	v, ok := in[field]
	if !ok || v == nil || v == "" {
		errs[field] = append(errs[field], "validation.required")
		return ""
	}
	s, ok := v.(string)
	if !ok {
		errs[field] = append(errs[field], "validation.string")
	}
	return s
}

func alphaDash(s, field string, minLen, maxLen int, errs map[string][]string) {
	n := utf8.RuneCountInString(s)
	if n < minLen {
		errs[field] = append(errs[field], "validation.min.string")
	}
	if n > maxLen {
		errs[field] = append(errs[field], "validation.max.string")
	}
	if !alphaDashRE.MatchString(s) {
		errs[field] = append(errs[field], "validation.alpha_dash")
	}
}

// subtract returns a - b in the larger of their decimal places.
func subtract(a, b string) string {
	x, okA := new(big.Rat).SetString(a)
	y, okB := new(big.Rat).SetString(b)
	if !okA || !okB {
		return a
	}
	return new(big.Rat).Sub(x, y).FloatString(max(decimals(a), decimals(b)))
}

func decimals(s string) int {
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// newAddress makes a TRON-looking address: "T" and 33 hex digits.
func newAddress() string {
	return "T" + strings.ReplaceAll(newUUID(), "-", "")[:31] + "ab"
}

func reply(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// SignWebhookPayload signs a webhook payload; see Handler.SignWebhookPayload.
func (s *Server) SignWebhookPayload(payload []byte) []byte { return s.h.SignWebhookPayload(payload) }

// BaseURL is the URL to give the client with restrict.WithBaseURL. Every
// provider fake has it, whether or not it serves under a path.
func (s *Server) BaseURL() string { return s.URL }
