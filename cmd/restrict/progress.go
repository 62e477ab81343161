package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/restrictkit/restrict/bulk"
)

// progressView shows a run's progress as it is worked.
type progressView interface {
	// interval is how often it wants an update.
	interval() time.Duration
	// update shows p, and notes for the operator under it (the database
	// is unavailable, jobs wait for a rescue).
	update(p *bulk.Progress, notes []string, now time.Time)
	// finish leaves the last update on screen.
	finish()
}

// progressView picks the display: bars redrawn in place when stderr is a
// terminal, a plain line every few seconds otherwise (a log, a CI job).
func (a *app) progressView(off bool) progressView {
	if off {
		return &noView{notes: noteWriter{w: a.stderr}}
	}
	if a.io.errTTY {
		width := a.io.width
		if width < 40 {
			width = 80
		}
		return &ttyView{w: a.stderr, width: width, rates: map[string]*rate{}}
	}
	return &lineView{w: a.stderr, every: 5 * time.Second, rates: map[string]*rate{}, notes: noteWriter{w: a.stderr}}
}

// noView shows no progress, but still tells the operator what they must
// know (the database is unavailable, jobs wait for a rescue).
type noView struct{ notes noteWriter }

func (*noView) interval() time.Duration { return time.Second }

func (v *noView) update(_ *bulk.Progress, notes []string, _ time.Time) { v.notes.write(notes) }

func (*noView) finish() {}

// noteWriter writes each note once, as a line.
type noteWriter struct {
	w    io.Writer
	told map[string]bool
}

func (n *noteWriter) write(notes []string) {
	for _, note := range notes {
		if n.told[note] {
			continue
		}
		if n.told == nil {
			n.told = map[string]bool{}
		}
		n.told[note] = true
		fmt.Fprintf(n.w, "restrict: %s\n", terminalSafe(note))
	}
}

// rate follows how fast a provider's jobs finish, over the last few
// seconds, for its speed and ETA.
type rate struct {
	samples []sample
}

type sample struct {
	at   time.Time
	done int64
}

// window is how far back the speed is measured.
const window = 10 * time.Second

func (r *rate) add(at time.Time, done int64) {
	r.samples = append(r.samples, sample{at, done})
	for len(r.samples) > 2 && at.Sub(r.samples[0].at) > window {
		r.samples = r.samples[1:]
	}
}

// perSecond is the finishing speed over the window, or 0 before there is
// enough to tell.
func (r *rate) perSecond() float64 {
	if len(r.samples) < 2 {
		return 0
	}
	first, last := r.samples[0], r.samples[len(r.samples)-1]
	d := last.at.Sub(first.at).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(last.done-first.done) / d
}

// eta is how long the pending jobs will take at the current speed, or ""
// when it cannot be told.
func eta(pending int64, perSecond float64) string {
	switch {
	case pending == 0:
		return "done"
	case perSecond <= 0:
		return "ETA -"
	}
	d := time.Duration(float64(pending) / perSecond * float64(time.Second))
	return "ETA " + d.Round(time.Second).String()
}

// rows returns the progress per provider and over all, with their speeds.
func rows(p *bulk.Progress, now time.Time, rates map[string]*rate) ([]bulk.Counts, []float64) {
	all := p.All
	all.Provider = "all"
	counts := append(append([]bulk.Counts(nil), p.Providers...), all)
	speeds := make([]float64, len(counts))
	for i, c := range counts {
		r := rates[c.Provider]
		if r == nil {
			r = &rate{}
			rates[c.Provider] = r
		}
		r.add(now, c.Done())
		speeds[i] = r.perSecond()
	}
	return counts, speeds
}

// ttyView draws a bar per provider and redraws them in place.
type ttyView struct {
	w     io.Writer
	width int
	rates map[string]*rate
	drawn int // lines drawn by the last update
}

func (v *ttyView) interval() time.Duration { return 250 * time.Millisecond }

func (v *ttyView) update(p *bulk.Progress, notes []string, now time.Time) {
	counts, speeds := rows(p, now, v.rates)
	var b strings.Builder
	if v.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", v.drawn) // back to the first line drawn
	}
	lines := make([]string, 0, len(counts)+len(notes))
	for i, c := range counts {
		lines = append(lines, barLine(c, speeds[i], v.width))
	}
	for _, n := range notes {
		lines = append(lines, terminalSafe(n))
	}
	for _, l := range lines {
		b.WriteString("\r\x1b[2K")
		b.WriteString(l)
		b.WriteByte('\n')
	}
	// Lines of a note that is gone are cleared, and the cursor comes back
	// under the lines drawn now.
	for i := len(lines); i < v.drawn; i++ {
		b.WriteString("\r\x1b[2K\n")
	}
	if extra := v.drawn - len(lines); extra > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", extra)
	}
	v.drawn = len(lines)
	_, _ = io.WriteString(v.w, b.String())
}

func (v *ttyView) finish() {}

// barLine is one provider's line: name, bar, done of total, failures,
// speed and ETA, fitted to width.
func barLine(c bulk.Counts, perSecond float64, width int) string {
	tail := fmt.Sprintf(" %d/%d", c.Done(), c.Total)
	if c.Failed > 0 {
		tail += fmt.Sprintf("  %d failed", c.Failed)
	}
	if c.Unsupported > 0 {
		tail += fmt.Sprintf("  %d unsupported", c.Unsupported)
	}
	tail += fmt.Sprintf("  %.1f/s  %s", perSecond, eta(c.Pending, perSecond))
	name := fmt.Sprintf("%-15s ", c.Provider)
	barWidth := width - len(name) - len(tail) - 3
	if barWidth < 10 {
		barWidth = 10
	}
	filled := 0
	if c.Total > 0 {
		filled = int(int64(barWidth) * c.Done() / c.Total)
	}
	return name + "[" + strings.Repeat("#", filled) + strings.Repeat(".", barWidth-filled) + "]" + tail
}

// lineView writes one plain line every few seconds.
type lineView struct {
	w     io.Writer
	every time.Duration
	last  time.Time
	rates map[string]*rate
	notes noteWriter
}

func (v *lineView) interval() time.Duration { return time.Second }

func (v *lineView) update(p *bulk.Progress, notes []string, now time.Time) {
	v.notes.write(notes)
	counts, speeds := rows(p, now, v.rates)
	if !v.last.IsZero() && now.Sub(v.last) < v.every {
		return
	}
	v.last = now
	v.write(counts, speeds)
}

func (v *lineView) write(counts []bulk.Counts, speeds []float64) {
	parts := make([]string, 0, len(counts))
	for _, c := range counts[:len(counts)-1] {
		s := fmt.Sprintf("%s %d/%d", c.Provider, c.Done(), c.Total)
		if c.Failed > 0 {
			s += fmt.Sprintf(" (%d failed)", c.Failed)
		}
		parts = append(parts, s)
	}
	all := counts[len(counts)-1]
	fmt.Fprintf(v.w, "progress: %s; all %d/%d, %.1f/s, %s\n", strings.Join(parts, ", "), all.Done(), all.Total, speeds[len(speeds)-1], eta(all.Pending, speeds[len(speeds)-1]))
}

func (v *lineView) finish() {}
