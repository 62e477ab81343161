// Package cryptomustest is a fake Cryptomus for tests: an HTTP server that
// checks the merchant and sign headers as Cryptomus does, keeps static
// wallets, blocks them, refunds them once, and answers with Cryptomus'
// envelopes and error bodies. It can be told to fail through its embedded
// restricttest.Faults.
//
//	creds := cryptomus.Credentials{MerchantID: "8b03432e-385b-4670-8d06-064591096795", PaymentKey: "payment-key"}
//	srv := cryptomustest.NewServer(creds)
//	defer srv.Close()
//	w := srv.AddWallet(cryptomustest.Wallet{OrderID: "order-42", Balance: "10.00"})
//	c, _ := cryptomus.New(creds, restrict.WithBaseURL(srv.BaseURL()))
//	c.BlockAddress(ctx, cryptomus.BlockAddressRequest{UUID: w.UUID})
//	srv.Inject(restricttest.Fault{Status: 503, Times: 2}) // the next two requests fail
//
// Blocking a wallet that is blocked already answers the same success
// (state 0, status "blocked"): the docs do not say, and this is inferred.
// Cryptomus has no call to read a wallet's state or to unblock it, so
// neither has the fake; Wallet reads its state for a test. An unknown path
// is answered as Laravel's router answers it, with a 404 that carries no
// state.
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
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/restricttest"
)

// Server is a fake Cryptomus listening on loopback. Inject faults, count
// requests and set the clock through the embedded restricttest.Server (its
// clock dates a wallet's BlockedAt and RefundedAt: Cryptomus' answers carry
// no dates and its requests no timestamps); seed and inspect wallets
// through its own methods. It is safe for concurrent use.
type Server struct {
	restricttest.Server

	merchantID string
	key        string

	mu      sync.Mutex
	wallets map[string]*Wallet // by UUID
	orders  map[string]string  // order ID -> UUID
}

// NewServer starts a fake Cryptomus that accepts requests from
// creds.MerchantID signed with creds.PaymentKey, and no others. It panics
// when either is empty, as a test that gives none has a bug. Close it when
// done.
func NewServer(creds cryptomus.Credentials) *Server {
	if creds.MerchantID == "" || creds.PaymentKey == "" {
		panic("cryptomustest: NewServer needs a MerchantID and a PaymentKey")
	}
	s := &Server{
		merchantID: creds.MerchantID,
		key:        string(creds.PaymentKey),
		wallets:    map[string]*Wallet{},
		orders:     map[string]string{},
	}
	// Cryptomus serves its API at the host's root, and so does the fake.
	s.Serve(http.HandlerFunc(s.serve), "")
	return s
}

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
	// BlockedAt and RefundedAt are when the fake's clock saw the first
	// block and the refund; zero until then.
	BlockedAt  time.Time
	RefundedAt time.Time
}

// AddWallet stores a static wallet, replacing one with the same UUID (to
// seed funds into a wallet the client created), and returns it as stored:
// an empty UUID, WalletUUID or Address is generated, Status defaults to
// active, Currency to USDT, Network to tron, Balance and Commission to
// "0.00".
func (s *Server) AddWallet(w Wallet) Wallet {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store(w)
	return w
}

// store keeps a copy of w; the caller holds mu.
func (s *Server) store(w Wallet) *Wallet {
	cp := w
	s.wallets[w.UUID] = &cp
	if w.OrderID != "" {
		s.orders[w.OrderID] = w.UUID
	}
	return &cp
}

// Wallet returns the wallet with this UUID or order ID.
func (s *Server) Wallet(uuidOrOrderID string) (Wallet, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.wallets[uuidOrOrderID]
	if w == nil {
		w = s.byOrder(uuidOrOrderID)
	}
	if w == nil {
		return Wallet{}, false
	}
	return *w, true
}

// byOrder finds a wallet by order ID; the caller holds mu.
func (s *Server) byOrder(orderID string) *Wallet {
	if id, ok := s.orders[orderID]; ok {
		return s.wallets[id]
	}
	return nil
}

// routes are the calls the fake serves, by path.
var routes = map[string]func(s *Server, w http.ResponseWriter, in map[string]any){
	"/v1/wallet":                        (*Server).create,
	"/v1/wallet/block-address":          (*Server).block,
	"/v1/wallet/blocked-address-refund": (*Server).refund,
}

