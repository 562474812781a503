package dispatch

import (
	"context"

	"github.com/quiverdb/quiver/server"
)

// ServeConn implements server.Handler: it runs the session of one
// connection the server has accepted and authenticated.
func (h *Handler) ServeConn(ctx context.Context, c *server.Conn) error {
	st := c.Startup()
	params := st.Settings
	if params == nil {
		params = st.Params
	}
	return h.Serve(ctx, c, Info{
		User:      st.User,
		Database:  st.Database,
		Password:  st.Password,
		Params:    params,
		ProcessID: c.Key().ProcessID,
		Secret:    c.Key().Secret,
	})
}
