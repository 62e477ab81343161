package console

import (
	"fmt"
	"maps"
	"net/url"
	"strings"
	"time"

	"github.com/restrictkit/restrict/bulk"
)

// runURL is a run's page.
func runURL(name string) string { return "/runs/" + url.PathEscape(name) }

// subjectURL is a subject's page.
func subjectURL(key string) string { return "/subjects/" + url.PathEscape(key) }

func init() { maps.Copy(templateFuncs, pageFuncs) }

// pageFuncs are the pages' template helpers, added to templateFuncs
// before any template is parsed.
var pageFuncs = map[string]any{
	// subjectURL and runURL escape a key or a name as one path segment:
	// a key may hold "/", "?" or "#".
	"subjectURL": subjectURL,
	"runURL":     runURL,
	"duration": func(from, to time.Time) string {
		if from.IsZero() || to.IsZero() {
			return ""
		}
		return to.Sub(from).Round(time.Second).String()
	},
	"class": func(o bulk.Outcome) string {
		if o.Error == nil {
			return ""
		}
		return o.Error.Class
	},
	"rate": func(r float64) string {
		if r == 0 {
			return "none"
		}
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", r), "0"), ".") + "/s"
	},
}
