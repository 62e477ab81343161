package bench

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/cryptomus"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/kpayment"
	"github.com/restrictkit/restrict/purse"
	"github.com/restrictkit/restrict/walletplatform"
)

// Static credentials: the per-call comparison leaves logins out.
const (
	cryptomusMerchant = "c26b80a8-9549-4b7b-bd8d-3a6a8d2d1e4a"
	cryptomusKey      = "cryptomus-payment-key-0123456789abcdef"

	purseAccount = "0x52908400098527886E0F7030069857D2E4169EE7"
	purseKey     = "purse-public-key-0123456789"
	purseSecret  = "b823a6b9ea72408583cef9ec8d67fa52"

	customerv2APIKey = "customerv2-api-key-0123456789"

	kpaymentUser     = "service-subscriber"
	kpaymentPassword = "kpayment-password-0123456789"

	walletAPIKey = "wallet-api-key-0123456789"
	walletToken  = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJl"
)

// targetID is the ID every call restricts: a UUID, which every provider
// accepts.
const targetID = "fcc40793-39f9-4fa9-85b2-93148039a72b"

// userAgent is what the SDK sends by default; the plain calls send it too,
// so that both put the same bytes on the wire.
const userAgent = "restrict-go/" + restrict.Version

// provider is one provider as the benchmarks see it: where its Restrict
// goes, what the provider answers on success, the SDK client, and the same
// call written by hand.
type provider struct {
	name string
	// path is the base URL's path, appended to the server's URL.
	path string
	// method and requestURI are what Restrict sends (the request URI
	// under the base path, with its query).
	method, requestURI string
	// answer is the provider's documented success body.
	answer string
	// newSDK builds the provider's client with static credentials.
	newSDK func(baseURL string, opts ...restrict.Option) (restrict.Restrictor, error)
	// plain sends the same request with net/http and encoding/json alone,
	// and decodes the same answer. now dates the request where the
	// provider wants a timestamp.
	plain func(ctx context.Context, hc *http.Client, baseURL, id string, now time.Time) error
}

var providers = []provider{
	{
		name:       "cryptomus",
		method:     http.MethodPost,
		requestURI: "/v1/wallet/block-address",
		answer:     `{"state":0,"result":{"uuid":"` + targetID + `","status":"blocked"}}`,
		newSDK: func(baseURL string, opts ...restrict.Option) (restrict.Restrictor, error) {
			return cryptomus.New(cryptomus.Credentials{MerchantID: cryptomusMerchant, PaymentKey: cryptomusKey},
				append(opts, restrict.WithBaseURL(baseURL))...)
		},
		plain: plainCryptomus,
	},
	{
		name:       "customerv2",
		method:     http.MethodPost,
		requestURI: "/v2/customer/suspend",
		answer:     `{"data":{"success":true}}`,
		newSDK: func(baseURL string, opts ...restrict.Option) (restrict.Restrictor, error) {
			return customerv2.New(customerv2.Credentials{APIKey: customerv2APIKey},
				append(opts, restrict.WithBaseURL(baseURL))...)
		},
		plain: plainCustomerV2,
	},
	{
		name:       "kpayment",
		path:       "/payment",
		method:     http.MethodPost,
		requestURI: "/kpayment/v1/customer/" + targetID + "/block",
		answer:     `{}`,
		newSDK: func(baseURL string, opts ...restrict.Option) (restrict.Restrictor, error) {
			return kpayment.New(kpayment.Credentials{Username: kpaymentUser, Password: kpaymentPassword},
				append(opts, restrict.WithBaseURL(baseURL))...)
		},
		plain: plainKPayment,
	},
	{
		name:       "purse",
		method:     http.MethodPost,
		requestURI: "/api/v1/customer-purse/customer/block",
		answer:     `{"id":"` + targetID + `","email":"customer@example.com","description":"bench","externalId":"ext-1","blocked":true}`,
		newSDK: func(baseURL string, opts ...restrict.Option) (restrict.Restrictor, error) {
			return purse.New(purse.Credentials{Account: purseAccount, Key: purseKey, Secret: purseSecret},
				append(opts, restrict.WithBaseURL(baseURL))...)
		},
		plain: plainPurse,
	},
	{
		name:       "walletplatform",
		path:       "/platform/wallets",
		method:     http.MethodPost,
		requestURI: "/accounts/freeze-unfreeze?action=FREEZE",
		answer:     `{"status":true,"statusCode":0,"message":"Account freeze successful","data":{},"errors":[]}`,
		newSDK: func(baseURL string, opts ...restrict.Option) (restrict.Restrictor, error) {
			return walletplatform.New(walletplatform.Credentials{APIKey: walletAPIKey, Token: walletToken},
				append(opts, restrict.WithBaseURL(baseURL))...)
		},
		plain: plainWalletPlatform,
	},
}

// post is the part every plain call shares: one JSON POST with the SDK's
// standard headers plus the provider's own, its answer read whole and
// decoded into out. A non-2xx answer is an error.
func post(ctx context.Context, hc *http.Client, target string, body []byte, auth func(http.Header), out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	auth(req.Header)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, data)
	}
	return json.Unmarshal(data, out)
}

