// Package restrict stops a customer from transacting at a payment or
// compliance provider, and releases them again where the provider allows it,
// through one interface: [Restrictor].
//
// Each supported provider has its own package with a complete, typed client
// for that provider's API, and that client also satisfies [Restrictor]:
//
//	cryptomus       Cryptomus static-wallet blocking
//	customerv2      KunaCore customer API v2 suspension
//	kpayment        myKaarma Payments customer blocking
//	purse           Calypso Pay Customer Purse block and unblock
//	walletplatform  SABI wallet platform freeze and unfreeze
//
// Every failure a client returns is a *[APIError] that matches one of the
// sentinel errors ([ErrInvalidRequest], [ErrNotFound], ...) with errors.Is,
// so callers can react by class without knowing the provider's own codes.
//
// Clients are configured with the options in this package ([WithBaseURL],
// [WithRetry], [WithLogger], ...). They are silent by default and never log
// or return a credential.
package restrict
