package console

import (
	"fmt"
	"net"
)

// CheckListen refuses to serve in the clear beyond this machine: a
// non-loopback address (an empty host, 0.0.0.0 and :: included) without
// TLS would carry tokens and session cookies readable on the network.
// allowInsecure (--insecure-listen) says a TLS proxy in front takes care
// of it.
func CheckListen(addr string, tls, allowInsecure bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: want host:port, for example 127.0.0.1:8080", addr)
	}
	if tls || allowInsecure || isLoopback(host) {
		return nil
	}
	return fmt.Errorf("--addr %q is not a loopback address, and without TLS tokens and session cookies would cross the network in the clear: "+
		"give --tls-cert and --tls-key, listen on 127.0.0.1, or give --insecure-listen if a TLS proxy in front of the console terminates TLS", addr)
}

// isLoopback says whether host is this machine only: a loopback IP or
// "localhost". An empty host is every interface.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
