package config

import (
	"errors"
	"fmt"
	"net/url"
)

// ParseBaseURL parses the base URL of a service, the one rule for every
// option and default that names one: absolute, with an http or https
// scheme and a host, no user info (credentials go in Credentials, never in
// an address that ends up in logs), and no query or fragment (a call's
// path is appended to it). Its errors never repeat the URL, which may
// carry user info; the caller prefixes the option's name. Whether plain
// http is allowed depends on WithInsecureHTTP, known only once every option
// is applied, so that rule is the transport's.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("unparsable URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, errors.New("the URL must be absolute, with an http or https scheme and a host")
	}
	if u.User != nil {
		return nil, errors.New("credentials in the URL are not allowed; pass them in Credentials")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("the URL must not have a query or fragment")
	}
	return u, nil
}
