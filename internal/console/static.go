package console

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
)

// staticTypes are the types of the console's static files, set here
// rather than read from the system's MIME table, which differs between
// machines.
var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".png": "image/png",
	".svg": "image/svg+xml",
}

// static serves a file of the embedded static folder. It may be cached
// for a while: it changes only with the binary.
func (s *Server) static(w http.ResponseWriter, r *http.Request, p *principal) {
	name := r.PathValue("file")
	b, err := fs.ReadFile(staticFiles, path.Join("static", path.Clean("/"+name)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	typ := staticTypes[path.Ext(name)]
	if typ == "" {
		typ = mime.TypeByExtension(path.Ext(name))
	}
	if typ == "" {
		typ = "application/octet-stream"
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(b)
}
