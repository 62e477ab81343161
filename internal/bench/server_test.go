package bench

import (
	"io"
	"net/http"
	"time"
)

// answer is a loopback provider that answers every Restrict of p with p's
// documented success body. It reads the whole request, as a provider must
// to check a signature, and checks only the method and path, so that a
// request sent to the wrong place fails the run instead of being counted.
// It is not the provider's fake: the fakes verify signatures and keep
// state, which would add their cost to both sides and hide the client's.
func answer(p provider) http.Handler {
	body := []byte(p.answer)
	want := p.path + p.requestURI
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Method != p.method || r.RequestURI != want {
			http.Error(w, "unexpected "+r.Method+" "+r.RequestURI, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// newTransport is the one transport configuration both sides of every
// comparison get, each its own instance: the settings of the SDK's default
// pool (transport.NewPool) that matter on loopback, without proxies.
func newTransport() *http.Transport {
	return &http.Transport{
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}
