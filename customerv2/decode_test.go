package customerv2

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/internal/transport"
)

// FuzzDecode feeds any status and body to the decoder, into every result
// type: it must never panic, and every error it returns for a failure
// status must be a *restrict.APIError with a class.
func FuzzDecode(f *testing.F) {
	seeds := []struct {
		status int
		body   string
	}{
		{200, `{"data":{"success":true}}`},
		{200, `{"data":{"success":false}}`},
		{200, `{"success":false,"message":["a","b"]}`},
		{200, `{"data":[[{"id":"a"}],1]}`},
		{200, `{"data":{"items":[{"id":"a","createdAt":"2024-02-26T16:36:14.499Z"}],"total":1}}`},
		{200, `{"data":{"id":"x","comment":null,"createdAt":"bad"}}`},
		{201, `{"data":{"accessToken":"eyJhbGciOiJIUzI1NiJ9.e30.sig"}}`},
		{400, `{"statusCode":400,"message":["email must be an email"],"error":"Bad Request"}`},
		{400, `{"statusCode":"400","message":{"nested":1},"error":7}`},
		{401, `{"statusCode":401,"message":"Unauthorized"}`},
		{409, `{"message":[null,1,"property x should not exist"]}`},
		{500, `<html>oops</html>`},
		{502, ``},
		{200, `{"statusCode":1e400}`},
		{200, `null`},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		res := &transport.Response{StatusCode: status, Body: body}
		outs := []any{nil, new(SuspendResult), new(Customer), new(FindCustomersResult), new(loginResponse)}
		for _, out := range outs {
			err := decode(res, out)
			if err == nil {
				if !transport.IsSuccess(status) {
					t.Fatalf("status %d decoded without error", status)
				}
				continue
			}
			var ae *restrict.APIError
			if errors.As(err, &ae) {
				if ae.Class == nil {
					t.Fatalf("APIError without class: %v", err)
				}
				continue
			}
			// A plain error means an unreadable answer, which only a 2xx
			// can be: a failure status is always classified.
			if !transport.IsSuccess(status) {
				t.Fatalf("status %d: plain error %v", status, err)
			}
		}
	})
}

func TestValidCountryMatchesSystemList(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"UA", "IT", "ES", "FR", "US", "GB", "SS", "BQ", "ZW", "AD"} {
		if !validCountry(code) {
			t.Errorf("%s refused", code)
		}
	}
	for _, code := range []string{"", "U", "ua", "Ua", "UK", "EU", "XK", "ZZ", "AA", "U1", "UAH", "A ", " A"} {
		if validCountry(code) {
			t.Errorf("%q accepted", code)
		}
	}
	n := 0
	for c1 := 'A'; c1 <= 'Z'; c1++ {
		for c2 := 'A'; c2 <= 'Z'; c2++ {
			if validCountry(string([]rune{c1, c2})) {
				n++
			}
		}
	}
	if n != 249 {
		t.Errorf("%d codes accepted, want the 249 officially assigned", n)
	}
}

// TestCountriesMatchTZData checks the list against the system's copy of
// ISO 3166 (tzdata's iso3166.tab), where there is one.
func TestCountriesMatchTZData(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("/usr/share/zoneinfo/iso3166.tab")
	if err != nil {
		t.Skip("no tzdata iso3166.tab on this machine")
	}
	var codes []string
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		code, _, _ := strings.Cut(line, "\t")
		codes = append(codes, code)
	}
	if len(codes) != 249 {
		t.Fatalf("iso3166.tab has %d codes", len(codes))
	}
	for _, code := range codes {
		if !validCountry(code) {
			t.Errorf("%s is assigned but refused", code)
		}
	}
}