// plainCryptomus: headers merchant and sign = md5hex(base64(body) + key).
func plainCryptomus(ctx context.Context, hc *http.Client, baseURL, id string, _ time.Time) error {
	body, err := json.Marshal(struct {
		UUID string `json:"uuid"`
	}{id})
	if err != nil {
		return err
	}
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString(body) + cryptomusKey))
	var out struct {
		State  int `json:"state"`
		Result struct {
			UUID   string `json:"uuid"`
			Status string `json:"status"`
		} `json:"result"`
	}
	err = post(ctx, hc, baseURL+"/v1/wallet/block-address", body, func(h http.Header) {
		h.Set("merchant", cryptomusMerchant)
		h.Set("sign", hex.EncodeToString(sum[:]))
	}, &out)
	if err != nil {
		return err
	}
	if out.State != 0 || out.Result.Status != "blocked" {
		return fmt.Errorf("cryptomus: state %d, status %q", out.State, out.Result.Status)
	}
	return nil
}

// plainCustomerV2: the api-key header.
func plainCustomerV2(ctx context.Context, hc *http.Client, baseURL, id string, _ time.Time) error {
	body, err := json.Marshal(struct {
		ID string `json:"id"`
	}{id})
	if err != nil {
		return err
	}
	var out struct {
		Data struct {
			Success bool `json:"success"`
		} `json:"data"`
	}
	err = post(ctx, hc, baseURL+"/v2/customer/suspend", body, func(h http.Header) {
		h.Set("api-key", customerv2APIKey)
	}, &out)
	if err != nil {
		return err
	}
	if !out.Data.Success {
		return fmt.Errorf("customerv2: success false")
	}
	return nil
}

// plainKPayment: HTTP Basic, the customer UUID in the path, and the body
// Restrict sends by default.
func plainKPayment(ctx context.Context, hc *http.Client, baseURL, id string, _ time.Time) error {
	body, err := json.Marshal(struct {
		OnlinePayment bool `json:"onlinePayment"`
	}{true})
	if err != nil {
		return err
	}
	var out struct {
		Warnings []struct {
			Code        json.RawMessage `json:"warningCode"`
			Title       string          `json:"warningTitle"`
			Message     string          `json:"warningMessage"`
			Description string          `json:"warningDescription"`
		} `json:"warnings"`
	}
	return post(ctx, hc, baseURL+"/kpayment/v1/customer/"+url.PathEscape(id)+"/block", body, func(h http.Header) {
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(kpaymentUser+":"+kpaymentPassword)))
	}, &out)
}

// plainPurse: {"account","timestamp","payload"} signed with HMAC-SHA512,
// headers Key and Sign.
func plainPurse(ctx context.Context, hc *http.Client, baseURL, id string, now time.Time) error {
	type payload struct {
		CustomerID string `json:"customerId"`
	}
	body, err := json.Marshal(struct {
		Account   string  `json:"account"`
		Timestamp int64   `json:"timestamp"`
		Payload   payload `json:"payload"`
	}{purseAccount, now.UnixMilli(), payload{id}})
	if err != nil {
		return err
	}
	m := hmac.New(sha512.New, []byte(purseSecret))
	m.Write(body)
	var out struct {
		ID          string `json:"id"`
		Email       string `json:"email"`
		Description string `json:"description"`
		ExternalID  string `json:"externalId"`
		Blocked     bool   `json:"blocked"`
	}
	err = post(ctx, hc, baseURL+"/api/v1/customer-purse/customer/block", body, func(h http.Header) {
		h.Set("Key", purseKey)
		h.Set("Sign", hex.EncodeToString(m.Sum(nil)))
	}, &out)
	if err != nil {
		return err
	}
	if out.ID == "" || !out.Blocked {
		return fmt.Errorf("purse: customer %q blocked %v", out.ID, out.Blocked)
	}
	return nil
}

// plainWalletPlatform: apiKey and a static bearer token; action in the
// query.
func plainWalletPlatform(ctx context.Context, hc *http.Client, baseURL, id string, _ time.Time) error {
	body, err := json.Marshal(struct {
		AccountID string `json:"accountId"`
	}{id})
	if err != nil {
		return err
	}
	var out struct {
		Status     bool            `json:"status"`
		StatusCode int             `json:"statusCode"`
		Message    string          `json:"message"`
		Data       json.RawMessage `json:"data"`
		Errors     []struct {
			Message            string `json:"message"`
			DescriptiveMessage string `json:"descriptiveMessage"`
		} `json:"errors"`
	}
	err = post(ctx, hc, baseURL+"/accounts/freeze-unfreeze?action=FREEZE", body, func(h http.Header) {
		h.Set("apiKey", walletAPIKey)
		h.Set("Authorization", "Bearer "+walletToken)
	}, &out)
	if err != nil {
		return err
	}
	if !out.Status {
		return fmt.Errorf("walletplatform: status false: %s", out.Message)
	}
	return nil
}
