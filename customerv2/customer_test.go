package customerv2_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/customerv2"
	"github.com/restrictkit/restrict/internal/testkit"
)

const detailsAnswer = `{"data":{
	"id":"6d962783-f0cf-420d-a511-3a48c71c5595",
	"comment":null,
	"createdAt":"2024-02-26T16:36:14.499Z",
	"email":"alex@example.com",
	"firstName":"Alex",
	"lastName":"Smith",
	"country":"UA",
	"walletId":"w-1",
	"status":"Suspended",
	"somethingNew":{"nested":true}
}}`

func TestCustomerDetailsOnTheWire(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds)
	respond(mt, rec, "/v2/customer/details", http.StatusOK, detailsAnswer)

	res, err := c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{ID: customerID})
	require.NoError(t, err)
	require.Equal(t, customerID, res.ID)
	require.Equal(t, "alex@example.com", res.Email)
	require.Equal(t, "Alex", res.FirstName)
	require.Equal(t, "Smith", res.LastName)
	require.Equal(t, "UA", res.Country)
	require.Equal(t, "w-1", res.WalletID)
	require.Empty(t, res.Comment)
	require.True(t, res.Suspended())
	require.Equal(t, time.Date(2024, 2, 26, 16, 36, 14, 499e6, time.UTC), res.CreatedAt.UTC())
	require.Equal(t, restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}, res.Meta)

	reqs := rec.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, "/v2/customer/details", reqs[0].URL.EscapedPath())
	require.Equal(t, `{"id":"`+customerID+`"}`, string(reqs[0].Body))
}

func TestFindCustomersOnTheWire(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds)
	respond(mt, rec, "/v2/customer/find", http.StatusOK, `{"data":[{"id":"a"},{"id":"b"}]}`)

	kyiv := time.FixedZone("Kyiv", 2*3600)
	res, err := c.FindCustomers(bg(), customerv2.FindCustomersRequest{
		Email:       "alex@example.com",
		WalletID:    "w-1",
		PhoneNumber: "+380991234567",
		FullName:    "Alex Smith",
		Comment:     "vip",
		ExternalID:  "ext-1",
		ReferralID:  "ref-1",
		CreatedFrom: time.Date(2024, 2, 1, 2, 0, 0, 0, kyiv),
		CreatedTo:   time.Date(2024, 3, 1, 0, 0, 0, 500e6, time.UTC),
		Take:        10,
		Skip:        20,
	})
	require.NoError(t, err)
	require.Len(t, res.Customers, 2)
	require.Equal(t, "b", res.Customers[1].ID)
	require.Equal(t, restrict.Meta{StatusCode: http.StatusOK, Attempts: 1}, res.Meta)

	requireJSON(t, `{
		"email":"alex@example.com","walletId":"w-1","phoneNumber":"+380991234567",
		"fullName":"Alex Smith","comment":"vip","externalId":"ext-1","referralId":"ref-1",
		"createdFrom":"2024-02-01T00:00:00Z","createdTo":"2024-03-01T00:00:00.5Z",
		"take":10,"skip":20}`, rec.Requests()[0].Body)
}

func TestFindCustomersSendsOnlyWhatIsSet(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds)
	respond(mt, rec, "/v2/customer/find", http.StatusOK, `{"data":[]}`)
	res, err := c.FindCustomers(bg(), customerv2.FindCustomersRequest{})
	require.NoError(t, err)
	require.Empty(t, res.Customers)
	require.Equal(t, `{}`, string(rec.Requests()[0].Body))

	_, err = c.FindCustomers(bg(), customerv2.FindCustomersRequest{CreatedTo: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)})
	require.NoError(t, err)
	require.Equal(t, `{"createdTo":"2024-01-02T03:04:05Z"}`, string(rec.Requests()[1].Body))
}

