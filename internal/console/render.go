package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"time"
)

//go:embed templates/*.html templates/partials/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// view is what every page's template gets: the layout reads Title, Who and
// CSRF; the page its Data.
type view struct {
	Title string
	Who   *principal
	// CSRF is the session's token, for every form of the page.
	CSRF string
	Data any
}

// templateFuncs are the helpers the templates share.
var templateFuncs = template.FuncMap{
	"time": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"percent": func(done, total int64) string {
		if total == 0 {
			return "100"
		}
		return fmt.Sprintf("%.1f", 100*float64(done)/float64(total))
	},
}

// parsePages parses each page's template with the layout and the
// partials (templates/partials: what several pages show alike): pages are
// named by their file ("runs.html").
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*template.Template)
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html", "templates/partials/*.html", n)
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", base, err)
		}
		out[base] = t
	}
	return out, nil
}

// render writes page name with data, or a 500 if it cannot be rendered:
// the page is rendered whole into memory first, so that a failure never
// leaves half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, p *principal, status int, name, title string, data any) {
	t := s.pages.templates[name]
	if t == nil {
		s.log.Error("no such template", "template", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := view{Title: title, Who: p, Data: data}
	if p != nil {
		v.CSRF = p.CSRF
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		s.log.Error("rendering a page", "template", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
