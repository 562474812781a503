package main

import (
	"fmt"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/flightsql"
	"github.com/quiverdb/quiver/backends/postgres"
)

func init() {
	flight := func(uri string, o *options) (backends.Backend, error) {
		opts := flightsql.Options{
			CAFile:         o.caFile,
			SkipVerify:     o.skipVerify,
			Headers:        o.headers,
			ConnectTimeout: o.connectTimeout,
			CallTimeout:    o.callTimeout,
			MaxMessageSize: o.maxMessageSize,
		}
		switch o.backendAuth {
		case "none":
			opts.Credentials = flightsql.CredentialsNone
		case "passthrough":
			opts.Credentials = flightsql.CredentialsPassThrough
		case "token":
			opts.Credentials, opts.Token = flightsql.CredentialsToken, o.backendToken
		default:
			return nil, fmt.Errorf("invalid --backend-auth %q", o.backendAuth)
		}
		return flightsql.Open(uri, opts)
	}
	backendOpeners["grpc"] = flight
	backendOpeners["grpc+tls"] = flight
	backendOpeners["grpc+tcp"] = flight
	pg := func(uri string, o *options) (backends.Backend, error) {
		switch o.backendAuth {
		case "none", "passthrough":
		default:
			return nil, fmt.Errorf("--backend-auth %q does not apply to PostgreSQL", o.backendAuth)
		}
		return postgres.Open(uri, postgres.Options{PassThrough: o.backendAuth == "passthrough"})
	}
	backendOpeners["postgres"] = pg
	backendOpeners["postgresql"] = pg
}
