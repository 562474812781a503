package flightsrv

// sqlInfo holds the GetSqlInfo answers probed from the backend.
type sqlInfo struct{}
