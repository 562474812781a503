package pgtest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// runBlock runs one directive and returns the lines it prints.
func runBlock(c *conn, b *block) ([]string, error) {
	switch b.cmd {
	case "send":
		return nil, send(c, b)
	case "until":
		return until(c, b)
	case "receive":
		return receive(c, b)
	case "closed":
		return closed(c, b)
	}
	return nil, fmt.Errorf("unknown directive (want send, until, receive or closed)")
}

// send sends the block's messages, one JSON object a line, in one write.
func send(c *conn, b *block) error {
	if len(b.args) > 0 {
		return fmt.Errorf("send takes no arguments, got %q", b.args)
	}
	var msgs []pgproto3.FrontendMessage
	for _, line := range b.input {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m, err := parseFrontend(line)
		if err != nil {
			return fmt.Errorf("%s: %w", line, err)
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return errors.New("nothing to send")
	}
	return c.send(msgs)
}

// waitList reads the message types listed in a block's input and the view
// its arguments ask for.
func waitList(b *block) ([]string, *view, error) {
	var wants []string
	for _, line := range b.input {
		for _, name := range strings.Fields(line) {
			if _, ok := backendFields()[name]; !ok {
				return nil, nil, fmt.Errorf("unknown backend message type %q", name)
			}
			wants = append(wants, name)
		}
	}
	if len(wants) == 0 {
		return nil, nil, errors.New("no message types listed")
	}
	v, err := newView(b.args, wants)
	return wants, v, err
}

// until reads messages up to and including one of each listed type in turn,
// printing every message the view shows. An ErrorResponse or ReadyForQuery
// that is not the awaited type fails the block at once: nothing the block
// waits for can follow it.
func until(c *conn, b *block) ([]string, error) {
	wants, v, err := waitList(b)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, want := range wants {
		for {
			got, line, shown, err := next(c, v, want)
			if err != nil {
				return out, err
			}
			if shown {
				out = append(out, line)
			}
			if got == want {
				break
			}
			if got == "ErrorResponse" || got == "ReadyForQuery" {
				return out, fmt.Errorf("got %s while waiting for %s", got, want)
			}
		}
	}
	return out, nil
}

// next reads one message while waiting for want and renders it with v.
func next(c *conn, v *view, want string) (got, line string, shown bool, err error) {
	msg, err := c.receive()
	if err != nil {
		return "", "", false, fmt.Errorf("waiting for %s: %w", want, err)
	}
	line, shown, err = v.render(msg)
	return typeName(msg), line, shown, err
}

// receive reads exactly the listed messages, in order. Messages the view
// hides are skipped and do not count.
func receive(c *conn, b *block) ([]string, error) {
	wants, v, err := waitList(b)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, want := range wants {
		for {
			got, line, shown, err := next(c, v, want)
			if err != nil {
				return out, err
			}
			if !shown {
				continue
			}
			out = append(out, line)
			if got != want {
				return out, fmt.Errorf("got %s, want %s", got, want)
			}
			break
		}
	}
	return out, nil
}

// closed reads until the server closes the connection, printing every
// message the view shows on the way.
func closed(c *conn, b *block) ([]string, error) {
	for _, line := range b.input {
		if strings.TrimSpace(line) != "" {
			return nil, fmt.Errorf("closed takes no input, got %q", line)
		}
	}
	v, err := newView(b.args, nil)
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		msg, err := c.receive()
		if errors.Is(err, errClosed) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("waiting for the server to close the connection: %w", err)
		}
		line, shown, err := v.render(msg)
		if err != nil {
			return out, err
		}
		if shown {
			out = append(out, line)
		}
	}
}
