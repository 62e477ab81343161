package testkit

import (
	"fmt"
	"strings"
)

// Screen plays terminal output onto a screen, as a terminal shows it, and
// returns its lines. It knows printable characters, CR, LF, cursor up
// (ESC [ n A) and erase line (ESC [ 2 K, ESC [ K): what the command's
// progress display uses.
func Screen(out string) []string {
	var screen [][]rune
	row, col := 0, 0
	put := func(r rune) {
		for len(screen) <= row {
			screen = append(screen, nil)
		}
		for len(screen[row]) <= col {
			screen[row] = append(screen[row], ' ')
		}
		screen[row][col] = r
		col++
	}
	rs := []rune(out)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\r':
			col = 0
		case r == '\n':
			row++
		case r == 0x1b && i+1 < len(rs) && rs[i+1] == '[':
			j := i + 2
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == ';' || rs[j] == '?') {
				j++
			}
			if j == len(rs) {
				i = j
				break
			}
			n := 1
			if params := string(rs[i+2 : j]); params != "" && params != "?25" {
				_, _ = fmt.Sscanf(params, "%d", &n)
			}
			switch rs[j] {
			case 'A':
				row = max(0, row-n)
			case 'K':
				if row < len(screen) {
					if n == 2 {
						screen[row] = nil
					} else if col < len(screen[row]) {
						screen[row] = screen[row][:col]
					}
				}
			}
			i = j
		case r >= ' ':
			put(r)
		}
	}
	lines := make([]string, len(screen))
	for i, l := range screen {
		lines[i] = strings.TrimRight(string(l), " ")
	}
	return lines
}