// KunaCore shows no find answer: a list is read, anything else is
// unreadable rather than "no customers".
func TestFindCustomersAnswerShapes(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds)
	respond(mt, rec, "/v2/customer/find", http.StatusOK, `{"data":[{"id":"a","status":"Suspended"}]}`)
	res, err := c.FindCustomers(bg(), customerv2.FindCustomersRequest{})
	require.NoError(t, err)
	require.Len(t, res.Customers, 1)
	require.True(t, res.Customers[0].Suspended())
	require.Zero(t, res.Customers[0].Meta, "Meta belongs to the page")

	for _, body := range []string{`{"data":{}}`, `{"data":{"success":true}}`, `{"data":{"items":[]}}`, `{"data":5}`, `{"data":[[{"id":"a"}],1]}`} {
		c, mt, rec := newMock(t, keyCreds)
		respond(mt, rec, "/v2/customer/find", http.StatusOK, body)
		_, err := c.FindCustomers(bg(), customerv2.FindCustomersRequest{})
		ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrUnavailable)
		require.Contains(t, ae.Message, "unreadable answer", body)
	}
}

func validCreate() customerv2.CreateCustomerRequest {
	return customerv2.CreateCustomerRequest{
		Email:                  "alex@example.com",
		FirstName:              "Alex",
		LastName:               "Smith",
		Country:                "UA",
		VerificationDocumentID: "passport-123",
		ResidenceAddress:       "Kyiv, Khreshchatyk 1",
	}
}

func TestCreateCustomerOnTheWire(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds)
	respond(mt, rec, "/v2/customer/create", http.StatusCreated,
		`{"data":{"id":"new-1","walletId":"w-9","email":"alex@example.com","status":"Active"}}`)

	req := validCreate()
	req.PhoneNumber = "+380991234567"
	req.ITN = "1234567890"
	res, err := c.CreateCustomer(bg(), req)
	require.NoError(t, err)
	require.Equal(t, "new-1", res.ID)
	require.Equal(t, "w-9", res.WalletID)
	require.Equal(t, customerv2.StatusActive, res.Status)
	require.Equal(t, http.StatusCreated, res.StatusCode)
	require.Equal(t, 1, res.Attempts)
	requireJSON(t, `{"email":"alex@example.com","firstName":"Alex","lastName":"Smith","country":"UA",
		"verificationDocumentId":"passport-123","residenceAddress":"Kyiv, Khreshchatyk 1",
		"phoneNumber":"+380991234567","itn":"1234567890"}`, rec.Requests()[0].Body)
}

func TestUpdateCustomerOnTheWire(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds)
	respond(mt, rec, "/v2/customer/update", http.StatusCreated, `{"data":{"id":"`+customerID+`","firstName":"Alexander","comment":""}}`)
	res, err := c.UpdateCustomer(bg(), customerv2.UpdateCustomerRequest{
		ID:        customerID,
		FirstName: restrict.Ptr("Alexander"),
		Comment:   restrict.Ptr(""),
		Country:   restrict.Ptr("IT"),
	})
	require.NoError(t, err)
	require.Equal(t, customerID, res.ID)
	require.Equal(t, "Alexander", res.FirstName)
	require.Equal(t, http.StatusCreated, res.StatusCode)
	require.Equal(t, `{"id":"`+customerID+`","firstName":"Alexander","comment":"","country":"IT"}`, string(rec.Requests()[0].Body))

	// An answer of {"success":true} instead of the customer is accepted,
	// with the customer's fields left empty.
	respond(mt, rec, "/v2/customer/update", http.StatusCreated, `{"data":{"success":true}}`)
	res, err = c.UpdateCustomer(bg(), customerv2.UpdateCustomerRequest{ID: customerID, Email: restrict.Ptr("new@example.com")})
	require.NoError(t, err)
	require.Empty(t, res.ID)
	require.Equal(t, http.StatusCreated, res.StatusCode)
}

func TestValidationSendsNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		call  func(c *customerv2.Client) error
		op    string
		field string
	}{
		{"suspend empty id", func(c *customerv2.Client) error { _, err := c.Suspend(bg(), customerv2.SuspendRequest{}); return err }, "Suspend", "id"},
		{"suspend blank id", func(c *customerv2.Client) error {
			_, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: " \t"})
			return err
		}, "Suspend", "id"},
		{"suspend id not a UUID", func(c *customerv2.Client) error {
			_, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: "customer-1"})
			return err
		}, "Suspend", "id"},
		{"details empty id", func(c *customerv2.Client) error {
			_, err := c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{})
			return err
		}, "CustomerDetails", "id"},
		{"details path", func(c *customerv2.Client) error {
			_, err := c.CustomerDetails(bg(), customerv2.CustomerDetailsRequest{ID: "../../admin"})
			return err
		}, "CustomerDetails", "id"},
		{"find negative take", func(c *customerv2.Client) error {
			_, err := c.FindCustomers(bg(), customerv2.FindCustomersRequest{Take: -1})
			return err
		}, "FindCustomers", "take"},
		{"find negative skip", func(c *customerv2.Client) error {
			_, err := c.FindCustomers(bg(), customerv2.FindCustomersRequest{Skip: -5})
			return err
		}, "FindCustomers", "skip"},
		{"find dates reversed", func(c *customerv2.Client) error {
			_, err := c.FindCustomers(bg(), customerv2.FindCustomersRequest{CreatedFrom: farFuture, CreatedTo: farFuture.Add(-time.Second)})
			return err
		}, "FindCustomers", "createdFrom"},
		{"update empty id", func(c *customerv2.Client) error {
			_, err := c.UpdateCustomer(bg(), customerv2.UpdateCustomerRequest{FirstName: restrict.Ptr("A")})
			return err
		}, "UpdateCustomer", "id"},
		{"update empty email", func(c *customerv2.Client) error {
			_, err := c.UpdateCustomer(bg(), customerv2.UpdateCustomerRequest{ID: customerID, Email: restrict.Ptr("")})
			return err
		}, "UpdateCustomer", "email"},
		{"update bad country", func(c *customerv2.Client) error {
			_, err := c.UpdateCustomer(bg(), customerv2.UpdateCustomerRequest{ID: customerID, Country: restrict.Ptr("Ukraine")})
			return err
		}, "UpdateCustomer", "country"},
		{"restrict empty id", func(c *customerv2.Client) error { _, err := c.Restrict(bg(), restrict.Target{}); return err }, "Restrict", "ID"},
		{"status empty id", func(c *customerv2.Client) error { _, err := c.Status(bg(), restrict.Target{}); return err }, "Status", "ID"},
	}
	for _, field := range []string{"email", "firstName", "lastName", "country", "verificationDocumentId", "residenceAddress"} {
		field := field
		cases = append(cases, struct {
			name  string
			call  func(c *customerv2.Client) error
			op    string
			field string
		}{"create without " + field, func(c *customerv2.Client) error {
			req := validCreate()
			switch field {
			case "email":
				req.Email = ""
			case "firstName":
				req.FirstName = ""
			case "lastName":
				req.LastName = " "
			case "country":
				req.Country = ""
			case "verificationDocumentId":
				req.VerificationDocumentID = ""
			case "residenceAddress":
				req.ResidenceAddress = ""
			}
			_, err := c.CreateCustomer(bg(), req)
			return err
		}, "CreateCustomer", field})
	}
	for _, country := range []string{"ua", "UKR", "U1", "ZZ", "XK", "UK", "Ü", "ＵＡ"} {
		country := country
		cases = append(cases, struct {
			name  string
			call  func(c *customerv2.Client) error
			op    string
			field string
		}{"create country " + country, func(c *customerv2.Client) error {
			req := validCreate()
			req.Country = country
			_, err := c.CreateCustomer(bg(), req)
			return err
		}, "CreateCustomer", "country"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newMock(t, keyCreds)
			err := tc.call(c)
			ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
			require.Equal(t, tc.op, ae.Operation)
			require.Contains(t, ae.Fields, tc.field)
			require.Contains(t, err.Error(), tc.field)
			require.Zero(t, ae.Attempts)
			require.Zero(t, mt.GetTotalCallCount())
		})
	}
}

func TestLowerCaseCountrySuggestsUpperCase(t *testing.T) {
	t.Parallel()
	c, _, _ := newMock(t, keyCreds)
	req := validCreate()
	req.Country = "ua"
	_, err := c.CreateCustomer(bg(), req)
	require.ErrorContains(t, err, "such as UA")
}

