// Command quiver serves the PostgreSQL wire protocol over Arrow-native
// backends: embedded DuckDB by default.
//
//	quiver                               # 127.0.0.1:5433, in-memory DuckDB
//	quiver --listen 0.0.0.0:5432 --backend duckdb:/var/lib/quiver/db.duckdb
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/flightsrv"
	"github.com/quiverdb/quiver/server"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "0.1.0-dev"

// options are the command-line settings.
type options struct {
	listen          string
	flightListen    string
	backend         string
	auth            string
	backendAuth     string
	backendToken    string
	caFile          string
	skipVerify      bool
	headers         headerList
	connectTimeout  time.Duration
	callTimeout     time.Duration
	maxMessageSize  int
	flightScanParts int
	logLevel        string
	logFormat       string
	maxConns        int
	shutdownTimeout time.Duration
	schedBatch      bool
	readSpin        time.Duration
	catalogSnapshot bool
	version         bool
	security        securityOptions // TLS, authentication and limits: security.go
}

const usageText = `quiver serves the PostgreSQL protocol over Arrow-native engines.

Usage:
  quiver [flags]

With no flags, quiver listens on 127.0.0.1:5433 and runs statements on an
in-memory embedded DuckDB. Connect with any PostgreSQL client:

  psql -h 127.0.0.1 -p 5433 -U me

Backends (--backend):
  duckdb:                 embedded DuckDB, in memory (the default)
  duckdb:PATH             embedded DuckDB on a database file
  grpc://HOST:PORT        an Arrow Flight SQL server (grpc+tls:// for TLS)
  postgres://USER@HOST/DB a PostgreSQL server

With --flight-listen, quiver also serves Arrow Flight SQL over the same
backend, so ADBC and Flight SQL clients get Arrow batches from it.

Flags:
`

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("quiver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:5433", "`HOST:PORT` for the PostgreSQL protocol; port 0 picks a free port")
	fs.StringVar(&o.backend, "backend", "duckdb:", "backend `URI`")
	fs.StringVar(&o.flightListen, "flight-listen", "", "also serve Arrow Flight SQL on `HOST:PORT`")
	fs.StringVar(&o.auth, "auth", "trust", "client authentication `method`: trust, password, md5, scram-sha-256 (these three with --users), cert (with --tls-client-ca), or passthrough (ask for a password and let the backend check it)")
	fs.StringVar(&o.backendAuth, "backend-auth", "none", "credentials quiver gives the backend: none, passthrough (the client's user and password), or token (Flight SQL only)")
	fs.StringVar(&o.backendToken, "backend-token", "", "bearer `token` for --backend-auth token")
	fs.StringVar(&o.caFile, "backend-ca-file", "", "PEM `file` of CAs trusted for a grpc+tls backend")
	fs.BoolVar(&o.skipVerify, "backend-skip-verify", false, "accept any certificate from a grpc+tls backend (testing only)")
	fs.Var(&o.headers, "backend-header", "extra `NAME:VALUE` header on every Flight SQL call (repeatable)")
	fs.DurationVar(&o.connectTimeout, "backend-connect-timeout", 10*time.Second, "how long connecting to a remote backend may take")
	fs.DurationVar(&o.callTimeout, "backend-call-timeout", 0, "bound on each Flight SQL planning or update call (0: none)")
	fs.IntVar(&o.maxMessageSize, "max-message-size", 64<<20, "largest gRPC message, in `bytes`, for Flight SQL backend and frontend")
	fs.IntVar(&o.flightScanParts, "flight-scan-parts", flightsrv.DefaultScanParts, "most Flight SQL endpoints, read in parallel, for a query that scans one PostgreSQL table (1: one endpoint)")
	fs.StringVar(&o.logLevel, "log-level", "info", "log `level`: debug, info, warn, error")
	fs.StringVar(&o.logFormat, "log-format", "console", "log `format`: console or json")
	fs.IntVar(&o.maxConns, "max-connections", 100, "maximum concurrent client `connections`")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGINT/SIGTERM, how long running statements may finish before they are cancelled")
	fs.BoolVar(&o.schedBatch, "sched-batch", false, "run quiver's threads under Linux's SCHED_BATCH policy: for bulk reads from a PostgreSQL backend on the same CPUs (see README)")
	fs.BoolVar(&o.catalogSnapshot, "catalog-snapshot", true, "on embedded DuckDB, read the costly pg_catalog relations from tables built once per schema, shared by sessions that see the committed schema (false: compute them for every query)")
	fs.DurationVar(&o.readSpin, "read-spin", server.DefaultReadSpin, "poll a session's socket for up to this `duration` before waiting for its next message: lower latency for clients that send statement after statement (Linux; 0 turns it off; see README)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	o.security.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	return o, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "quiver:", err)
		return 2
	}
	if o.version {
		fmt.Fprintf(stdout, "quiver %s (PostgreSQL protocol 3.0, reports server_version %s)\n", Version, serverVersion)
		return 0
	}
	log, err := newLogger(o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "quiver:", err)
		return 2
	}
	if o.schedBatch {
		if err := setSchedBatch(); err != nil {
			log.Error().Err(err).Msg("cannot set the SCHED_BATCH policy")
			return 1
		}
	}
	be, err := openBackend(o.backend, o)
	if err != nil {
		log.Error().Err(err).Str("backend", o.backend).Msg("cannot open backend")
		return 1
	}
	defer be.Close()

	defer startProfile()()
	srv, err := newServer(o, be, log)
	if err != nil {
		fmt.Fprintln(stderr, "quiver:", err)
		return 2
	}
	addr, err := srv.Listen()
	if err != nil {
		log.Error().Err(err).Msg("cannot listen")
		return 1
	}
	log.Info().Str("addr", addr.String()).Str("backend", o.backend).Str("version", Version).Msg("quiver listening")
	var flightErr chan error
	if o.flightListen != "" {
		fsrv, err := newFlightServer(o, be, log)
		if err != nil {
			log.Error().Err(err).Msg("cannot start Flight SQL")
			return 1
		}
		faddr, err := fsrv.Listen(o.flightListen)
		if err != nil {
			log.Error().Err(err).Msg("cannot listen for Flight SQL")
			return 1
		}
		log.Info().Str("addr", faddr.String()).Msg("Flight SQL listening")
		flightErr = make(chan error, 1)
		go func() { flightErr <- fsrv.Serve() }()
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
			defer cancel()
			_ = fsrv.Shutdown(ctx)
		}()
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	select {
	case sig := <-sigs:
		log.Info().Str("signal", sig.String()).Dur("timeout", o.shutdownTimeout).Msg("shutting down")
		ctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			log.Warn().Err(err).Msg("shutdown deadline passed; running statements were cancelled")
		}
		<-errc
		log.Info().Msg("stopped")
		return 0
	case err := <-errc:
		if errors.Is(err, server.ErrServerClosed) {
			return 0
		}
		log.Error().Err(err).Msg("server failed")
		return 1
	case err := <-flightErr:
		log.Error().Err(err).Msg("Flight SQL server failed")
		return 1
	}
}