// serve answers as Cryptomus does: the route first, as Laravel's router
// matches it, then the signature, then the call. The docs give the bodies
// of "Not found" and "You can withdraw only once" but not their HTTP
// status; the fake sends 404 and 422, and the client classifies them by
// message whatever the status.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	route, ok := routes[r.URL.Path]
	laravelPath := strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case !ok:
		// Laravel's router, with debug off: no state, so no client takes
		// it for a missing wallet.
		reply(w, http.StatusNotFound, map[string]any{"message": "The route " + laravelPath + " could not be found."})
		return
	case r.Method != http.MethodPost:
		reply(w, http.StatusMethodNotAllowed, map[string]any{
			"message": "The " + r.Method + " method is not supported for route " + laravelPath + ". Supported methods: POST.",
		})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		reply(w, http.StatusBadRequest, map[string]any{"state": 1, "message": "Bad request"})
		return
	}
	// Cryptomus hashes the raw bytes it received: md5(base64(body) + key).
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString(body) + s.key))
	if r.Header.Get("merchant") != s.merchantID || r.Header.Get("sign") != hex.EncodeToString(sum[:]) {
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
	route(s, w, in)
}

func (s *Server) create(w http.ResponseWriter, in map[string]any) {
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
	s.mu.Lock()
	wl := s.byOrder(orderID)
	if wl == nil {
		// A known order ID returns the existing wallet, never a second.
		wl = s.store(Wallet{
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
	s.mu.Unlock()
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

func (s *Server) block(w http.ResponseWriter, in map[string]any) {
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
	s.mu.Lock()
	// The block page: "if you pass both, the account will be identified
	// by order_id".
	var wl *Wallet
	if orderID != "" {
		wl = s.byOrder(orderID)
	} else {
		wl = s.wallets[uuid]
	}
	if wl == nil {
		s.mu.Unlock()
		reply(w, http.StatusNotFound, map[string]any{"state": 1, "message": "Not found"})
		return
	}
	// A wallet blocked already answers as the first block did: the docs
	// do not say, and the same success is inferred.
	if wl.Status != cryptomus.WalletStatusBlocked {
		wl.Status, wl.BlockedAt = cryptomus.WalletStatusBlocked, s.Now()
	}
	wl.IsForceRefund = wl.IsForceRefund || force
	res := map[string]any{"uuid": wl.UUID, "status": wl.Status}
	s.mu.Unlock()
	reply(w, http.StatusOK, map[string]any{"state": 0, "result": res})
}

func (s *Server) refund(w http.ResponseWriter, in map[string]any) {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	// The refund page: "if you pass both, the account will be identified
	// by uuid".
	var wl *Wallet
	if uuid != "" {
		wl = s.wallets[uuid]
	} else {
		wl = s.byOrder(orderID)
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
		wl.Refunded, wl.RefundAddress, wl.RefundedAt = true, address, s.Now()
		reply(w, http.StatusOK, map[string]any{"state": 0, "result": map[string]any{
			"commission": wl.Commission,
			"amount":     subtract(wl.Balance, wl.Commission),
		}})
	}
}

// SignWebhook returns the body Cryptomus would post for w: the payload
// encoded as PHP's json_encode(JSON_UNESCAPED_UNICODE) does (compact, raw
// UTF-8, "/" as "\/"), then a sign field of md5(base64(payload) + key).
func (s *Server) SignWebhook(w cryptomus.Webhook) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w); err != nil {
		panic(err)
	}
	return s.SignWebhookPayload(bytes.TrimSpace(b.Bytes()))
}

// SignWebhookPayload signs payload, a compact JSON object with its keys in
// the order to send and its slashes unescaped (as Go's encoder and
// Python's json.dumps with separators=(",", ":") write them): it escapes
// "/" as PHP does, then appends the sign field.
func (s *Server) SignWebhookPayload(payload []byte) []byte {
	return SignWebhookPayloadWith(s.key, payload)
}

// SignWebhookPayloadWith is SignWebhookPayload with the payment key given,
// for a program that posts a fake's webhook without its server.
func SignWebhookPayloadWith(paymentKey string, payload []byte) []byte {
	// A "/" only occurs inside JSON strings, where PHP writes it as "\/";
	// Go never escapes it, so a plain replace is exact.
	payload = bytes.ReplaceAll(payload, []byte("/"), []byte(`\/`))
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString(payload) + paymentKey))
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
