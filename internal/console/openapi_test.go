package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/docs"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
)

// openAPIURL is where the tests' compiler keeps the document; it is added
// as a resource, so nothing is ever loaded from it.
const openAPIURL = "file:///restrict/docs/openapi.json"

// apiDoc is docs/openapi.json, read for checking answers against it.
type apiDoc struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema
	// checked records the (method, path, status) of every answer checked.
	checked map[string]bool
}

func loadAPIDoc(t *testing.T) *apiDoc {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(docs.OpenAPI))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	require.NoError(t, c.AddResource(openAPIURL, v))
	return &apiDoc{doc: v.(map[string]any), compiler: c, schemas: map[string]*jsonschema.Schema{}, checked: map[string]bool{}}
}

// operations is every (method, path) the document has, as "GET /api/v1/runs".
func (d *apiDoc) operations() []string {
	var out []string
	for path, item := range d.doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out
}

// pointerToken escapes one reference token of a JSON pointer.
func pointerToken(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

// at follows a JSON pointer (without its #) into the document.
func (d *apiDoc) at(t *testing.T, ptr string) any {
	t.Helper()
	var v any = d.doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := v.(map[string]any)
		require.True(t, ok, "the document has no %s", ptr)
		v, ok = m[tok]
		require.True(t, ok, "the document has no %s", ptr)
	}
	return v
}

// check asserts that resp, the answer to method on the route pattern, is
// one the document gives for it: its status, its content type and a body
// its schema accepts. It returns the body.
func (d *apiDoc) check(t *testing.T, method, pattern string, resp *http.Response) []byte {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	ptr := "/paths/" + pointerToken(pattern) + "/" + strings.ToLower(method) + "/responses/" + strconv.Itoa(resp.StatusCode)
	r, ok := d.at(t, ptr).(map[string]any)
	require.True(t, ok, "%s %s: status %d is not documented: %s", method, pattern, resp.StatusCode, body)
	if ref, ok := r["$ref"].(string); ok {
		ptr = strings.TrimPrefix(ref, "#")
		r = d.at(t, ptr).(map[string]any)
	}
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	require.NoError(t, err, "%s %s: content type", method, pattern)
	content, ok := r["content"].(map[string]any)
	require.True(t, ok, "%s %s %d: no content documented", method, pattern, resp.StatusCode)
	_, ok = content[mt]
	require.True(t, ok, "%s %s %d: content type %s is not documented", method, pattern, resp.StatusCode, mt)
	loc := openAPIURL + "#" + ptr + "/content/" + pointerToken(mt) + "/schema"
	d.mu.Lock()
	sch := d.schemas[loc]
	if sch == nil {
		sch, err = d.compiler.Compile(loc)
		d.schemas[loc] = sch
	}
	d.checked[fmt.Sprintf("%s %s %d", method, pattern, resp.StatusCode)] = true
	d.mu.Unlock()
	require.NoError(t, err, "compiling %s", loc)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	require.NoError(t, err, "%s %s %d: not JSON: %s", method, pattern, resp.StatusCode, body)
	require.NoError(t, sch.Validate(v), "%s %s %d: %s", method, pattern, resp.StatusCode, body)
	return body
}

// apiRoutes is every /api/v1 route of the table, as "GET /api/v1/runs".
func apiRoutes(s *Server) []string {
	var out []string
	for _, rt := range s.routeTable() {
		if rt.kind == api && strings.HasPrefix(rt.pattern, "/api/v1/") {
			out = append(out, rt.method+" "+rt.pattern)
		}
	}
	sort.Strings(out)
	return out
}

func TestOpenAPIDocumentHasEveryAPIRouteAndNoOther(t *testing.T) {
	t.Parallel()
	s, err := New(Config{Engine: &bulk.Engine{}, Tokens: []Token{{Name: "otto", Role: RoleOperator, Secret: restrict.Secret(operatorToken)}}})
	require.NoError(t, err)
	d := loadAPIDoc(t)
	require.Equal(t, apiRoutes(s), d.operations())
	require.Equal(t, "3.1.0", d.doc["openapi"])
	// Every operation declares each parameter of its path, and answers.
	for _, op := range d.operations() {
		method, path, _ := strings.Cut(op, " ")
		o := d.at(t, "/paths/"+pointerToken(path)+"/"+strings.ToLower(method)).(map[string]any)
		declared := map[string]bool{}
		params, _ := o["parameters"].([]any)
		for _, p := range params {
			pm := p.(map[string]any)
			if ref, ok := pm["$ref"].(string); ok {
				pm = d.at(t, strings.TrimPrefix(ref, "#")).(map[string]any)
			}
			if pm["in"] == "path" {
				require.Equal(t, true, pm["required"], "%s: path parameter %v", op, pm["name"])
				declared[pm["name"].(string)] = true
			}
		}
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") {
				require.True(t, declared[strings.Trim(seg, "{}")], "%s does not declare %s", op, seg)
				delete(declared, strings.Trim(seg, "{}"))
			}
		}
		require.Empty(t, declared, "%s declares path parameters its path has not", op)
		require.NotEmpty(t, o["responses"], op)
		require.NotEmpty(t, o["operationId"], op)
	}
	// Every schema of the document compiles, so that none is only
	// checked once an answer of it comes along.
	for name := range d.at(t, "/components/schemas").(map[string]any) {
		_, err := d.compiler.Compile(openAPIURL + "#/components/schemas/" + pointerToken(name))
		require.NoError(t, err, name)
	}
}

