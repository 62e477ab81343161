package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/restrictkit/restrict/internal/subjects"
)

// maxLimitBody bounds a limit's body, a few bytes; a run's is maxUpload,
// as a form's upload of the same subjects file.
const maxLimitBody = 4 << 10

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// internalError logs err and answers a problem that says nothing of it:
// an engine's error may name the database.
func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("api", "method", r.Method, "path", r.URL.Path, "error", err)
	writeProblem(w, http.StatusInternalServerError, "internal-error", "Internal error", "The server failed; its log says why.")
}

// mediaType is the request's content type without its parameters, ""
// when it has none or an unreadable one.
func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// readAPIBody reads r's body up to limit bytes, or answers 413 and says so.
func readAPIBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeProblem(w, http.StatusRequestEntityTooLarge, "body-too-large", "Body too large",
			fmt.Sprintf("The body may be at most %d bytes.", tooLarge.Limit))
		return nil, false
	case err != nil:
		writeProblem(w, http.StatusBadRequest, "invalid-body", "Unreadable body", "The body could not be read.")
		return nil, false
	}
	return b, true
}

// decodeStrict decodes body, exactly one JSON value, into v (a pointer to
// a struct), refusing unknown fields; a refusal names the field by JSON
// pointer.
func decodeStrict(body []byte, v any) *fieldProblem {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err := dec.Token(); err != io.EOF {
			return &fieldProblem{Pointer: "", Message: "want one JSON value, found more after it"}
		}
		return nil
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &fieldProblem{Pointer: "", Message: "not JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	// The decoder says what is wrong but not where in arrays: find it by
	// walking the value along the type.
	var doc any
	if json.Unmarshal(body, &doc) == nil {
		if fp := locate(doc, reflect.TypeOf(v).Elem(), ""); fp != nil {
			return fp
		}
	}
	return &fieldProblem{Pointer: "", Message: strings.TrimPrefix(err.Error(), "json: ")}
}

// locate finds the first place where v, a decoded JSON value, does not
// fit t: a field t has not, or a value of another type.
func locate(v any, t reflect.Type, ptr string) *fieldProblem {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return nil
	}
	want := jsonKind(t)
	if got := kindOf(v); got != want {
		return &fieldProblem{Pointer: ptr, Message: fmt.Sprintf("want %s, not %s", want, got)}
	}
	switch t.Kind() {
	case reflect.Struct:
		obj := v.(map[string]any)
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fields[name] = f.Type
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			ft, ok := fields[k]
			if !ok {
				return &fieldProblem{Pointer: ptr + "/" + subjects.PointerToken(k), Message: "unknown field"}
			}
			if fp := locate(obj[k], ft, ptr+"/"+subjects.PointerToken(k)); fp != nil {
				return fp
			}
		}
	case reflect.Map:
		obj := v.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if fp := locate(obj[k], t.Elem(), ptr+"/"+subjects.PointerToken(k)); fp != nil {
				return fp
			}
		}
	case reflect.Slice:
		for i, e := range v.([]any) {
			if fp := locate(e, t.Elem(), ptr+"/"+strconv.Itoa(i)); fp != nil {
				return fp
			}
		}
	case reflect.Int, reflect.Int64:
		if f := v.(float64); f != float64(int64(f)) {
			return &fieldProblem{Pointer: ptr, Message: "want a whole number"}
		}
	}
	return nil
}

// jsonKind is the kind of JSON value t decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	}
	return "a value"
}

// kindOf is the kind of a decoded JSON value, in jsonKind's words.
func kindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "true or false"
	case float64:
		return "a number"
	}
	return "a value"
}
