package main

import (
	"fmt"

	"github.com/rs/zerolog"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/dispatch"
	"github.com/quiverdb/quiver/flightsrv"
	"github.com/quiverdb/quiver/handshake"
	"github.com/quiverdb/quiver/server"
)

// serverVersion is what clients see as server_version.
const serverVersion = dispatch.ServerVersion

func newServer(o *options, be backends.Backend, log zerolog.Logger) (*server.Server, error) {
	hs := &handshake.Config{ServerVersion: serverVersion}
	switch o.auth {
	case "trust":
		hs.Auth = handshake.Trust
	case "passthrough":
		hs.Auth = handshake.PassThrough
	default:
		return nil, fmt.Errorf("invalid --auth %q (want trust or passthrough)", o.auth)
	}
	if o.backendAuth == "passthrough" && o.auth != "passthrough" {
		return nil, fmt.Errorf("--backend-auth passthrough needs --auth passthrough, so that clients are asked for a password")
	}
	return server.New(server.Config{
		Addr:      o.listen,
		MaxConns:  o.maxConns,
		Handshake: hs,
		Handler:   dispatch.NewHandler(dispatch.Config{Backend: be, Dialect: backends.DialectOf(be), SessionInit: sessionInit(be)}),
		Logger:    log,
	}), nil
}

// newFlightServer serves Arrow Flight SQL over the same backend.
func newFlightServer(o *options, be backends.Backend, log zerolog.Logger) (*flightsrv.Server, error) {
	return flightsrv.New(flightsrv.Config{
		Backend:        be,
		MaxMessageSize: o.maxMessageSize,
		Version:        Version,
		Logger:         log.With().Str("listener", "flightsql").Logger(),
	})
}

// sessionInit returns the catalog set-up for the backend's dialect, if any.
func sessionInit(be backends.Backend) func(backends.SessionInfo) []string {
	return catalog.SessionInit(backends.DialectOf(be))
}
