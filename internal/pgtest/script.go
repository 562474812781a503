package pgtest

import (
	"fmt"
	"os"
	"strings"
)

// separator ends a directive's input and starts its expected output.
const separator = "----"

// block is one directive of a transcript file: the directive line, its input
// lines, and the expected output that follows the separator.
type block struct {
	line     int // 1-based line of the directive
	cmd      string
	args     []string // the words after cmd, such as "ignore=DataRow"
	input    []string
	expected []string

	// outStart and outEnd delimit the expected output in script.lines, so
	// that a rewrite replaces exactly those lines and keeps the rest.
	outStart, outEnd int
}

// script is a parsed transcript file.
type script struct {
	path   string
	lines  []string
	blocks []*block
}

// readScript reads and parses the transcript file at path.
func readScript(path string) (*script, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseScript(path, string(data))
}

// parseScript parses a transcript. Outside blocks, blank lines and lines
// starting with '#' are ignored. A block is a directive line, input lines, a
// "----" line, and expected output lines up to the next blank line or the end
// of the file.
func parseScript(path, text string) (*script, error) {
	s := &script{path: path, lines: strings.Split(strings.TrimSuffix(text, "\n"), "\n")}
	if text == "" {
		s.lines = nil
	}
	for i := 0; i < len(s.lines); {
		line := strings.TrimSpace(s.lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			i++
			continue
		}
		fields := strings.Fields(line)
		b := &block{line: i + 1, cmd: fields[0], args: fields[1:]}
		i++
		for ; i < len(s.lines) && strings.TrimSpace(s.lines[i]) != separator; i++ {
			b.input = append(b.input, s.lines[i])
		}
		if i == len(s.lines) {
			return nil, fmt.Errorf("%s:%d: %s: missing %q line", path, b.line, b.cmd, separator)
		}
		i++
		b.outStart = i
		for ; i < len(s.lines) && strings.TrimSpace(s.lines[i]) != ""; i++ {
			b.expected = append(b.expected, s.lines[i])
		}
		b.outEnd = i
		s.blocks = append(s.blocks, b)
	}
	return s, nil
}

// pos names a block's directive line for messages.
func (s *script) pos(b *block) string {
	return fmt.Sprintf("%s:%d", s.path, b.line)
}

// rewrite returns the file text with each block's expected output replaced by
// actual[i]. Comments, directives and inputs are kept as they were.
func (s *script) rewrite(actual [][]string) string {
	var out []string
	prev := 0
	for i, b := range s.blocks {
		out = append(out, s.lines[prev:b.outStart]...)
		out = append(out, actual[i]...)
		prev = b.outEnd
	}
	out = append(out, s.lines[prev:]...)
	return strings.Join(out, "\n") + "\n"
}