func TestValidationInLoginModeSendsNoLogin(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMock(t, loginCreds)
	_, err := c.Suspend(bg(), customerv2.SuspendRequest{})
	testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
	require.Zero(t, mt.GetTotalCallCount())
}

func TestSuspendRetriedOn503(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds)
	calls := 0
	mt.RegisterResponder(http.MethodPost, base+"/v2/customer/suspend", rec.Wrap(func(*http.Request) (*http.Response, error) {
		calls++
		if calls < 3 {
			return httpmock.NewStringResponse(http.StatusServiceUnavailable, "busy"), nil
		}
		return httpmock.NewStringResponse(http.StatusOK, `{"data":{"success":true}}`), nil
	}))
	res, err := c.Suspend(bg(), customerv2.SuspendRequest{ID: customerID})
	require.NoError(t, err)
	require.Equal(t, 3, res.Attempts)
	for _, r := range rec.Requests() {
		require.Equal(t, `{"id":"`+customerID+`"}`, string(r.Body), "the same bytes on every attempt")
		require.Equal(t, string(keyCreds.APIKey), r.Header.Get("api-key"))
	}
}

// Every missing field, and a bad country, is named in one error.
func TestCreateCustomerNamesEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMock(t, keyCreds)
	_, err := c.CreateCustomer(bg(), customerv2.CreateCustomerRequest{Email: "a@example.com", LastName: " "})
	ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
	require.Equal(t, "CreateCustomer", ae.Operation)
	require.Equal(t, map[string][]string{
		"firstName":              {"is required"},
		"lastName":               {"is required"},
		"country":                {"is required"},
		"verificationDocumentId": {"is required"},
		"residenceAddress":       {"is required"},
	}, ae.Fields)
	require.Equal(t, "country is required; firstName is required; lastName is required; residenceAddress is required; verificationDocumentId is required", ae.Message)

	req := validCreate()
	req.FirstName = ""
	req.Country = "ua"
	_, err = c.CreateCustomer(bg(), req)
	ae = testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
	require.Equal(t, map[string][]string{
		"firstName": {"is required"},
		"country":   {"must be an ISO 3166-1 alpha-2 code in upper case, such as UA"},
	}, ae.Fields)
	require.Zero(t, mt.GetTotalCallCount())

	_, err = c.UpdateCustomer(bg(), customerv2.UpdateCustomerRequest{ID: customerID, Email: restrict.Ptr(""), Country: restrict.Ptr("Ukraine")})
	ae = testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
	require.Len(t, ae.Fields, 2)
	require.Contains(t, ae.Fields, "email")
	require.Contains(t, ae.Fields, "country")
	require.Zero(t, mt.GetTotalCallCount())
}

// Exactly the 249 officially assigned ISO 3166-1 alpha-2 codes pass the
// country check.
func TestCreateCustomerCountries(t *testing.T) {
	t.Parallel()
	c, mt, rec := newMock(t, keyCreds)
	respond(mt, rec, "/v2/customer/create", http.StatusCreated, `{"data":{"id":"`+customerID+`"}}`)
	accepted := map[string]bool{}
	for c1 := 'A'; c1 <= 'Z'; c1++ {
		for c2 := 'A'; c2 <= 'Z'; c2++ {
			req := validCreate()
			req.Country = string([]rune{c1, c2})
			_, err := c.CreateCustomer(bg(), req)
			if err == nil {
				accepted[req.Country] = true
				continue
			}
			ae := testkit.RequireAPIError(t, err, customerv2.Provider, restrict.ErrInvalidRequest)
			require.Contains(t, ae.Fields, "country")
		}
	}
	require.Len(t, accepted, 249)
	for _, code := range []string{"UA", "IT", "ES", "FR", "US", "GB", "SS", "BQ", "ZW", "AD"} {
		require.True(t, accepted[code], code)
	}
	for _, code := range []string{"UK", "EU", "XK", "ZZ", "AA"} {
		require.False(t, accepted[code], code)
	}
	require.Len(t, rec.Requests(), 249, "only accepted codes are sent")
}
