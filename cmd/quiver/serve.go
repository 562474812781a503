package main

import (
	"fmt"

	"github.com/rs/zerolog"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/dispatch"
	"github.com/quiverdb/quiver/flightsrv"
	"github.com/quiverdb/quiver/server"
)

// serverVersion is what clients see as server_version.
const serverVersion = dispatch.ServerVersion

func newServer(o *options, be backends.Backend, log zerolog.Logger) (*server.Server, error) {
	sec, err := securityConfig(o)
	if err != nil {
		return nil, err
	}
	hs := sec.handshake
	hs.ServerVersion = serverVersion
	if o.backendAuth == "passthrough" && o.auth != "passthrough" {
		return nil, fmt.Errorf("--backend-auth passthrough needs --auth passthrough, so that clients are asked for a password")
	}
	return server.New(server.Config{
		Addr:      o.listen,
		MaxConns:  o.maxConns,
		Handshake: hs,
		Handler: dispatch.NewHandler(dispatch.Config{Backend: be, Dialect: backends.DialectOf(be), SessionInit: sessionInit(be),
			MaxMessageSize:                  sec.maxFrontendMessage,
			IdleInTransactionSessionTimeout: o.security.idleInTxTimeout,
			IdleSessionTimeout:              o.security.idleTimeout,
			NoCatalogSnapshot:               !o.catalogSnapshot}),
		Logger:   log,
		ReadSpin: o.readSpin,
	}), nil
}

// newFlightServer serves Arrow Flight SQL over the same backend.
func newFlightServer(o *options, be backends.Backend, log zerolog.Logger) (*flightsrv.Server, error) {
	sec, err := securityConfig(o)
	if err != nil {
		return nil, err
	}
	return flightsrv.New(flightsrv.Config{
		TLS:            sec.flightTLS,
		Auth:           sec.flightAuth,
		Backend:        be,
		MaxMessageSize: o.maxMessageSize,
		ScanParts:      o.flightScanParts,
		Version:        Version,
		Logger:         log.With().Str("listener", "flightsql").Logger(),
	})
}

// sessionInit returns the catalog set-up for the backend's dialect, if any.
func sessionInit(be backends.Backend) func(backends.SessionInfo) []string {
	return catalog.SessionInit(backends.DialectOf(be))
}
