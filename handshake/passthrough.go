package handshake

import (
	"context"
)

// PassThrough asks the client for its password in cleartext and keeps it in
// Startup.Password without checking it: the backend checks it when the
// session opens (Flight SQL basic auth, or PostgreSQL's own authentication)
// and a wrong one fails there with 28P01. Use it over TLS: the password
// crosses the client's connection in the clear.
var PassThrough AuthMethod = passThrough{}

type passThrough struct{}

func (passThrough) Name() string { return "password" }

func (passThrough) Authenticate(_ context.Context, ex *AuthExchange) error {
	pw, err := receivePassword(ex)
	if err != nil {
		return err
	}
	ex.Startup.Password = pw
	return nil
}
