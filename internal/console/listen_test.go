package console

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckListen(t *testing.T) {
	for _, tc := range []struct {
		addr          string
		tls, insecure bool
		ok            bool
	}{
		{addr: "127.0.0.1:8080", ok: true},
		{addr: "127.1.2.3:8080", ok: true},
		{addr: "[::1]:8080", ok: true},
		{addr: "localhost:8080", ok: true},
		{addr: ":8080"},
		{addr: "0.0.0.0:8080"},
		{addr: "[::]:8080"},
		{addr: "192.0.2.7:8080"},
		{addr: "console.example:8080"},
		{addr: "0.0.0.0:8080", tls: true, ok: true},
		{addr: ":8443", tls: true, ok: true},
		{addr: "0.0.0.0:8080", insecure: true, ok: true},
		{addr: "127.0.0.1"},
	} {
		err := CheckListen(tc.addr, tc.tls, tc.insecure)
		if tc.ok {
			assert.NoError(t, err, tc.addr)
			continue
		}
		require.Error(t, err, tc.addr)
		if tc.addr != "127.0.0.1" {
			assert.Contains(t, err.Error(), "--tls-cert", tc.addr)
			assert.Contains(t, err.Error(), "--tls-key", tc.addr)
			assert.Contains(t, err.Error(), "--insecure-listen", tc.addr)
		}
	}
}
