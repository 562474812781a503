package flightsrv

import (
	"context"
	"net/http"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/flight"
	pb "github.com/apache/arrow-go/v18/arrow/flight/gen/flight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/quiverdb/quiver/pgerror"
)

// Session option names. "catalog" is the database (DuckDB's USE; with
// PostgreSQL, which cannot switch databases within a connection, only the
// current database is accepted) and "schema" the search_path.
const (
	OptionCatalog = "catalog"
	OptionSchema  = "schema"
)

// SetSessionOptions sets the catalog and schema of the client's session,
// on its autocommit and spare connections and on those it opens later.
// Transactions in progress keep their settings. Other names are refused
// with INVALID_NAME.
func (h *sqlServer) SetSessionOptions(ctx context.Context, req *flight.SetSessionOptionsRequest) (*flight.SetSessionOptionsResult, error) {
	ss, err := callFrom(ctx).session(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	res := &flight.SetSessionOptionsResult{Errors: map[string]*flight.SetSessionOptionsResultError{}}
	fail := func(name string, v pb.SetSessionOptionsResult_ErrorValue) {
		res.Errors[name] = &flight.SetSessionOptionsResultError{Value: v}
	}
	for name, v := range req.GetSessionOptions() {
		if name != OptionCatalog && name != OptionSchema {
			fail(name, flight.SetSessionOptionsResultErrorInvalidName)
			continue
		}
		var value string
		switch ov := v.GetOptionValue().(type) {
		case nil:
		case *pb.SessionOptionValue_StringValue:
			value = ov.StringValue
		default:
			fail(name, flight.SetSessionOptionsResultErrorInvalidValue)
			continue
		}
		if err := ss.setOption(ctx, name, value); err != nil {
			ss.log.Info().Str("option", name).Err(err).Msg("SetSessionOptions failed")
			fail(name, flight.SetSessionOptionsResultErrorInvalidValue)
		}
	}
	return res, nil
}

// setOption applies one option; an empty value resets it.
func (ss *session) setOption(ctx context.Context, name, value string) error {
	cn, err := ss.mainConn(ctx)
	if err != nil {
		return err
	}
	ss.mu.Lock()
	spare := ss.spare
	ss.mu.Unlock()
	for _, c := range []*conn{cn, spare} {
		if c == nil {
			continue
		}
		switch {
		case name == OptionCatalog && value != "":
			err = useCatalog(ctx, c, value)
		case name == OptionSchema && value != "":
			_, err = c.exec(ctx, "SET search_path TO "+quoteLiteral(value))
		case name == OptionSchema:
			_, err = c.exec(ctx, "RESET search_path")
		}
		if err != nil {
			return err
		}
	}
	ss.mu.Lock()
	if name == OptionCatalog {
		ss.options.catalog = value
	} else {
		ss.options.schema = value
	}
	// Connections for parts are opened again with the new options.
	ss.readerGen++
	idle := ss.readers
	ss.readers = nil
	ss.mu.Unlock()
	for _, c := range idle {
		c.close()
	}
	return nil
}

// useCatalog makes catalog the connection's current database: nothing to
// do if it already is, else DuckDB's USE. PostgreSQL cannot switch.
func useCatalog(ctx context.Context, c *conn, catalog string) error {
	row, err := c.queryRow(ctx, "SELECT current_database()")
	if err != nil {
		return err
	}
	if len(row) == 1 && row[0] == catalog {
		return nil
	}
	if _, err := c.exec(ctx, "USE "+quoteIdent(catalog)); err != nil {
		if pgerror.Code(err) == pgerror.SyntaxError {
			return pgerror.New(pgerror.FeatureNotSupported, "cannot switch to database %q in this session", catalog)
		}
		return err
	}
	return nil
}

// GetSessionOptions returns the session's current catalog and schema.
func (h *sqlServer) GetSessionOptions(ctx context.Context, _ *flight.GetSessionOptionsRequest) (*flight.GetSessionOptionsResult, error) {
	ss, err := callFrom(ctx).session(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	cn, err := ss.mainConn(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	row, err := cn.queryRow(ctx, "SELECT current_database(), current_schema()")
	if err != nil {
		return nil, toStatus(err)
	}
	opts := map[string]any{}
	if len(row) == 2 {
		opts[OptionCatalog] = row[0]
		opts[OptionSchema] = row[1]
	}
	values, err := flight.NewSessionOptionValues(opts)
	if err != nil {
		return nil, toStatus(err)
	}
	return &flight.GetSessionOptionsResult{SessionOptions: values}, nil
}

// CloseSession closes the client's session (found by its token or cookie,
// or its connection's) and clears the cookie.
func (h *sqlServer) CloseSession(ctx context.Context, _ *flight.CloseSessionRequest) (*flight.CloseSessionResult, error) {
	c := callFrom(ctx)
	s := h.srv
	s.mu.Lock()
	ss := c.def
	if ss == nil {
		ss = c.existing()
	}
	if ss != nil && s.byID[ss.id] == ss {
		s.forget(ss)
	} else {
		ss = nil
	}
	s.mu.Unlock()
	if ss != nil {
		ss.close()
		_ = grpc.SetHeader(ctx, metadata.Pairs("set-cookie",
			(&http.Cookie{Name: CookieName, Value: ss.key, MaxAge: -1}).String()))
	}
	return &flight.CloseSessionResult{Status: flight.CloseSessionResultClosed}, nil
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteLiteral quotes an SQL string literal. Backslashes are not special:
// both backends use standard-conforming strings.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