// TestOpenAPIOutcomeMirrorsTheAuditSchema keeps the document's Outcome,
// a mirror of the audit schema's journal row, to the same fields.
func TestOpenAPIOutcomeMirrorsTheAuditSchema(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/audit-record.schema.json")
	require.NoError(t, err)
	var audit struct {
		Defs map[string]struct {
			Properties map[string]any `json:"properties"`
			Required   []string       `json:"required"`
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(b, &audit))
	d := loadAPIDoc(t)
	for doc, def := range map[string]string{"Outcome": "journal_row", "OutcomeError": "journal_error"} {
		mirror := d.at(t, "/components/schemas/"+doc).(map[string]any)
		var props, required []string
		for k := range mirror["properties"].(map[string]any) {
			props = append(props, k)
		}
		for _, k := range mirror["required"].([]any) {
			required = append(required, k.(string))
		}
		var want []string
		for k := range audit.Defs[def].Properties {
			want = append(want, k)
		}
		require.ElementsMatch(t, want, props, doc)
		require.ElementsMatch(t, audit.Defs[def].Required, required, doc)
	}
}

func TestOpenAPIDocumentIsServed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	resp := ts.bearer(t, "GET", "/api/v1/openapi.json", viewerToken, nil, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body := loadAPIDoc(t).check(t, "GET", "/api/v1/openapi.json", resp)
	require.Equal(t, docs.OpenAPI, body)
}

// TestOpenAPIProblemTypesAreListed finds every problem type the package
// writes (the slug literal of each writeProblem call) and asserts the
// document lists it, and lists no other.
func TestOpenAPIProblemTypesAreListed(t *testing.T) {
	t.Parallel()
	d := loadAPIDoc(t)
	var listed []string
	for _, v := range d.at(t, "/components/schemas/Problem/properties/type/enum").([]any) {
		listed = append(listed, strings.TrimPrefix(v.(string), problemBase))
	}
	sort.Strings(listed)
	used := problemSlugs(t)
	for _, slug := range used {
		require.Contains(t, listed, slug, "the document does not list the problem type %q", slug)
		require.Contains(t, d.at(t, "/info/description").(string), problemBase+slug, "the description does not say what %q means", slug)
	}
	// Every type listed is written somewhere: the API's, the security
	// wrapper's (unauthorized, forbidden) and the webhooks'.
	for _, slug := range listed {
		require.Contains(t, used, slug, "the document lists %q, which nothing writes", slug)
	}
}

// apiFixture is a test server with a finished run "r1" of three subjects:
// s1 restricted at both providers, s2 failing at purse, s3 at cryptomus
// only.
type apiFixture struct {
	*testServer
	doc *apiDoc
}

// Target IDs of the fixture: UUIDs, as both providers' rules want.
const (
	idCrypto1 = "0b6f4a8e-0000-4000-8000-000000000001"
	idPurse1  = "0b6f4a8e-0000-4000-8000-000000000002"
	idPurse2  = "0b6f4a8e-0000-4000-8000-000000000003"
	idCrypto3 = "0b6f4a8e-0000-4000-8000-000000000004"
)

func newAPIFixture(t *testing.T) *apiFixture {
	t.Helper()
	ts := newTestServer(t, nil)
	ts.fakes["purse"].FailWith(idPurse2, &restrict.APIError{Provider: "purse", Operation: "BlockCustomer", StatusCode: 404,
		Code: "004", Message: "Customer not found", Attempts: 1, Class: restrict.ErrNotFound})
	ctx := context.Background()
	_, err := ts.engine.Submit(ctx, bulk.Run{Name: "r1", Op: restrict.OpRestrict, Reason: "court order", SubmittedBy: "otto"}, bulk.Subjects(
		bulk.Subject{Key: "s1", IDs: map[string]string{"cryptomus": idCrypto1, "purse": idPurse1}},
		bulk.Subject{Key: "s2", IDs: map[string]string{"purse": idPurse2}},
		bulk.Subject{Key: "s3", IDs: map[string]string{"cryptomus": idCrypto3}},
	))
	require.NoError(t, err)
	wait, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err = ts.engine.Wait(wait, "r1")
	require.NoError(t, err)
	return &apiFixture{testServer: ts, doc: loadAPIDoc(t)}
}

// get sends a GET with the viewer's token and checks the answer against
// the document; it returns the status and the body.
func (f *apiFixture) get(t *testing.T, pattern, path string) (int, []byte) {
	t.Helper()
	resp := f.bearer(t, "GET", path, viewerToken, nil, "")
	return resp.StatusCode, f.doc.check(t, "GET", pattern, resp)
}

// send sends a body with the operator's token and checks the answer.
func (f *apiFixture) send(t *testing.T, method, pattern, path, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	resp := f.bearer(t, method, path, operatorToken, strings.NewReader(body), contentType)
	return resp, f.doc.check(t, method, pattern, resp)
}

// decodeProblem reads a problem answer.
func decodeProblem(t *testing.T, body []byte) problem {
	t.Helper()
	var p problem
	require.NoError(t, json.Unmarshal(body, &p), "%s", body)
	return p
}

// requireProblem asserts body is a problem of slug whose errors point at
// pointers, in order.
func requireProblem(t *testing.T, body []byte, slug string, pointers ...string) problem {
	t.Helper()
	p := decodeProblem(t, body)
	require.Equal(t, problemBase+slug, p.Type, "%s", body)
	if len(pointers) > 0 {
		var got []string
		for _, e := range p.Errors {
			got = append(got, e.Pointer)
		}
		require.Equal(t, pointers, got, "%s", body)
	}
	return p
}

// TestAPIAnswersMatchTheDocument drives every endpoint, to a success and
// to its refusals, and checks each answer against the document; then it
// asserts every operation had a success checked.
func TestAPIAnswersMatchTheDocument(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	for _, tc := range []struct{ pattern, path string }{
		{"/api/v1/openapi.json", "/api/v1/openapi.json"},
		{"/api/v1/runs", "/api/v1/runs"},
		{"/api/v1/runs/{name}", "/api/v1/runs/r1"},
		{"/api/v1/runs/{name}", "/api/v1/runs/nope"},
		{"/api/v1/runs/{name}/outcomes", "/api/v1/runs/r1/outcomes"},
		{"/api/v1/runs/{name}/outcomes", "/api/v1/runs/r1/outcomes?result=failed&provider=purse"},
		{"/api/v1/runs/{name}/outcomes", "/api/v1/runs/r1/outcomes?limit=1"},
		{"/api/v1/runs/{name}/outcomes", "/api/v1/runs/r1/outcomes?limit=0&result=maybe"},
		{"/api/v1/runs/{name}/outcomes", "/api/v1/runs/nope/outcomes"},
		{"/api/v1/subjects/{key}", "/api/v1/subjects/s1"},
		{"/api/v1/subjects/{key}", "/api/v1/subjects/nobody"},
		{"/api/v1/limits", "/api/v1/limits"},
	} {
		f.get(t, tc.pattern, tc.path)
	}
	f.send(t, "PUT", "/api/v1/limits/{provider}", "/api/v1/limits/purse", "application/json", `{"rate": 5}`)
	f.send(t, "PUT", "/api/v1/limits/{provider}", "/api/v1/limits/purse", "application/json", `{"rate": -1}`)
	f.send(t, "PUT", "/api/v1/limits/{provider}", "/api/v1/limits/purse", "application/json", `{"rate": "fast"}`)
	f.send(t, "PUT", "/api/v1/limits/{provider}", "/api/v1/limits/purse", "text/plain", `rate=5`)
	f.send(t, "PUT", "/api/v1/limits/{provider}", "/api/v1/limits/nope", "application/json", `{"rate": 5}`)
	f.send(t, "PUT", "/api/v1/limits/{provider}", "/api/v1/limits/purse", "application/json", `{"rate": 5`+strings.Repeat(" ", maxLimitBody)+`}`)
	createRunAnswers(t, f)
	// Refusals of the security wrapper: a missing token, a viewer's
	// change.
	f.doc.check(t, "GET", "/api/v1/runs", f.bearer(t, "GET", "/api/v1/runs", "", nil, ""))
	f.doc.check(t, "PUT", "/api/v1/limits/{provider}", f.bearer(t, "PUT", "/api/v1/limits/purse", viewerToken, strings.NewReader(`{"rate": 1}`), "application/json"))

	for _, op := range f.doc.operations() {
		method, path, _ := strings.Cut(op, " ")
		ok := slices.ContainsFunc([]int{200, 201}, func(status int) bool { return f.doc.checked[fmt.Sprintf("%s %s %d", method, path, status)] })
		require.True(t, ok, "no success of %s was checked against the document", op)
	}
}

// problemSlugs is every problem type the package's code writes: the slug
// of each writeProblem call (a string literal, as they all are).
func problemSlugs(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "writeProblem" || len(call.Args) < 3 {
				return true
			}
			lit, ok := call.Args[2].(*ast.BasicLit)
			require.True(t, ok && lit.Kind == token.STRING, "%s: a writeProblem whose slug is not a string literal", fset.Position(call.Pos()))
			slug, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			seen[slug] = true
			return true
		})
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
