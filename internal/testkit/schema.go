package testkit

import (
	"bytes"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// AuditSchema compiles the audit record's JSON Schema at path
// (docs/audit-record.schema.json, relative to the test's package), or one
// of its $defs when def is set, with formats asserted.
func AuditSchema(t testing.TB, path, def string) *jsonschema.Schema {
	t.Helper()
	if def != "" {
		path += "#/$defs/" + def
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	return sch
}

// JSONInstance decodes JSON as the schema validator reads it.
func JSONInstance(t testing.TB, b []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}
