package main

import (
	"github.com/rs/zerolog"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/dispatch"
	"github.com/quiverdb/quiver/handshake"
	"github.com/quiverdb/quiver/server"
)

// serverVersion is what clients see as server_version.
const serverVersion = dispatch.ServerVersion

func newServer(o *options, be backends.Backend, log zerolog.Logger) *server.Server {
	return server.New(server.Config{
		Addr:      o.listen,
		MaxConns:  o.maxConns,
		Handshake: &handshake.Config{ServerVersion: serverVersion},
		Handler:   dispatch.NewHandler(dispatch.Config{Backend: be, Dialect: backends.DialectOf(be)}),
		Logger:    log,
	})
}
