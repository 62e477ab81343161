// Package docs holds the documents the module publishes that code also
// serves: the OpenAPI document of restrict serve's HTTP API lives here
// once, as a file a reader can open, and is embedded from here.
package docs

import _ "embed"

// OpenAPI is docs/openapi.json, the OpenAPI 3.1 document of /api/v1.
//
//go:embed openapi.json
var OpenAPI []byte