func newLogger(o *options, w io.Writer) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(strings.ToLower(o.logLevel))
	if err != nil || o.logLevel == "" {
		return zerolog.Logger{}, fmt.Errorf("invalid --log-level %q", o.logLevel)
	}
	var out io.Writer = w
	switch o.logFormat {
	case "console":
		out = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	case "json":
	default:
		return zerolog.Logger{}, fmt.Errorf("invalid --log-format %q", o.logFormat)
	}
	return zerolog.New(out).Level(lvl).With().Timestamp().Logger(), nil
}

// openBackend opens the backend a URI names.
func openBackend(uri string, o *options) (backends.Backend, error) {
	scheme, _, _ := strings.Cut(uri, ":")
	if opener, ok := backendOpeners[scheme]; ok {
		return opener(uri, o)
	}
	known := make([]string, 0, len(backendOpeners))
	for k := range backendOpeners {
		known = append(known, k+":")
	}
	return nil, fmt.Errorf("unknown backend %q (known: %s)", uri, strings.Join(known, ", "))
}

// backendOpeners maps URI schemes to backends; each backend registers itself
// in its own file.
var backendOpeners = map[string]func(uri string, o *options) (backends.Backend, error){}

// headerList collects repeated --backend-header flags.
type headerList map[string]string

func (h *headerList) String() string { return fmt.Sprint(map[string]string(*h)) }

func (h *headerList) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("want NAME:VALUE, got %q", v)
	}
	if *h == nil {
		*h = headerList{}
	}
	(*h)[strings.TrimSpace(name)] = strings.TrimSpace(value)
	return nil
}
