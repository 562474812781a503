package pgerror

// SQLSTATE codes used by quiver, named as in PostgreSQL's errcodes.txt.
const (
	SuccessfulCompletion = "00000"
	Warning              = "01000"

	ConnectionException                  = "08000"
	ConnectionFailure                    = "08006"
	SQLClientUnableToEstablishConnection = "08001"
	ProtocolViolation                    = "08P01"

	FeatureNotSupported = "0A000"

	CardinalityViolation        = "21000"
	DataException               = "22000"
	StringDataRightTruncation   = "22001"
	NumericValueOutOfRange      = "22003"
	NullValueNotAllowed         = "22004"
	InvalidDatetimeFormat       = "22007"
	DatetimeFieldOverflow       = "22008"
	DivisionByZero              = "22012"
	InvalidParameterValue       = "22023"
	CantChangeRuntimeParam      = "55P02"
	InvalidTextRepresentation   = "22P02"
	InvalidBinaryRepresentation = "22P03"
	BadCopyFileFormat           = "22P04"
	UntranslatableCharacter     = "22P05"
	CharacterNotInRepertoire    = "22021"
	InvalidEscapeSequence       = "22025"
	InvalidTimeZoneDisplacement = "22009"
	ArraySubscriptError         = "2202E"

	IntegrityConstraintViolation = "23000"
	NotNullViolation             = "23502"
	ForeignKeyViolation          = "23503"
	UniqueViolation              = "23505"
	CheckViolation               = "23514"

	InvalidCursorState            = "24000"
	InvalidTransactionState       = "25000"
	ActiveSQLTransaction          = "25001"
	NoActiveSQLTransaction        = "25P01"
	InFailedSQLTransaction        = "25P02"
	IdleInTransactionTimeout      = "25P03"
	ReadOnlySQLTransaction        = "25006"
	InvalidSQLStatementName       = "26000"
	InvalidAuthorizationSpec      = "28000"
	InvalidPassword               = "28P01"
	InvalidCursorName             = "34000"
	InvalidSavepointSpecification = "3B001"
	InvalidCatalogName            = "3D000"
	InvalidSchemaName             = "3F000"
	TransactionRollback           = "40000"
	SerializationFailure          = "40001"
	DeadlockDetected              = "40P01"

	GeneratedAlways = "428C9"

	SyntaxErrorOrAccessRuleViolation = "42000"
	SyntaxError                      = "42601"
	InsufficientPrivilege            = "42501"
	UndefinedColumn                  = "42703"
	UndefinedFunction                = "42883"
	UndefinedTable                   = "42P01"
	UndefinedParameter               = "42P02"
	UndefinedObject                  = "42704"
	DuplicateColumn                  = "42701"
	DuplicateCursor                  = "42P03"
	InvalidCursorDefinition          = "42P11"
	DuplicateDatabase                = "42P04"
	DuplicatePreparedStatement       = "42P05"
	DuplicateSchema                  = "42P06"
	DuplicateTable                   = "42P07"
	DuplicateObject                  = "42710"
	AmbiguousColumn                  = "42702"
	AmbiguousFunction                = "42725"
	DatatypeMismatch                 = "42804"
	WrongObjectType                  = "42809"
	InvalidColumnReference           = "42P10"
	GroupingError                    = "42803"
	IndeterminateDatatype            = "42P18"
	UndefinedPreparedStatement       = "26000"

	InsufficientResources = "53000"
	OutOfMemory           = "53200"
	TooManyConnections    = "53300"
	ProgramLimitExceeded  = "54000"

	ObjectNotInPrerequisiteState = "55000"
	LockNotAvailable             = "55P03"

	OperatorIntervention = "57000"
	QueryCanceled        = "57014"
	AdminShutdown        = "57P01"
	CannotConnectNow     = "57P03"
	IdleSessionTimeout   = "57P05"

	SystemError   = "58000"
	IOError       = "58030"
	InternalError = "XX000"
	DataCorrupted = "XX001"
)

// RaisePrefix starts the message of an error that quiver's own SQL raises
// in an engine (DuckDB's error() in the catalog's function definitions),
// followed by the SQLSTATE PostgreSQL gives the error and ": ", as in
// "quiver:22012: division by zero". Backends that run that SQL report the
// error with that SQLSTATE and the rest of the message.
const RaisePrefix = "quiver:"
